// The edn_lines codec's options (logstash-codec-edn_lines 3.1).
import { defineCodec, type OptionsFor } from '../../define.ts';
import { fieldRef } from '../../schemas/dsl.ts';

export const ednLinesSchema = defineCodec('edn_lines', 'Newline-delimited EDN', { target: fieldRef() });

export type EdnLinesCodecOptions = OptionsFor<typeof ednLinesSchema>;
