// Expected values from logstash-filter-syslog_pri's spec/filters/syslog_pri_spec.rb (ECS matrix
// disabled / v1 / v8 → v1) and syslog_pri.rb.
import { describe, expect, it } from 'vitest';
import { Event } from '../../../event/event.ts';
import type { FieldMap } from '../../../event/values.ts';
import { context, recorder, withDefaults } from '../../../../test/plugins/text-filters/kit.ts';
import { create } from './syslog_pri.ts';
import { syslogPriSchema, type SyslogPriFilterOptions } from './schema.ts';
import type { EcsCompatibility } from '../../types.ts';

function run(ecs: EcsCompatibility, data: FieldMap, options: Record<string, unknown> = {}, log = recorder()): Event {
  const e = new Event(data);
  create(withDefaults<SyslogPriFilterOptions>(syslogPriSchema, options), context(ecs, log)).filter(e);
  return e;
}

const NAMES = {
  disabled: { pri: 'syslog_pri', fc: 'syslog_facility_code', sc: 'syslog_severity_code', f: 'syslog_facility', s: 'syslog_severity' },
  ecs: { pri: '[log][syslog][priority]', fc: '[log][syslog][facility][code]', sc: '[log][syslog][severity][code]', f: '[log][syslog][facility][name]', s: '[log][syslog][severity][name]' },
};

describe('syslog_pri filter', () => {
  for (const ecs of ['disabled', 'v1', 'v8'] as const) {
    const n = ecs === 'disabled' ? NAMES.disabled : NAMES.ecs;
    const withPri = (pri: unknown): Event => {
      const e = new Event({});
      e.set(n.pri, pri as string);
      create(withDefaults<SyslogPriFilterOptions>(syslogPriSchema, {}), context(ecs)).filter(e);
      return e;
    };
    it(`${ecs}: a missing priority defaults to 13 (user-level / notice)`, () => {
      const e = run(ecs, { name: 'foo' }, { syslog_pri_field_name: 'my_syslog_pri' });
      expect([e.get(n.fc), e.get(n.sc), e.get(n.f), e.get(n.s)]).toEqual([1, 5, 'user-level', 'notice']);
    });
    it(`${ecs}: 34 critical security/authorization, 165 notice local4, 191 debug local7, "137" alert local1 (17)`, () => {
      expect([withPri(34).get(n.s), withPri(34).get(n.f)]).toEqual(['critical', 'security/authorization']);
      expect([withPri(165).get(n.s), withPri(165).get(n.f)]).toEqual(['notice', 'local4']);
      expect([withPri(191).get(n.s), withPri(191).get(n.f)]).toEqual(['debug', 'local7']);
      const a = withPri('137');
      expect([a.get(n.s), a.get(n.f), a.get(n.fc), a.get(n.sc)]).toEqual(['alert', 'local1', 17, 1]);
    });
  }
  it('use_labels false writes codes only; custom labels; an array takes its first element', () => {
    const e = run('disabled', { syslog_pri: ['34', '1'] }, { use_labels: false });
    expect([e.get('syslog_facility_code'), e.get('syslog_severity_code'), e.includes('syslog_facility')]).toEqual([4, 2, false]);
    const k = run('disabled', { syslog_pri: 9 }, { facility_labels: ['kernel'], add_tag: ['pri'] });
    expect([k.includes('syslog_facility'), k.get('syslog_severity'), k.get('tags')]).toEqual([false, 'alert', ['pri']]);
  });
  it('Ruby to_i and Array#[]: "<13>x" → 0, negative priorities index labels from the end', () => {
    expect(run('disabled', { syslog_pri: '<13>x' }).get('syslog_facility_code')).toBe(0);
    const neg = run('disabled', { syslog_pri: '-1' });
    expect([neg.get('syslog_severity_code'), neg.get('syslog_facility_code'), neg.get('syslog_facility'), neg.get('syslog_severity')]).toEqual([7, -1, 'local7', 'debug']);
  });
});
