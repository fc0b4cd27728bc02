// The graphite codec's options (logstash-codec-graphite 3.0).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { arr, bool, hash, str } from '../../schemas/dsl.ts';

export const graphiteSchema = defineCodec('graphite', 'Graphite carbon format', {
  exclude_metrics: arr(['%{[^}]+}']),
  fields_are_metrics: bool(false),
  include_metrics: arr(['.*']),
  metrics: hash({}),
  metrics_format: str('*'),
});

export type GraphiteCodecOptions = OptionsFor<typeof graphiteSchema>;
