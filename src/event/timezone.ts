// Time zones by IANA name or fixed offset, through Intl (no tz database of our own):
// the offset of a zone at an instant, and the instant of a wall-clock time in a zone.

export interface Zone {
  id: string;
  /** Offset from UTC in ms at the given UTC instant. */
  offsetAt(utcMs: number): number;
}

const zones = new Map<string, Zone>();

export const UTC: Zone = { id: 'UTC', offsetAt: () => 0 };

/** The zone for an id like `Europe/Paris`, `UTC`, `+05:30`; throws with Logstash's wording when unknown. */
export function zoneFor(id: string): Zone {
  const hit = zones.get(id);
  if (hit) return hit;
  const zone = makeZone(id);
  zones.set(id, zone);
  return zone;
}

/** The machine's default zone (what the JVM would use). */
export function systemZone(): Zone {
  return zoneFor(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}

function makeZone(id: string): Zone {
  if (id === 'UTC' || id === 'Z' || id === 'GMT' || id === 'Etc/UTC') return { id, offsetAt: () => 0 };
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(id);
  if (fixed) {
    const ms = (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0)) * 60_000 * (fixed[1] === '-' ? -1 : 1);
    return { id, offsetAt: () => ms };
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    throw new Error(`The datetime zone id '${id}' is not recognised`);
  }
  return {
    id,
    offsetAt(utcMs: number): number {
      const parts = dtf.formatToParts(new Date(utcMs));
      const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
      let year = get('year');
      if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
      const wall = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
      const d = new Date(utcMs);
      return wall - (utcMs - d.getUTCMilliseconds());
    },
  };
}

/** The UTC instant of a wall-clock time (given as if it were UTC ms) in a zone; gaps resolve forward like Joda. */
export function wallToUtc(zone: Zone, wallMs: number): number {
  const guess = wallMs - zone.offsetAt(wallMs);
  const off = zone.offsetAt(guess);
  const result = wallMs - off;
  if (zone.offsetAt(result) !== off) return wallMs - zone.offsetAt(result);
  return result;
}
