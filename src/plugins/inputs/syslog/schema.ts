// The syslog input's options (logstash-input-syslog 3.7).
import { defineInput, type OptionsFor } from '../../define.ts';
import { arr, bool, num, str } from '../../schemas/dsl.ts';

export const FACILITY_LABELS = ['kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer', 'network news', 'UUCP', 'clock', 'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
export const SEVERITY_LABELS = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

export const syslogSchema = defineInput('syslog', 'Read RFC3164 syslog messages over TCP and UDP (one port, both protocols)', {
  host: str('0.0.0.0'),
  port: num(514),
  proxy_protocol: bool(false),
  use_labels: bool(true),
  facility_labels: arr(FACILITY_LABELS),
  severity_labels: arr(SEVERITY_LABELS),
  timezone: str(),
  locale: str(),
  // The default depends on ecs_compatibility (see syslog-line.ts); set, it needs the grok filter.
  grok_pattern: str(),
  syslog_field: str('message'),
  service_type: str('system'),
});

export type SyslogInputOptions = OptionsFor<typeof syslogSchema>;
