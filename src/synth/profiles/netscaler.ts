// Citrix NetScaler AppFlow over IPFIX, modelled on the NetScaler 11 templates: PEN 5951 elements,
// variable-length HTTP request fields, connection chain ids, flowStart/EndMicroseconds.
import {
  ipfixField,
  IpfixExporterSession,
  NTP_UNIX_OFFSET,
  type FieldInput,
  type IpfixSet,
  type NtpTime,
  type Template,
} from '../../flow/netflow/encode/index.ts';
import type { SyntheticFlow } from '../flows.ts';
import { packIpfix, exportBatch, type PendingRecord } from '../packing.ts';
import type { ExportBatch, ExporterContext, SynthProfile } from '../types.ts';

const f = ipfixField;
const VAR = 65535;

const COMMON_HEAD = [
  f('observationPointId', 4), f('exportingProcessId', 4), f('flowId', 8), f('netscalerTransactionId', 4),
  f('netscalerConnectionId', 4), f('ipVersion', 1), f('protocolIdentifier', 1), f('paddingOctets', 2),
];
const V4_ADDRS = [f('sourceIPv4Address'), f('destinationIPv4Address')];
const V6_ADDRS = [f('sourceIPv6Address'), f('destinationIPv6Address')];
const COUNTERS = [
  f('sourceTransportPort'), f('destinationTransportPort'), f('packetDeltaCount', 8), f('octetDeltaCount', 8),
  f('tcpControlBits', 1), f('netscalerFlowFlags', 8), f('flowStartMicroseconds'), f('flowEndMicroseconds'),
];
const CHAIN = [f('netscalerConnectionChainID', 16), f('netscalerConnectionChainHopCount', 1)];
const HTTP_VARLEN = [
  'netscalerAaaUsername', 'netscalerHttpReqUrl', 'netscalerHttpReqCookie', 'netscalerHttpReqReferer', 'netscalerHttpReqMethod',
  'netscalerHttpReqHost', 'netscalerHttpReqUserAgent', 'netscalerHttpContentType', 'netscalerHttpReqAuthorization',
  'netscalerHttpReqVia', 'netscalerHttpReqXForwardedFor', 'netscalerHttpDomainName',
].map((n) => f(n, VAR));

/** Non-HTTP flows, IPv4 and IPv6 (templates 256 / 259 of NetScaler). */
const BASIC_V4: Template = {
  id: 256,
  fields: [...COMMON_HEAD, ...V4_ADDRS, ...COUNTERS, f('ingressInterface', 4), f('egressInterface', 4), f('netscalerAppNameAppId', 4), ...CHAIN, f('netscalerUnknown330', 2)],
};
const BASIC_V6: Template = { id: 259, fields: BASIC_V4.fields.map((x, i) => (i === 8 ? V6_ADDRS[0]! : i === 9 ? V6_ADDRS[1]! : x)) };
/** Server → client half of an HTTP transaction, with the round-trip time (template 257). */
const RESPONSE_V4: Template = {
  id: 257,
  fields: [
    ...COMMON_HEAD, ...V4_ADDRS, ...COUNTERS, f('netscalerRoundTripTime', 4), f('egressInterface', 4), f('ingressInterface', 4),
    f('netscalerAppNameAppId', 4), ...CHAIN, f('netscalerUnknown329', 2), f('netscalerUnknown331', 2), f('netscalerUnknown332', 4),
  ],
};
/** Client → server HTTP request with the variable-length HTTP fields (template 258). */
const REQUEST_V4: Template = {
  id: 258,
  fields: [
    ...COMMON_HEAD, ...V4_ADDRS, ...COUNTERS, f('ingressInterface', 4), f('egressInterface', 4), f('netscalerAppNameAppId', 4),
    f('netscalerAppUnitNameAppId', 4), f('netscalerHttpResForwFB', 8), f('netscalerHttpResForwLB', 8), ...CHAIN,
    f('netscalerUnknown330', 2), ...HTTP_VARLEN,
  ],
};
export const NETSCALER_TEMPLATES: readonly Template[] = [BASIC_V4, RESPONSE_V4, REQUEST_V4, BASIC_V6];

const HOSTS = ['www.example.com', 'shop.example.net', 'api.example.org', 'static.example.com', 'login.example.net'];
const PATHS = ['/example', '/', '/index.html', '/api/v1/orders', '/login', '/static/app.js', '/images/logo.png', '/search'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'curl/8.5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
];
const CONTENT_TYPES = ['', 'application/json', 'application/x-www-form-urlencoded', 'text/plain'];

/**
 * NetScaler writes microseconds (not 2^-32 s units) into the NTP fraction (Wireshark bug 11047);
 * the synthesized exporter does the same, as the real one does.
 */
export function netscalerTime(us: number): NtpTime {
  return { ntpSeconds: Math.floor(us / 1e6) + NTP_UNIX_OFFSET, fraction: us % 1e6 };
}

