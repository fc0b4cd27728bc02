// The plugins flowstash runs: one line each, schema + lazy implementation. Adding a plugin = its folder
// (schema.ts, implementation, tests) + one line here. Plugins Logstash has but flowstash only validates
// keep their schemas in ./schemas (moving one here makes it run). `-t` and `fmt` load only the schemas.
import { plugin, type CatalogEntry } from './define.ts';
import { stdinSchema } from './inputs/stdin/schema.ts';
import { generatorSchema } from './inputs/generator/schema.ts';
import { udpSchema } from './inputs/udp/schema.ts';
import { tcpSchema } from './inputs/tcp/schema.ts';
import { syslogSchema } from './inputs/syslog/schema.ts';
import { pipelineInputSchema } from './inputs/pipeline/schema.ts';
import { pipelineOutputSchema } from './outputs/pipeline/schema.ts';
import { tcpOutputSchema } from './outputs/tcp/schema.ts';
import { udpOutputSchema } from './outputs/udp/schema.ts';
import { httpOutputSchema } from './outputs/http/schema.ts';
import { redisOutputSchema } from './outputs/redis/schema.ts';
import { redisInputSchema } from './inputs/redis/schema.ts';
import { httpInputSchema } from './inputs/http/schema.ts';
import { pcapSchema } from './inputs/pcap/schema.ts';
import { relpSchema } from './inputs/relp/schema.ts';
import { beatsSchema } from './inputs/beats/schema.ts';
import { fileInputSchema } from './inputs/file/schema.ts';
import { snmptrapSchema } from './inputs/snmptrap/schema.ts';
import { deadLetterQueueInputSchema } from './inputs/dead_letter_queue/schema.ts';
import { mutateSchema } from './filters/mutate/schema.ts';
import { grokSchema } from './filters/grok/schema.ts';
import { dateSchema } from './filters/date/schema.ts';
import { dropSchema } from './filters/drop/schema.ts';
import { rubySchema } from './filters/ruby/schema.ts';
import { jsonSchema as jsonFilterSchema } from './filters/json/schema.ts';
import { kvSchema } from './filters/kv/schema.ts';
import { csvSchema } from './filters/csv/schema.ts';
import { dissectSchema } from './filters/dissect/schema.ts';
import { cloneSchema } from './filters/clone/schema.ts';
import { splitSchema } from './filters/split/schema.ts';
import { syslogPriSchema } from './filters/syslog_pri/schema.ts';
import { fingerprintSchema } from './filters/fingerprint/schema.ts';
import { pruneSchema } from './filters/prune/schema.ts';
import { urldecodeSchema } from './filters/urldecode/schema.ts';
import { deDotSchema } from './filters/de_dot/schema.ts';
import { truncateSchema } from './filters/truncate/schema.ts';
import { uuidSchema } from './filters/uuid/schema.ts';
import { bytesSchema } from './filters/bytes/schema.ts';
import { throttleSchema } from './filters/throttle/schema.ts';
import { elapsedSchema } from './filters/elapsed/schema.ts';
import { aggregateSchema } from './filters/aggregate/schema.ts';
import { translateSchema } from './filters/translate/schema.ts';
import { cidrSchema } from './filters/cidr/schema.ts';
import { geoipSchema } from './filters/geoip/schema.ts';
import { dnsSchema } from './filters/dns/schema.ts';
import { useragentSchema } from './filters/useragent/schema.ts';
import { stdoutSchema } from './outputs/stdout/schema.ts';
import { fileSchema } from './outputs/file/schema.ts';
import { nullSchema } from './outputs/null/schema.ts';
import { elasticsearchSchema } from './outputs/elasticsearch/schema.ts';
import { rubydebugSchema } from './codecs/rubydebug/schema.ts';
import { jsonSchema } from './codecs/json/schema.ts';
import { jsonLinesSchema } from './codecs/json_lines/schema.ts';
import { lineSchema } from './codecs/line/schema.ts';
import { plainSchema } from './codecs/plain/schema.ts';
import { dotsSchema } from './codecs/dots/schema.ts';
import { netflowSchema } from './codecs/netflow/schema.ts';
import { ednSchema } from './codecs/edn/schema.ts';
import { ednLinesSchema } from './codecs/edn_lines/schema.ts';
import { graphiteSchema } from './codecs/graphite/schema.ts';
import { multilineSchema } from './codecs/multiline/schema.ts';
import { sflowSchema } from './codecs/sflow/schema.ts';

