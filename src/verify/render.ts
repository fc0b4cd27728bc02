// What `flowstash verify` prints: ☑/☐ per test case like logstash-filter-verifier, a field-by-field
// diff for each mismatching event (values coloured by json-colorizer when colour is on), the
// branches no test case reached, and a summary line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { color, colorize, type ColorTheme } from 'json-colorizer';
import { jsonValue } from '../event/json.ts';
import { type FieldMap, type FieldValue, isFieldMap } from '../event/values.ts';
import { canonical, type FieldDifference, withoutIgnored } from './compare.ts';
import type { BranchCoverage, CaseResult, VerifyReport } from './runner.ts';
import type { TestFile } from './testfile.ts';

export const PASS = '☑';
export const FAIL = '☐';

type Paint = (s: string) => string;

export interface Palette {
  enabled: boolean;
  pass: Paint;
  fail: Paint;
  expected: Paint;
  actual: Paint;
  dim: Paint;
  bold: Paint;
  value: (v: FieldValue) => string;
}

/** Values shown in one line: JSON as Logstash writes it (bigint exact, @timestamp as string). */
function plainValue(v: FieldValue): string {
  return jsonValue(v);
}

function hasBigint(v: FieldValue): boolean {
  if (typeof v === 'bigint') return true;
  if (Array.isArray(v)) return v.some(hasBigint);
  return isFieldMap(v) && Object.values(v).some(hasBigint);
}

export function palette(enabled: boolean): Palette {
  if (!enabled) {
    const id: Paint = (s) => s;
    return { enabled, pass: id, fail: id, expected: id, actual: id, dim: id, bold: id, value: plainValue };
  }
  const c = color.createColors({ useColor: true });
  const theme: ColorTheme = {
    Whitespace: c.gray,
    Brace: c.gray,
    Bracket: c.gray,
    Colon: c.gray,
    Comma: c.gray,
    StringKey: c.magenta,
    StringLiteral: c.yellow,
    NumberLiteral: c.green,
    BooleanLiteral: c.cyan,
    NullLiteral: c.white,
  };
  const value = (v: FieldValue): string => {
    const text = plainValue(v);
    // json-colorizer re-parses with JSON.parse, which would round a bigint: colour those as one token.
    const plain = canonical(v);
    if (typeof plain === 'bigint') return theme.NumberLiteral(text);
    if (hasBigint(plain)) return text;
    return colorize(text, { colors: theme, indent: 0 });
  };
  return { enabled, pass: c.green, fail: c.red, expected: c.red, actual: c.green, dim: c.gray, bold: c.bold, value };
}

function caseTitle(tf: TestFile, r: CaseResult): string {
  const d = r.testcase.description;
  return `${path.basename(tf.path)} #${r.testcase.index}${d ? ` ${JSON.stringify(d)}` : ''}`;
}

function sameInstant(d: FieldDifference): boolean {
  if (d.field !== '[@timestamp]' || typeof d.expected !== 'string' || typeof d.actual !== 'string') return false;
  const a = Date.parse(d.expected);
  return !Number.isNaN(a) && a === Date.parse(d.actual);
}

function differenceLines(diffs: FieldDifference[], p: Palette): string[] {
  const width = Math.min(40, Math.max(...diffs.map((d) => d.field.length)));
  return diffs.map((d) => {
    const field = d.field.padEnd(width);
    switch (d.kind) {
      case 'changed':
        return (
          `      ${p.bold('~')} ${field}  ${p.expected('expected')} ${p.value(d.expected!)}  ${p.actual('actual')} ${p.value(d.actual!)}` +
          (sameInstant(d) ? `  ${p.dim('(the same instant, written differently: @timestamp is compared as Logstash renders it)')}` : '')
        );
      case 'missing':
        return `      ${p.expected('-')} ${field}  ${p.expected('expected')} ${p.value(d.expected!)}  ${p.dim('(missing in the actual event)')}`;
      case 'unexpected':
        return `      ${p.actual('+')} ${field}  ${p.actual('actual')} ${p.value(d.actual!)}  ${p.dim('(not in the expected event)')}`;
    }
  });
}

function eventLine(m: FieldMap, p: Palette): string {
  return p.value(m);
}

