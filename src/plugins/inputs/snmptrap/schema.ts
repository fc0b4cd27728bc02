// The snmptrap input's options (logstash-integration-snmp 4.x: lib/logstash/inputs/snmptrap.rb and
// the options it shares with the snmp input, lib/logstash/plugin_mixins/snmp/common.rb, with the
// defaults common.rb gives the snmptrap plugin: ruby_snmp names, OID values mapped, no bundled MIBs).
import { defineInput, type OptionsFor } from '../../define.ts';
import { arr, bool, deprecated, fieldRef, num, oneOf, password, str } from '../../schemas/dsl.ts';

export const snmptrapSchema = defineInput('snmptrap', 'Receive SNMP traps (v1, v2c) over UDP or TCP', {
  host: str('0.0.0.0'),
  port: num(1062),
  // `:validate => %w[tcp udp], :list => true` (and %w[1 2c 3]): the allowed values are checked by
  // snmptrap.ts check(), since the option table's enum applies to single values only.
  supported_transports: arr(['udp']),
  supported_versions: arr(['1', '2c']),
  community: arr(['public']),
  yamlmibdir: deprecated(str(), 'Use `mib_paths` instead.'),
  threads: num(),
  use_provided_mibs: bool(false),
  mib_paths: arr(),
  oid_mapping_format: oneOf(['default', 'ruby_snmp', 'dotted_string'], 'ruby_snmp'),
  oid_map_field_values: bool(true),
  oid_root_skip: num(0),
  oid_path_length: num(0),
  target: fieldRef(),
  security_name: str(),
  auth_protocol: oneOf(['md5', 'sha', 'sha2', 'hmac128sha224', 'hmac192sha256', 'hmac256sha384', 'hmac384sha512']),
  auth_pass: password(),
  priv_protocol: oneOf(['des', '3des', 'aes', 'aes128', 'aes192', 'aes256']),
  priv_pass: password(),
  security_level: oneOf(['noAuthNoPriv', 'authNoPriv', 'authPriv']),
});

export const SUPPORTED_TRANSPORTS = ['tcp', 'udp'] as const;
export const SUPPORTED_VERSIONS = ['1', '2c', '3'] as const;

export type SnmptrapInputOptions = OptionsFor<typeof snmptrapSchema>;
