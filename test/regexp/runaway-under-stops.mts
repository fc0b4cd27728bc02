// Child process for runaway-under-stops.test.ts: searches a pattern that cannot match (on Oniguruma)
// over a 20,000-character line again and again for the given seconds, then a real runaway once, and
// prints {searches, runaways, realRunawayCaught} as JSON.
import { RegexpRunawayError, compileRegexp, ensureRegexpEngine, regexpNeedsEngine } from '../../src/regexp/regexp.ts';

await ensureRegexpEngine();
const pattern = '(?:x[0-9a])*+z';
if (!regexpNeedsEngine(pattern)) throw new Error('the pattern must run on Oniguruma');
const re = compileRegexp(pattern);
const line = 'x0a'.repeat(6_667);
process.stdout.write('ready\n');
const until = Date.now() + Number(process.argv[2] ?? 2) * 1000;
let searches = 0;
let runaways = 0;
while (Date.now() < until) {
  try {
    if (re.test(line)) throw new Error('unexpected match');
  } catch (e) {
    if (!(e instanceof RegexpRunawayError)) throw e;
    runaways++;
  }
  searches++;
}
let realRunawayCaught = false;
try {
  compileRegexp('^(a+)+$').test(`${'a'.repeat(40)}b`);
} catch (e) {
  realRunawayCaught = e instanceof RegexpRunawayError;
}
process.stdout.write(`${JSON.stringify({ searches, runaways, realRunawayCaught })}\n`);