export const CATALOG: readonly CatalogEntry[] = [
  // inputs
  plugin(stdinSchema, () => import('./inputs/stdin/stdin.ts')),
  plugin(generatorSchema, () => import('./inputs/generator/generator.ts')),
  plugin(udpSchema, () => import('./inputs/udp/udp.ts')),
  plugin(tcpSchema, () => import('./inputs/tcp/tcp.ts')),
  plugin(syslogSchema, () => import('./inputs/syslog/syslog.ts')),
  plugin(pipelineInputSchema, () => import('./inputs/pipeline/pipeline.ts')),
  plugin(redisInputSchema, () => import('./inputs/redis/redis.ts')),
  plugin(httpInputSchema, () => import('./inputs/http/http.ts')),
  plugin(pcapSchema, () => import('./inputs/pcap/pcap.ts')),
  plugin(relpSchema, () => import('./inputs/relp/relp.ts')),
  plugin(beatsSchema, () => import('./inputs/beats/beats.ts')),
  plugin(fileInputSchema, () => import('./inputs/file/file.ts')),
  plugin(snmptrapSchema, () => import('./inputs/snmptrap/snmptrap.ts'), { checks: true }),
  plugin(deadLetterQueueInputSchema, () => import('./inputs/dead_letter_queue/dead_letter_queue.ts')),
  // filters
  plugin(mutateSchema, () => import('./filters/mutate/mutate.ts'), { checks: true }),
  plugin(grokSchema, () => import('./filters/grok/grok.ts'), { checks: true }),
  plugin(dateSchema, () => import('./filters/date/date.ts')),
  plugin(dropSchema, () => import('./filters/drop/drop.ts')),
  plugin(rubySchema, () => import('./filters/ruby/ruby.ts'), { checks: true }),
  plugin(jsonFilterSchema, () => import('./filters/json/json.ts')),
  plugin(kvSchema, () => import('./filters/kv/kv.ts')),
  plugin(csvSchema, () => import('./filters/csv/csv.ts')),
  plugin(dissectSchema, () => import('./filters/dissect/dissect.ts')),
  plugin(cloneSchema, () => import('./filters/clone/clone.ts')),
  plugin(splitSchema, () => import('./filters/split/split.ts')),
  plugin(syslogPriSchema, () => import('./filters/syslog_pri/syslog_pri.ts')),
  plugin(fingerprintSchema, () => import('./filters/fingerprint/fingerprint.ts')),
  plugin(pruneSchema, () => import('./filters/prune/prune.ts')),
  plugin(urldecodeSchema, () => import('./filters/urldecode/urldecode.ts')),
  plugin(deDotSchema, () => import('./filters/de_dot/de_dot.ts')),
  plugin(truncateSchema, () => import('./filters/truncate/truncate.ts')),
  plugin(uuidSchema, () => import('./filters/uuid/uuid.ts')),
  plugin(bytesSchema, () => import('./filters/bytes/bytes.ts')),
  plugin(throttleSchema, () => import('./filters/throttle/throttle.ts')),
  plugin(elapsedSchema, () => import('./filters/elapsed/elapsed.ts')),
  plugin(aggregateSchema, () => import('./filters/aggregate/aggregate.ts')),
  plugin(translateSchema, () => import('./filters/translate/translate.ts'), { checks: true }),
  plugin(cidrSchema, () => import('./filters/cidr/cidr.ts'), { checks: true }),
  plugin(geoipSchema, () => import('./filters/geoip/geoip.ts'), { checks: true }),
  plugin(dnsSchema, () => import('./filters/dns/dns.ts'), { checks: true }),
  plugin(useragentSchema, () => import('./filters/useragent/useragent.ts'), { checks: true }),
  // outputs
  plugin(stdoutSchema, () => import('./outputs/stdout/stdout.ts')),
  plugin(fileSchema, () => import('./outputs/file/file.ts')),
  plugin(nullSchema, () => import('./outputs/null/null.ts')),
  plugin(elasticsearchSchema, () => import('./outputs/elasticsearch/elasticsearch.ts'), { checks: true }),
  plugin(pipelineOutputSchema, () => import('./outputs/pipeline/pipeline.ts')),
  plugin(tcpOutputSchema, () => import('./outputs/tcp/tcp.ts')),
  plugin(udpOutputSchema, () => import('./outputs/udp/udp.ts')),
  plugin(httpOutputSchema, () => import('./outputs/http/http.ts')),
  plugin(redisOutputSchema, () => import('./outputs/redis/redis.ts')),
  // codecs
  plugin(rubydebugSchema, () => import('./codecs/rubydebug/rubydebug.ts')),
  plugin(jsonSchema, () => import('./codecs/json/json.ts')),
  plugin(jsonLinesSchema, () => import('./codecs/json_lines/json_lines.ts')),
  plugin(lineSchema, () => import('./codecs/line/line.ts')),
  plugin(plainSchema, () => import('./codecs/plain/plain.ts')),
  plugin(dotsSchema, () => import('./codecs/dots/dots.ts')),
  plugin(netflowSchema, () => import('./codecs/netflow/codec.ts')),
  plugin(sflowSchema, () => import('./codecs/sflow/sflow.ts')),
  plugin(ednSchema, () => import('./codecs/edn/edn.ts')),
  plugin(ednLinesSchema, () => import('./codecs/edn_lines/edn_lines.ts')),
  plugin(graphiteSchema, () => import('./codecs/graphite/graphite.ts')),
  plugin(multilineSchema, () => import('./codecs/multiline/multiline.ts')),
];
