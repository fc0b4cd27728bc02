// `flowstash fmt FILE…`: print configs in canonical form (2-space indent, one attribute per line,
// comments kept). `--write` rewrites the files, `--check` only reports files that would change.
import { readFileSync, writeFileSync } from 'node:fs';
import { formatSyntaxError } from '../config/load.ts';
import { ConfigSyntaxError, parseConfigWithComments } from '../config/parser.ts';
import { printConfig } from '../config/printer.ts';

const USAGE = `Usage: flowstash fmt [--write | --check] FILE…

Prints each Logstash config in canonical form (2-space indent, one setting per line, comments kept).
  -w, --write   rewrite the files in place
  -c, --check   print nothing; exit 1 and name the files that are not in canonical form
`;

/** The canonical text of one config (throws ConfigSyntaxError when it does not parse). */
export function formatConfigText(text: string, file = '<config string>'): string {
  const parsed = parseConfigWithComments(text, file);
  return printConfig(parsed.ast, parsed.comments, (n) => parsed.source.indexOfByte(n.loc.offset), text.length);
}

export async function run(argv: string[]): Promise<number> {
  let mode: 'print' | 'write' | 'check' = 'print';
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (arg === '-w' || arg === '--write') mode = 'write';
    else if (arg === '-c' || arg === '--check') mode = 'check';
    else if (arg.startsWith('-') && arg !== '-') {
      process.stderr.write(`ERROR: Unrecognised option '${arg}'\n\n${USAGE}`);
      return 1;
    } else files.push(arg);
  }
  if (files.length === 0) {
    process.stderr.write(`ERROR: no files given\n\n${USAGE}`);
    return 1;
  }
  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`ERROR: cannot read ${file}: ${(e as Error).message}\n`);
      status = 1;
      continue;
    }
    let out: string;
    try {
      out = formatConfigText(text, file);
    } catch (e) {
      if (!(e instanceof ConfigSyntaxError)) throw e;
      process.stderr.write(`${file}: ${formatSyntaxError(e, file)}\n`);
      status = 1;
      continue;
    }
    if (mode === 'check') {
      if (out !== text) {
        process.stdout.write(`${file}\n`);
        status = 1;
      }
    } else if (mode === 'write' && file !== '-') {
      if (out !== text) writeFileSync(file, out);
    } else {
      if (files.length > 1) process.stdout.write(`# ==> ${file} <==\n`);
      process.stdout.write(out);
    }
  }
  return status;
}