export const netscalerProfile: SynthProfile = {
  name: 'netscaler',
  description: 'Citrix NetScaler AppFlow over IPFIX (PEN 5951, variable-length HTTP fields)',
  protocol: 'ipfix',
  defaultPort: 4739,
  recordsPerDatagram: 6,
  usesTemplates: true,
  createExporter(ctx: ExporterContext) {
    const rng = ctx.rng;
    const session = new IpfixExporterSession(0, rng.u32());
    const observationPointId = rng.u32();
    const exportingProcessId = rng.int(0, 7);
    let flowId = rng.int(1, 1e7);
    let transactionId = rng.u32();
    let connectionId = rng.int(1, 1e7);
    const appIds = [rng.u32(), rng.u32(), rng.u32()];
    // Request flows waiting for their response: the pair shares connection id and chain id.
    const open = new Map<string, { connectionId: number; chain: Buffer; transactionId: number }>();
    const key = (fl: SyntheticFlow): string => `${fl.src}|${fl.srcPort}|${fl.dst}|${fl.dstPort}|${fl.protocol}`;

    function recordFor(fl: SyntheticFlow): PendingRecord {
      const http = fl.protocol === 6 && (fl.dstPort === 80 || fl.dstPort === 443 || fl.srcPort === 80 || fl.srcPort === 443) && fl.ipVersion === 4;
      let conn: { connectionId: number; chain: Buffer; transactionId: number };
      if (fl.reply) {
        const k = `${fl.dst}|${fl.dstPort}|${fl.src}|${fl.srcPort}|${fl.protocol}`;
        conn = open.get(k) ?? { connectionId: connectionId++, chain: rng.bytes(16), transactionId: (transactionId++) >>> 0 };
        open.delete(k);
      } else {
        conn = { connectionId: connectionId++ >>> 0, chain: rng.bytes(16), transactionId: (transactionId++) >>> 0 };
        open.set(key(fl), conn);
      }
      const v: Record<string, FieldInput> = {
        observationPointId,
        exportingProcessId,
        flowId: flowId++,
        netscalerTransactionId: conn.transactionId,
        netscalerConnectionId: conn.connectionId >>> 0,
        ipVersion: fl.ipVersion,
        protocolIdentifier: fl.protocol,
        sourceTransportPort: fl.srcPort,
        destinationTransportPort: fl.dstPort,
        packetDeltaCount: fl.packets,
        octetDeltaCount: fl.octets,
        tcpControlBits: fl.tcpFlags,
        netscalerFlowFlags: fl.reply ? 0x45000000 + rng.int(0, 0xffff) : 0x05022000 + rng.int(0, 0xff),
        flowStartMicroseconds: netscalerTime(fl.startUs),
        flowEndMicroseconds: netscalerTime(fl.endUs),
        ingressInterface: fl.inputIf,
        egressInterface: fl.outputIf,
        netscalerAppNameAppId: rng.pick(appIds),
        netscalerConnectionChainID: conn.chain,
        netscalerConnectionChainHopCount: 1,
      };
      if (fl.ipVersion === 4) {
        v.sourceIPv4Address = fl.src;
        v.destinationIPv4Address = fl.dst;
      } else {
        v.sourceIPv6Address = fl.src;
        v.destinationIPv6Address = fl.dst;
      }
      if (!http) {
        v.netscalerUnknown330 = 0;
        return { template: fl.ipVersion === 4 ? BASIC_V4 : BASIC_V6, values: v };
      }
      if (fl.reply) {
        v.netscalerRoundTripTime = rng.int(1, 300);
        v.netscalerUnknown329 = 0;
        v.netscalerUnknown331 = 0;
        v.netscalerUnknown332 = 0;
        return { template: RESPONSE_V4, values: v };
      }
      const host = rng.pick(HOSTS);
      const method = rng.weighted([['GET', 80], ['POST', 15], ['HEAD', 5]] as const);
      v.netscalerAppUnitNameAppId = rng.bool(0.5) ? 0 : rng.u32();
      v.netscalerHttpResForwFB = BigInt(rng.int(0, 2 ** 40)); // tshark and the exporter treat it as a µs count
      v.netscalerHttpResForwLB = 0n;
      v.netscalerUnknown330 = 0;
      v.netscalerAaaUsername = rng.bool(0.2) ? `user${rng.int(1, 999)}` : '';
      v.netscalerHttpReqUrl = rng.pick(PATHS) + (rng.bool(0.3) ? `?id=${rng.int(1, 99999)}` : '');
      v.netscalerHttpReqCookie = rng.bool(0.6) ? `session=${rng.bytes(12).toString('hex')}; theme=dark` + (rng.bool(0.2) ? `; tracking=${rng.bytes(160).toString('hex')}` : '') : '';
      v.netscalerHttpReqReferer = rng.bool(0.5) ? `https://${host}${rng.pick(PATHS)}` : '';
      v.netscalerHttpReqMethod = method;
      v.netscalerHttpReqHost = host;
      v.netscalerHttpReqUserAgent = rng.pick(AGENTS);
      v.netscalerHttpContentType = method === 'POST' ? rng.pick(CONTENT_TYPES) : '';
      v.netscalerHttpReqAuthorization = '';
      v.netscalerHttpReqVia = rng.bool(0.1) ? '1.1 proxy.example.net' : '';
      v.netscalerHttpReqXForwardedFor = rng.bool(0.3) ? fl.src : '';
      v.netscalerHttpDomainName = host;
      return { template: REQUEST_V4, values: v };
    }

    return {
      export(flows, nowUs, withTemplates): ExportBatch {
        const pending = flows.map(recordFor);
        const templateSets: IpfixSet[] = withTemplates ? [{ type: 'template', templates: [...NETSCALER_TEMPLATES] }] : [];
        const exportTime = Math.floor(nowUs / 1e6);
        const packed = packIpfix(templateSets, pending, ctx.maxPayload, (sets) => session.encode(exportTime, sets));
        return exportBatch(packed, pending, ctx.index, 'ipfix');
      },
    };
  },
};
