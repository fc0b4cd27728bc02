// The verify report as JUnit XML (what CI systems display): one testsuite per test file, one
// testcase per test case; a mismatch is a <failure> carrying the same field-by-field diff the
// console shows, a case that could not run an <error>, an unusable test file an <error> of its own.
import path from 'node:path';
import { palette, renderCase } from './render.ts';
import type { VerifyReport } from './runner.ts';

function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function junitReport(report: VerifyReport): string {
  const plain = palette(false);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const cases = report.files.flatMap((f) => f.cases);
  const fileErrors = report.files.filter((f) => f.error !== undefined).length;
  const failed = cases.filter((c) => !c.passed && c.error === undefined).length;
  const errored = cases.filter((c) => c.error !== undefined).length + fileErrors;
  out.push(`<testsuites name="flowstash verify" tests="${cases.length + fileErrors}" failures="${failed}" errors="${errored}">`);
  for (const f of report.files) {
    const name = xml(path.basename(f.file));
    if (f.error !== undefined) {
      out.push(`  <testsuite name="${name}" tests="1" failures="0" errors="1">`);
      out.push(`    <testcase classname="${name}" name="(test file)"><error message="${xml(f.error)}"/></testcase>`);
      out.push('  </testsuite>');
      continue;
    }
    const tf = f.testFile;
    const failures = f.cases.filter((c) => !c.passed && c.error === undefined).length;
    const errors = f.cases.filter((c) => c.error !== undefined).length;
    out.push(`  <testsuite name="${name}" tests="${f.cases.length}" failures="${failures}" errors="${errors}">`);
    for (const c of f.cases) {
      const caseName = xml(`#${c.testcase.index}${c.testcase.description ? ` ${c.testcase.description}` : ''}`);
      if (c.passed) {
        out.push(`    <testcase classname="${name}" name="${caseName}"/>`);
        continue;
      }
      const detail = tf ? renderCase(tf, c, plain).slice(1).join('\n') : (c.error ?? '');
      const tag = c.error !== undefined ? 'error' : 'failure';
      const differing = c.events.filter((e) => e.differences.length > 0 || !e.expected || !e.actual).length;
      const message = c.error ?? `expected ${c.expectedCount} events, got ${c.actualCount}; ${differing} of them differ`;
      out.push(`    <testcase classname="${name}" name="${caseName}"><${tag} message="${xml(message.split('\n')[0]!)}">${xml(detail)}</${tag}></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
