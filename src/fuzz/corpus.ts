// Loads the datagrams of the input captures and draws base sequences from them: a window of one
// exporter's consecutive datagrams, preceded by that exporter's latest template-carrying datagrams.
import { readUdpDatagrams } from '../replay/datagram-source.ts';
import type { Prng } from '../synth/prng.ts';
import { isTemplateSet, viewDatagram } from './structure.ts';
import type { FuzzDatagram } from './types.ts';

export interface ExporterStream {
  file: string;
  host: string;
  datagrams: FuzzDatagram[];
  /** Indexes of datagrams that carry (options) templates. */
  templateIndexes: number[];
}

export interface FuzzCorpus {
  streams: ExporterStream[];
  all: FuzzDatagram[];
  files: { path: string; datagrams: number; problems: string[] }[];
}

function carriesTemplates(p: Buffer): boolean {
  const v = viewDatagram(p);
  return v.sets.some((s) => isTemplateSet(v.version, s.id));
}

export async function loadCorpus(paths: string[]): Promise<FuzzCorpus> {
  const corpus: FuzzCorpus = { streams: [], all: [], files: [] };
  for (const path of paths) {
    const byHost = new Map<string, ExporterStream>();
    const problems: string[] = [];
    let count = 0;
    const source = readUdpDatagrams(path);
    try {
      for await (const d of source) {
        const key = `${d.src}|${d.srcPort}`;
        let s = byHost.get(key);
        if (!s) {
          s = { file: path, host: d.src, datagrams: [], templateIndexes: [] };
          byHost.set(key, s);
        }
        const fd: FuzzDatagram = { payload: d.payload, host: d.src, port: d.srcPort };
        if (carriesTemplates(d.payload)) s.templateIndexes.push(s.datagrams.length);
        s.datagrams.push(fd);
        corpus.all.push(fd);
        count++;
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
    corpus.files.push({ path, datagrams: count, problems });
    corpus.streams.push(...byHost.values());
  }
  return corpus;
}

/** A base sequence: up to 3 template datagrams of the exporter, then 1–6 consecutive datagrams. */
export function drawSequence(corpus: FuzzCorpus, rng: Prng): FuzzDatagram[] {
  const s = rng.pick(corpus.streams);
  const start = rng.int(0, s.datagrams.length - 1);
  const len = rng.int(1, Math.min(6, s.datagrams.length - start));
  const templates = s.templateIndexes.filter((i) => i < start).slice(-3);
  return [...templates.map((i) => s.datagrams[i]!), ...s.datagrams.slice(start, start + len)];
}
