// The edn codec's options (logstash-codec-edn 3.1).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { fieldRef } from '../../schemas/dsl.ts';

export const ednSchema = defineCodec('edn', 'EDN documents', { target: fieldRef() });

export type EdnCodecOptions = OptionsFor<typeof ednSchema>;
