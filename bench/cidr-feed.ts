/**
 * Seeded generator of realistic CIDR feeds for the aggregation benchmark and the iprange comparison test: mostly
 * /16-/24 blocks (as in geo and threat feeds) clustered in regions, with adjacent runs that merge, duplicates,
 * contained prefixes and single addresses, and for mixed feeds ~30% IPv6 (/29-/48, some /56, /64, /128).
 */

/** mulberry32: tiny, fast, good enough for test data, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const V4_LENGTHS = [16, 18, 19, 20, 21, 22, 22, 23, 24, 24, 24, 24, 24, 24, 25, 26, 28, 29, 32, 32];
const V6_LENGTHS = [29, 32, 32, 32, 36, 40, 44, 48, 48, 48, 48, 56, 64, 128];

function v4Text(addr: number, len: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}/${len}`;
}

function v6Text(hi: number, mid: number, lo: number, len: number): string {
  // hi = first 32 bits, mid = next 32 bits, lo = last 16 bits (only used for /128); canonical text.
  const g = [hi >>> 16, hi & 0xffff, mid >>> 16, mid & 0xffff];
  if (len === 128) return `${g.map((x) => x.toString(16)).join(':')}::${lo.toString(16)}/128`;
  while (g.length > 1 && g[g.length - 1] === 0) g.pop();
  const head = g.map((x) => x.toString(16)).join(':');
  return g.length === 8 ? `${head}/${len}` : `${head}::/${len}`;
}

function maskV4(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

function mask32(x: number, bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? x >>> 0 : (x & (0xffffffff << (32 - bits))) >>> 0;
}

/** Options for `generateFeed`. */
export interface FeedOptions {
  readonly lines: number;
  readonly seed: number;
  /** Fraction of IPv6 lines (0 for an IPv4-only feed). */
  readonly v6Share: number;
}

/** Generates the feed text (a header comment, then one prefix per line). */
export function generateFeed(o: FeedOptions): string {
  const r = seededRandom(o.seed);
  const out: string[] = [`# synthetic feed: ${o.lines} lines, seed ${o.seed}, ${Math.round(o.v6Share * 100)}% IPv6`];
  const recent: string[] = [];
  let region4 = maskV4(Math.floor(r() * 4294967296), 12);
  let cursor4 = 0;
  let hi6 = (0x20000000 + Math.floor(r() * 0x0fffffff)) >>> 0;
  let mid6 = Math.floor(r() * 4294967296);
  for (let i = 0; i < o.lines; i++) {
    const x = r();
    if (x < 0.04 && recent.length > 0) {
      out.push(recent[Math.floor(r() * recent.length)]!); // duplicate
      continue;
    }
    if (r() < o.v6Share) {
      if (r() < 0.1) {
        hi6 = (0x20000000 + Math.floor(r() * 0x0fffffff)) >>> 0; // new region in 2000::/4
        mid6 = Math.floor(r() * 4294967296);
      }
      const len = V6_LENGTHS[Math.floor(r() * V6_LENGTHS.length)]!;
      // Walk forward inside the region so neighbours are often adjacent or nested.
      mid6 = (mid6 + Math.floor(r() * 3) * 2 ** Math.max(0, 64 - Math.max(len, 33))) >>> 0;
      const hi = mask32(hi6, len);
      const mid = mask32(mid6, len - 32);
      const t = v6Text(hi, mid, 1 + Math.floor(r() * 65535), len);
      out.push(t);
      if (recent.length < 4096) recent.push(t);
      continue;
    }
    if (x < 0.06) {
      region4 = maskV4(Math.floor(r() * 4294967296), 12);
      cursor4 = 0;
    }
    const len = V4_LENGTHS[Math.floor(r() * V4_LENGTHS.length)]!;
    if (x < 0.1) {
      // Contained: a longer prefix inside the last region block.
      out.push(v4Text(maskV4((region4 + cursor4) >>> 0, 28), 28));
      continue;
    }
    // Mostly the next block of the region (adjacent, so it can merge), sometimes a jump.
    const size = 2 ** (32 - len);
    cursor4 = r() < 0.7 ? cursor4 + size : cursor4 + size * (1 + Math.floor(r() * 64));
    if (cursor4 >= 2 ** 20) {
      region4 = maskV4(Math.floor(r() * 4294967296), 12);
      cursor4 = 0;
    }
    const t = v4Text(maskV4((region4 + cursor4) >>> 0, len), len);
    out.push(t);
    if (recent.length < 4096) recent.push(t);
  }
  return `${out.join('\n')}\n`;
}