/** The lines for one test case: ☑/☐ title, then the reasons it failed. */
export function renderCase(tf: TestFile, r: CaseResult, p: Palette, previousError?: string): string[] {
  const lines: string[] = [];
  const title = caseTitle(tf, r);
  if (r.passed) {
    lines.push(`${p.pass(PASS)} ${title}: ${r.actualCount} event${r.actualCount === 1 ? '' : 's'} as expected`);
    return lines;
  }
  if (r.error !== undefined) {
    lines.push(`${p.fail(FAIL)} ${title}: could not run`);
    const text = r.error === previousError ? '(the same error as the previous test case)' : r.error;
    for (const l of text.split('\n')) lines.push(`    ${l}`);
  } else {
    const countNote = r.expectedCount === r.actualCount ? '' : ` — expected ${r.expectedCount} event${r.expectedCount === 1 ? '' : 's'}, got ${r.actualCount}`;
    lines.push(`${p.fail(FAIL)} ${title}${countNote}`);
    for (const e of r.events) {
      if (e.expected && e.actual) {
        if (e.differences.length === 0) continue;
        lines.push(`    event #${e.index}: ${e.differences.length === 1 ? '1 field differs' : `${e.differences.length} fields differ`}`);
        lines.push(...differenceLines(e.differences, p));
      } else if (e.expected) {
        lines.push(`    event #${e.index}: ${p.expected('expected but not produced')}: ${eventLine(withoutIgnored(e.expected, tf.ignore), p)}`);
      } else if (e.actual) {
        lines.push(`    event #${e.index}: ${p.actual('produced but not expected')}: ${eventLine(withoutIgnored(e.actual, tf.ignore), p)}`);
      }
    }
  }
  if (r.log.length > 0) {
    lines.push(`    pipeline log (${r.log.length} line${r.log.length === 1 ? '' : 's'}):`);
    for (const l of r.log.slice(0, 20)) lines.push(`      ${p.dim(l)}`);
    if (r.log.length > 20) lines.push(`      ${p.dim(`… ${r.log.length - 20} more`)}`);
  }
  return lines;
}

/** The config text of an arm from its keyword to the `{` of its body (one-line configs included). */
function sourceLine(file: string, line: number, column: number, cache: Map<string, string[] | null>): string | undefined {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      cache.set(file, null);
    }
  }
  const text = cache.get(file)?.[line - 1]?.slice(column - 1).trim().replace(/^\}\s*/, '').replace(/\s+\{(?:\s.*)?$/, '');
  if (text === undefined) return undefined;
  return text.length > 90 ? text.slice(0, 89) + '…' : text;
}

/** The branch coverage section: a count, then every arm no test case reached, by file:line. */
export function renderCoverage(coverage: BranchCoverage[], p: Palette): string[] {
  if (coverage.length === 0) return ['Branch coverage: the pipeline has no conditionals in its filter or output sections'];
  const reached = coverage.filter((c) => c.hits > 0).length;
  const pct = Math.floor((reached * 100) / coverage.length);
  const lines = [`Branch coverage: ${reached}/${coverage.length} branches reached (${pct}%)`];
  const files = new Map<string, string[] | null>();
  for (const { arm, hits } of coverage) {
    if (hits > 0) continue;
    const at = `${arm.loc.file}:${arm.loc.line}`;
    const text = sourceLine(arm.loc.file, arm.loc.line, arm.loc.column, files);
    const what = arm.kind === 'implicit else' ? `no clause true (implicit else) of: ${text ?? 'if'}` : (text ?? arm.kind);
    lines.push(`  ${p.fail('not reached')}: ${at} ${arm.section} ${what}`);
  }
  return lines;
}

export function renderSummary(report: VerifyReport, p: Palette, ms: number): string {
  const total = report.casesPassed + report.casesFailed;
  const badFiles = report.files.filter((f) => f.error !== undefined).length;
  const ok = report.casesFailed === 0 && badFiles === 0 && total > 0;
  const mark = ok ? p.pass(PASS) : p.fail(FAIL);
  const files = report.files.length - badFiles;
  const fileNote = badFiles > 0 ? `, ${badFiles} unusable test file${badFiles === 1 ? '' : 's'}` : '';
  return (
    `Summary: ${mark} ${report.casesPassed}/${total} test cases passed in ${files} file${files === 1 ? '' : 's'}${fileNote}` +
    ` (${report.eventsCompared} event${report.eventsCompared === 1 ? '' : 's'} compared, ${ms} ms)`
  );
}
