/**
 * A deliberately simple reference model for the CIDR engine: prefixes as BigInt ranges, merged by sorting ranges.
 * Slow and obviously correct; the property tests check the fast engine against it.
 */
export interface RefPrefix {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly len: number;
}

export interface RefRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint; // inclusive
}

const bitsOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);

export function toRange(p: RefPrefix): RefRange {
  const size = 1n << BigInt(bitsOf(p.family) - p.len);
  return { family: p.family, start: p.start, end: p.start + size - 1n };
}

/** Sorts and merges overlapping or adjacent ranges, IPv4 first. */
export function mergeRanges(ranges: readonly RefRange[]): RefRange[] {
  const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: RefRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.start <= last.end + 1n) {
      if (r.end > last.end) out[out.length - 1] = { ...last, end: r.end };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** Removes the addresses of `minus` from `base` (both merged). */
export function subtractRanges(base: readonly RefRange[], minus: readonly RefRange[]): RefRange[] {
  let current = [...base];
  for (const m of minus) {
    const next: RefRange[] = [];
    for (const r of current) {
      if (r.family !== m.family || m.end < r.start || m.start > r.end) {
        next.push(r);
        continue;
      }
      if (m.start > r.start) next.push({ family: r.family, start: r.start, end: m.start - 1n });
      if (m.end < r.end) next.push({ family: r.family, start: m.end + 1n, end: r.end });
    }
    current = next;
  }
  return current;
}

/** Greedy range → CIDR conversion (largest aligned block that fits, repeatedly). */
export function rangeToPrefixes(r: RefRange): RefPrefix[] {
  const bits = bitsOf(r.family);
  const out: RefPrefix[] = [];
  let start = r.start;
  while (start <= r.end) {
    let len = bits;
    while (len > 0) {
      const size = 1n << BigInt(bits - len + 1);
      if (start % size !== 0n || start + size - 1n > r.end) break;
      len--;
    }
    out.push({ family: r.family, start, len });
    start += 1n << BigInt(bits - len);
  }
  return out;
}

export function formatRef(p: RefPrefix): string {
  if (p.family === 4) {
    const v = Number(p.start);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${p.len}`;
  }
  // Full, uncompressed form: exercises the parser on non-canonical input.
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((p.start >> BigInt(16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${p.len}`;
}

/** The minimal cover of `prefixes` minus `except`, as canonical-order reference prefixes. */
export function referenceAggregate(prefixes: readonly RefPrefix[], except: readonly RefPrefix[] = []): RefPrefix[] {
  const merged = mergeRanges(prefixes.map(toRange));
  const remaining = subtractRanges(merged, mergeRanges(except.map(toRange)));
  return remaining.flatMap(rangeToPrefixes);
}

/** Parses canonical text produced by the engine back into a reference prefix (independent, regex-based). */
export function parseRef(text: string): RefPrefix {
  const [addr, lenText] = text.split('/') as [string, string];
  const len = Number(lenText);
  if (!addr.includes(':')) {
    const o = addr.split('.').map(Number);
    return { family: 4, start: BigInt(((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!), len };
  }
  const [head, tail] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  return { family: 6, start: v, len };
}
