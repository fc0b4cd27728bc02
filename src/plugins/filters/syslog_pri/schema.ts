// The syslog_pri filter's options (logstash-filter-syslog_pri 3.2: lib/logstash/filters/syslog_pri.rb).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, str } from '../../schemas/dsl.ts';

export const FACILITY_LABELS = [
  'kernel', 'user-level', 'mail', 'daemon', 'security/authorization', 'syslogd', 'line printer', 'network news', 'uucp', 'clock',
  'security/authorization', 'ftp', 'ntp', 'log audit', 'log alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4',
  'local5', 'local6', 'local7',
];
export const SEVERITY_LABELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

export const syslogPriSchema = defineFilter('syslog_pri', 'Parse the PRI field of syslog messages', {
  syslog_pri_field_name: str(),
  use_labels: bool(true),
  facility_labels: arr(FACILITY_LABELS),
  severity_labels: arr(SEVERITY_LABELS),
});

export type SyslogPriFilterOptions = OptionsFor<typeof syslogPriSchema>;
