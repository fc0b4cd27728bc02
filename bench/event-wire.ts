// Cost of moving event batches to worker threads: event-wire encode/decode vs v8.serialize/deserialize
// (what postMessage's structured clone does; it would also turn Float and Timestamp into plain objects).
//   npx tsx bench/event-wire.ts [--seconds N] [--batch N]
// Events: a real IPFIX capture decoded by the netflow codec when ../shared is present, else synthetic
// events of the same shape (@timestamp, @version, host, type, ipfix{~25 fields}, tags).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Event } from '../src/event/event.ts';
import { Timestamp } from '../src/event/timestamp.ts';
import { loadNetflowDatagrams } from '../src/plugins/codecs/netflow/bench.ts';
import { NetflowCodec } from '../src/plugins/codecs/netflow/codec.ts';
import { decodeEvents, encodeEvents } from '../src/pipeline/threads/event-wire.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAPTURE = path.resolve(ROOT, '../shared/corpus/captures/generated_softflowd-v10-big.pcap');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('--seconds', 2);
const BATCH = arg('--batch', 125);

async function captureEvents(): Promise<Event[] | undefined> {
  if (!existsSync(CAPTURE)) return undefined;
  const events: Event[] = [];
  const codec = new NetflowCodec({}, () => {});
  for (const d of await loadNetflowDatagrams(CAPTURE)) {
    codec.decode(d.payload, { host: d.host, port: d.port }, (e) => {
      e.set('type', 'ipfix');
      e.set('tags', ['netflow']);
      events.push(e);
    });
  }
  return events.length > 0 ? events : undefined;
}

function syntheticEvents(n: number): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < n; i++) {
    events.push(
      new Event({
        '@timestamp': new Timestamp(1_700_000_000 + (i >> 6), (i * 1_000_003) % 1e9),
        '@version': '1',
        host: '172.16.0.1',
        type: 'ipfix',
        ipfix: {
          version: 10,
          exporterIPv4Address: '172.16.0.1',
          sourceIPv4Address: `192.168.${i % 256}.${(i * 7) % 256}`,
          destinationIPv4Address: `10.${i % 7}.${i % 13}.${i % 251}`,
          postNATSourceIPv4Address: '203.0.113.7',
          sourceTransportPort: 1024 + (i % 60000),
          destinationTransportPort: 443,
          protocolIdentifier: 6,
          tcpControlBits: 27,
          ipClassOfService: 0,
          ingressInterface: 3,
          egressInterface: 7,
          octetDeltaCount: 1500 * (i % 1000),
          packetDeltaCount: i % 1000,
          flowStartMilliseconds: '2023-11-14T22:13:20.123Z',
          flowEndMilliseconds: '2023-11-14T22:13:21.456Z',
          flowEndReason: 2,
          bgpSourceAsNumber: 64512,
          bgpDestinationAsNumber: 15169,
          sourceIPv4PrefixLength: 24,
          destinationIPv4PrefixLength: 16,
          ipNextHopIPv4Address: '172.16.0.254',
          vlanId: 100,
          flowDirection: 0,
          applicationName: 'https',
          observationDomainId: 0,
        },
        tags: ['netflow'],
      }),
    );
  }
  return events;
}

interface Side {
  name: string;
  encode: (batch: Event[]) => Uint8Array;
  decode: (bytes: Uint8Array) => unknown;
}

const sides: Side[] = [
  { name: 'event-wire', encode: encodeEvents, decode: decodeEvents },
  {
    name: 'v8.serialize',
    encode: (batch) => v8.serialize(batch.map((e) => ({ data: e.data, metadata: e.metadata, cancelled: e.cancelled }))),
    decode: (bytes) => v8.deserialize(bytes),
  },
];

/** CPU microseconds per event for one step over all batches, repeated for about `seconds`. */
function measure(step: () => number, seconds: number): { cpuUs: number; wallUs: number } {
  step();
  let events = 0;
  const wall0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  do events += step();
  while (Number(process.hrtime.bigint() - wall0) < seconds * 1e9);
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - wall0) / 1e3;
  return { cpuUs: (cpu.user + cpu.system) / events, wallUs: wall / events };
}

function run(label: string, all: Event[]): void {
  const batches: Event[][] = [];
  for (let i = 0; i + BATCH <= all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  const perPass = batches.length * BATCH;
  let nested = 0;
  for (const e of all) nested += Object.keys((e.data.netflow ?? e.data.ipfix ?? {}) as object).length;
  console.log(`\n${label}: ${batches.length} batches of ${BATCH}; mean fields in the flow map: ${(nested / all.length).toFixed(1)}`);
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Alternate the sides so drift in the shared machine's load hits both.
  const results = new Map<string, { enc: number[]; dec: number[]; wEnc: number[]; wDec: number[]; bytes: number }>();
  for (let round = 0; round < 3; round++) {
    for (const side of sides) {
      let encoded = batches.map((b) => side.encode(b));
      const bytes = encoded.reduce((n, b) => n + b.byteLength, 0) / perPass;
      const enc = measure(() => {
        encoded = batches.map((b) => side.encode(b));
        return perPass;
      }, SECONDS / 3);
      const dec = measure(() => {
        for (const b of encoded) side.decode(b);
        return perPass;
      }, SECONDS / 3);
      const r = results.get(side.name) ?? { enc: [], dec: [], wEnc: [], wDec: [], bytes };
      r.enc.push(enc.cpuUs);
      r.dec.push(dec.cpuUs);
      r.wEnc.push(enc.wallUs);
      r.wDec.push(dec.wallUs);
      results.set(side.name, r);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, r] of results) {
    console.log(
      `${name.padEnd(13)} encode ${median(r.enc).toFixed(2).padStart(6)} µs/event CPU (${median(r.wEnc).toFixed(2)} wall)  ` +
        `decode ${median(r.dec).toFixed(2).padStart(6)} µs/event CPU (${median(r.wDec).toFixed(2)} wall)  ${r.bytes.toFixed(0)} bytes/event`,
    );
  }
  const wire = results.get('event-wire')!;
  const peer = results.get('v8.serialize')!;
  console.log(
    `event-wire vs v8 (CPU, same run): encode ×${(median(peer.enc) / median(wire.enc)).toFixed(2)}, decode ×${(median(peer.dec) / median(wire.dec)).toFixed(2)} ` +
      `(v8's decode yields plain objects: Float and Timestamp lose their classes, Event is not rebuilt)`,
  );
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const fromCapture = await captureEvents();
if (fromCapture) run(`${path.basename(CAPTURE)} via the netflow codec`, fromCapture);
else console.log(`(${CAPTURE} absent: capture events skipped)`);
run('synthetic IPFIX-shaped events', syntheticEvents(10_000));
