// The plugins flowstash actually runs. Engineers building a runtime plugin (inputs, filters,
// outputs, codecs) append its factory here; the registry joins this list with the schemas in
// ./schemas, and `-t` reports every plugin used that has a schema but no entry here as
// "validated, not emulated".
import type { PluginImplementation } from './types.ts';
import { createStdinInput } from '../inputs/stdin.ts';
import { createGeneratorInput } from '../inputs/generator.ts';
import { createMutateFilter } from '../filters/mutate.ts';
import { createDateFilter } from '../filters/date.ts';
import { createDropFilter } from '../filters/drop.ts';
import { createStdoutOutput } from '../outputs/stdout.ts';
import { createFileOutput } from '../outputs/file.ts';
import { createNullOutput } from '../outputs/null.ts';
import { createRubydebugCodec } from '../codec/rubydebug.ts';
import { createJsonCodec } from '../codec/json.ts';
import { createJsonLinesCodec } from '../codec/json_lines.ts';
import { createLineCodec } from '../codec/line.ts';
import { createPlainCodec } from '../codec/plain.ts';
import { createDotsCodec } from '../codec/dots.ts';
import { createNetflowCodec } from '../codec/netflow/codec.ts';
import { createUdpInput } from '../inputs/udp.ts';
import { createPcapInput } from '../inputs/pcap.ts';

export const IMPLEMENTATIONS: PluginImplementation[] = [
  { kind: 'input', name: 'stdin', create: createStdinInput },
  { kind: 'input', name: 'generator', create: createGeneratorInput },
  { kind: 'filter', name: 'mutate', create: createMutateFilter },
  { kind: 'filter', name: 'date', create: createDateFilter },
  { kind: 'filter', name: 'drop', create: createDropFilter },
  { kind: 'output', name: 'stdout', create: createStdoutOutput },
  { kind: 'output', name: 'file', create: createFileOutput },
  { kind: 'output', name: 'null', create: createNullOutput },
  { kind: 'codec', name: 'rubydebug', create: createRubydebugCodec },
  { kind: 'codec', name: 'json', create: createJsonCodec },
  { kind: 'codec', name: 'json_lines', create: createJsonLinesCodec },
  { kind: 'codec', name: 'line', create: createLineCodec },
  { kind: 'codec', name: 'plain', create: createPlainCodec },
  { kind: 'codec', name: 'dots', create: createDotsCodec },
  { kind: 'codec', name: 'netflow', create: createNetflowCodec },
  { kind: 'input', name: 'udp', create: createUdpInput },
  { kind: 'input', name: 'pcap', create: createPcapInput },
];
