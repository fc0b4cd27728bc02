// The fingerprint filter (logstash-filter-fingerprint 3.4, lib/logstash/filters/fingerprint.rb),
// byte for byte: a hash of each `source` field (an array field gives an array of hashes; with several
// fields the last present one wins), or of one string built as `|name|value|name|value|` from the
// sorted `source` names (concatenate_sources) or from every top-level field sorted by name
// (concatenate_all_fields), nested hashes sorted by key, values printed as JRuby's to_s prints them.
// Methods: MD5/SHA1/SHA256/SHA384/SHA512 (hex, base64 with base64encode, HMAC with `key`), MURMUR3
// (an unsigned 32-bit number; integers hashed as 8 bytes), MURMUR3_128 (seed 2; integers as 4 or 8
// bytes; hex or base64), IPV4_NETWORK (the address masked to `key` bits), UUID (random),
// PUNCTUATION (only the Unicode punctuation and symbol characters kept). Target: `fingerprint`, or
// `[event][hash]` in ECS mode.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Event } from '../../../event/event.ts';
import { type FieldMap, type FieldValue, isFieldMap, setOwn } from '../../../event/values.ts';
import { FilterBase } from '../../filter-base.ts';
import type { Filter, PluginContext } from '../../types.ts';
import { intBytes, murmur3x64_128, murmur3x86_32 } from './murmur3.ts';
import { rubyToS } from './ruby-text.ts';
import type { FingerprintFilterOptions } from './schema.ts';
import { maskAddress } from './ip-mask.ts';

export class FingerprintConfigurationError extends Error {
  constructor(where: string, why: string) {
    super(`Invalid setting for fingerprint filter plugin (${where}): ${why}`);
    this.name = 'FingerprintConfigurationError';
  }
}

const DIGESTS: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5' };
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** deep_sort_hashes: hashes rebuilt with their keys sorted, recursively (arrays keep their order). */
function deepSort(v: FieldValue | undefined): FieldValue | undefined {
  if (Array.isArray(v)) return v.map((x) => deepSort(x)!);
  if (isFieldMap(v)) {
    const out: FieldMap = {};
    for (const k of Object.keys(v).sort()) setOwn(out, k, deepSort(v[k])!);
    return out;
  }
  return v;
}

const isInteger = (v: FieldValue | undefined): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

export class FingerprintFilter extends FilterBase<FingerprintFilterOptions> {
  private readonly target: string;
  private readonly hash: (value: FieldValue | undefined) => FieldValue;

  constructor(options: FingerprintFilterOptions, ctx: PluginContext) {
    super(options, ctx);
    this.target = options.target ?? (ctx.ecsCompatibility === 'disabled' ? 'fingerprint' : '[event][hash]');
    this.hash = this.hasher();
  }

  private hasher(): (value: FieldValue | undefined) => FieldValue {
    const { method, key, base64encode } = this.options;
    const encoding = base64encode ? 'base64' : 'hex';
    switch (method) {
      case 'IPV4_NETWORK': {
        if (key === undefined) throw new FingerprintConfigurationError(this.ctx.where, 'Key value is empty. please fill in a subnet prefix length');
        const bits = Number(/^\s*[+-]?\d+/.exec(key)?.[0] ?? 0);
        return (v) => maskAddress(rubyToS(v), bits);
      }
      case 'MURMUR3':
        return (v) => (isInteger(v) ? murmur3x86_32(intBytes(BigInt(v), 8)) : murmur3x86_32(Buffer.from(rubyToS(v), 'utf8')));
      case 'MURMUR3_128':
        return (v) => {
          let bytes: Uint8Array;
          if (isInteger(v)) {
            const n = BigInt(v);
            bytes = intBytes(n, n >= INT32_MIN && n <= INT32_MAX ? 4 : 8);
          } else bytes = Buffer.from(rubyToS(v), 'utf8');
          return murmur3x64_128(bytes, 2).toString(encoding);
        };
      case 'UUID':
      case 'PUNCTUATION':
        return (v) => rubyToS(v);
      default: {
        const algorithm = DIGESTS[method]!;
        if (key === undefined) return (v) => createHash(algorithm).update(rubyToS(v, true), 'utf8').digest(encoding);
        return (v) => createHmac(algorithm, key).update(rubyToS(v, true), 'utf8').digest(encoding);
      }
    }
  }

  filter(event: Event): Event[] {
    const o = this.options;
    const sources = o.source.map(String);
    try {
      if (o.method === 'UUID') event.set(this.target, randomUUID());
      else if (o.method === 'PUNCTUATION') {
        for (const field of [...sources].sort()) {
          if (!event.includes(field)) continue;
          const v = event.get(field);
          if (typeof v !== 'string') throw new TypeError(`undefined method \`gsub' for ${rubyToS(v)}`);
          event.set(this.target, v.replace(/[^\p{P}\p{S}]/gu, ''));
        }
      } else if (o.concatenate_sources || o.concatenate_all_fields) {
        let text = '';
        if (o.concatenate_all_fields) {
          const all = deepSort(event.toObject()) as FieldMap;
          for (const k of Object.keys(all)) text += `|${k}|${rubyToS(all[k])}`;
        } else {
          for (const k of [...sources].sort()) text += `|${k}|${rubyToS(deepSort(event.get(k)))}`;
        }
        event.set(this.target, this.hash(text + '|'));
      } else {
        for (const field of sources) {
          if (!event.includes(field)) continue;
          const v = event.get(field);
          event.set(this.target, Array.isArray(v) ? v.map((x) => this.hash(deepSort(x))) : this.hash(deepSort(v)));
        }
      }
    } catch (e) {
      // Logstash lets this exception escape the filter (the worker fails); here the event goes on untouched.
      this.counters.failures++;
      this.log.error('Exception caught in fingerprint filter', { method: o.method, exception: (e as Error).message });
      return [event];
    }
    this.filterMatched(event);
    return [event];
  }
}

export function create(options: FingerprintFilterOptions, ctx: PluginContext): Filter {
  return new FingerprintFilter(options, ctx);
}
