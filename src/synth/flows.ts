// The traffic model behind every profile: flows with 5-tuples, sizes and times, drawn from a seeded PRNG.
import type { Prng } from './prng.ts';
import { drawAddress, type ServerNet } from './server-net.ts';

export interface SyntheticFlow {
  /** 0-based, in order of flow end. */
  index: number;
  exporter: number;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  protocol: number;
  tcpFlags: number;
  tos: number;
  /** ICMP type << 8 | code (ports are 0 then). */
  icmpTypeCode: number;
  packets: number;
  octets: number;
  /** Microseconds since the Unix epoch. */
  startUs: number;
  endUs: number;
  inputIf: number;
  outputIf: number;
  /** True for the server → client half of a client/server exchange. */
  reply: boolean;
}

const SERVICES: readonly (readonly [{ protocol: number; port: number }, number])[] = [
  [{ protocol: 6, port: 443 }, 40],
  [{ protocol: 6, port: 80 }, 15],
  [{ protocol: 17, port: 53 }, 15],
  [{ protocol: 6, port: 22 }, 4],
  [{ protocol: 17, port: 123 }, 4],
  [{ protocol: 6, port: 25 }, 3],
  [{ protocol: 17, port: 443 }, 8],
  [{ protocol: 6, port: 3306 }, 3],
  [{ protocol: 1, port: 0 }, 4],
];

export interface FlowModelOptions {
  exporters: number;
  ipv6Flows: boolean;
  /** Interfaces per exporter (ifIndex 1…n). */
  interfaces: number;
  /** Networks servers are drawn from, per family (the documentation ranges when none of a family is given). */
  serverNets?: readonly ServerNet[];
}

/** Draws client/server flows; every other flow is the reply of the previous one when `pairs`. */
export class FlowModel {
  constructor(
    private readonly rng: Prng,
    private readonly opts: FlowModelOptions,
  ) {}

  private clientAddress(v6: boolean): string {
    const r = this.rng;
    return v6 ? `2001:db8:${r.int(1, 0xff).toString(16)}::${r.int(1, 0xffff).toString(16)}` : `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }

  private serverAddress(v6: boolean): string {
    const r = this.rng;
    const nets = this.opts.serverNets?.filter((n) => n.family === (v6 ? 6 : 4)) ?? [];
    if (nets.length > 0) return drawAddress(r, nets.length === 1 ? nets[0]! : r.pick(nets));
    return v6 ? `2001:db8:ffff::${r.int(1, 0x40).toString(16)}` : r.bool(0.5) ? `198.51.100.${r.int(1, 254)}` : `203.0.113.${r.int(1, 254)}`;
  }

  /** A client → server flow ending at endUs. */
  request(index: number, exporter: number, endUs: number): SyntheticFlow {
    const r = this.rng;
    const service = r.weighted(SERVICES);
    const v6 = this.opts.ipv6Flows && r.bool(0.3);
    const icmp = service.protocol === 1;
    const protocol = icmp && v6 ? 58 : service.protocol;
    const packets = Math.max(1, Math.round(r.exponential(protocol === 6 ? 12 : 2)));
    const avg = protocol === 6 ? r.int(52, 900) : r.int(60, 512);
    const durationUs = Math.round(r.exponential(protocol === 6 ? 4e6 : 2e5));
    return {
      index,
      exporter,
      ipVersion: v6 ? 6 : 4,
      src: this.clientAddress(v6),
      dst: this.serverAddress(v6),
      srcPort: icmp ? 0 : r.int(32768, 60999),
      dstPort: service.port,
      protocol,
      tcpFlags: protocol === 6 ? r.pick([0x02, 0x12, 0x18, 0x1a, 0x1b, 0x19, 0x10]) : 0,
      tos: r.weighted([[0, 90], [0x28, 5], [0xb8, 5]]),
      icmpTypeCode: icmp ? (v6 ? r.pick([0x8000, 0x8100]) : r.pick([0x0800, 0x0000, 0x0303])) : 0,
      packets,
      octets: packets * avg,
      startUs: Math.max(0, endUs - durationUs),
      endUs,
      inputIf: r.int(1, this.opts.interfaces),
      outputIf: r.int(1, this.opts.interfaces),
      reply: false,
    };
  }

  /** The server → client flow answering `req`, ending a little later. */
  reply(req: SyntheticFlow, index: number): SyntheticFlow {
    const r = this.rng;
    const packets = Math.max(1, Math.round(req.packets * (0.6 + r.float())));
    return {
      ...req,
      index,
      src: req.dst,
      dst: req.src,
      srcPort: req.dstPort,
      dstPort: req.srcPort,
      packets,
      octets: packets * r.int(60, 1460),
      tcpFlags: req.protocol === 6 ? r.pick([0x12, 0x18, 0x19, 0x1b, 0x10]) : 0,
      icmpTypeCode: req.icmpTypeCode === 0x0800 ? 0 : req.icmpTypeCode === 0x8000 ? 0x8100 : req.icmpTypeCode,
      startUs: req.startUs + r.int(100, 5000),
      endUs: req.endUs + r.int(100, 5000),
      inputIf: req.outputIf,
      outputIf: req.inputIf,
      reply: true,
    };
  }
}
