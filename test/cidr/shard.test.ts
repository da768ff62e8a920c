import { describe, expect, it } from 'vitest';
import { ApplyMode } from '../../src/index.js';
import { CidrSet, CLIENT_SIDE_APPLY_BUDGET, shardCidrs, toCidrSet, type CidrShard } from '../../src/cidr/index.js';
import { fnv1a32 } from '../../src/cidr/hash.js';

/** Deterministic PRNG (mulberry32) so the churn numbers below are reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v4 = (a: number, len: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`;

/** `count` distinct, non-adjacent /24s spread over the IPv4 space (so aggregation keeps them all). */
function feed(count: number, seed: number): string[] {
  const r = rng(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(r() * (1 << 23)) * 2); // even /24 index: never adjacent pairs
  return [...picked].map((i) => v4(i * 256, 24));
}

const key = (s: CidrShard) => `${s.id}|${s.prefixes.join(',')}`;
/** Shards of `after` that are not byte-identical (same id, same prefixes) to a shard of `before`. */
function rewritten(before: readonly CidrShard[], after: readonly CidrShard[]): number {
  const old = new Set(before.map(key));
  return after.filter((s) => !old.has(key(s))).length;
}
/** Shards of `before` that hold a removed prefix or the place of an added one: the least any scheme must rewrite. */
function touched(before: readonly CidrShard[], removed: readonly string[], addedSet: CidrSet): number {
  const rm = new Set(removed);
  const hit = new Set<string>();
  const starts = before.map((s) => s.prefixes[0]!);
  const num = (p: string) => p.split(/[./]/).slice(0, 4).reduce((a, o) => a * 256 + Number(o), 0);
  for (const s of before) if (s.prefixes.some((p) => rm.has(p))) hit.add(s.id);
  for (const p of addedSet.toStrings()) {
    let i = starts.findIndex((st) => num(st) > num(p)) - 1;
    if (i < 0) i = starts.findIndex((st) => num(st) > num(p)) === -1 ? before.length - 1 : 0;
    hit.add(before[i]!.id);
  }
  return hit.size;
}

const BUDGET = 32_768; // small budget → ~170 shards for 100k prefixes, so fractions are meaningful

describe('shardCidrs', () => {
  const base = feed(100_000, 1);
  const baseSet = toCidrSet(base);
  const before = shardCidrs(baseSet, { budgetBytes: BUDGET });
  const present = new Set(baseSet.toStrings());

  it('keeps every shard under the budget and loses no prefix', () => {
    expect(before.length).toBeGreaterThan(100);
    for (const s of before) expect(s.bytes).toBeLessThanOrEqual(BUDGET);
    for (const s of before) expect(s.bytes).toBe(2048 + s.prefixes.reduce((n, p) => n + p.length + 3, 0));
    expect(before.flatMap((s) => s.prefixes)).toEqual(baseSet.toStrings());
  });

  it('names shards by the start of their key range, sortable and DNS-1123 safe', () => {
    expect(before[0]!.id).toBe('v4-000-000-000-000');
    for (const s of before) expect(s.id).toMatch(/^v4(-[0-9]{3}){4}$/);
    const ids = before.map((s) => s.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('1% churn clustered in a few regions rewrites few shards', () => {
    // A daily GeoLite2 diff is mostly a handful of reassigned blocks: 1,000 edits in 10 regions.
    const r = rng(7);
    const sorted = baseSet.toStrings();
    const removed: string[] = [];
    for (let region = 0; region < 10; region++) {
      const at = Math.floor(r() * (sorted.length - 100));
      removed.push(...sorted.slice(at, at + 50));
    }
    const rm = new Set(removed);
    const added: string[] = [];
    for (const p of removed.slice(0, 500)) {
      // A neighbouring, previously absent /24 in the same region.
      const [a, b, c] = p.split('.').map(Number) as [number, number, number];
      const candidate = `${a}.${b}.${c + 1}.0/24`;
      if (c + 1 < 256 && !present.has(candidate)) added.push(candidate);
    }
    const next = toCidrSet([...base.filter((p) => !rm.has(p)), ...added]);
    const after = shardCidrs(next, { budgetBytes: BUDGET });
    const changed = rewritten(before, after);
    // Measured: 10 of 161 shards (6.2%): one per region. Bound: each region rewrites its own shard and, if an edit
    // moves a boundary or crosses one, the neighbour: at most 2 per region, and at most 10% overall.
    expect(changed / after.length).toBeLessThanOrEqual(0.1);
    expect(changed).toBeLessThanOrEqual(2 * 10);
  });

  it('uniform churn rewrites about the shards it touches, not everything after it', () => {
    const r = rng(11);
    const removed = base.filter(() => r() < 0.0005); // ~50 random removals
    const rm = new Set(removed);
    const addedList = feed(50, 99).filter((p) => !present.has(p));
    const next = toCidrSet([...base.filter((p) => !rm.has(p)), ...addedList]);
    const after = shardCidrs(next, { budgetBytes: BUDGET });
    const must = touched(before, removed, toCidrSet(addedList));
    const changed = rewritten(before, after);
    // Measured: 68 rewritten for 68 touched (the minimum). Allow a few boundary moves on top of the minimum.
    expect(changed).toBeLessThanOrEqual(must + 5);
  });

  it('one insertion at the very start rewrites one shard (fixed-size chunks would rewrite all)', () => {
    const next = toCidrSet([...base, '0.0.0.0/24']);
    const after = shardCidrs(next, { budgetBytes: BUDGET });
    expect(rewritten(before, after)).toBe(1);
    expect(after[0]!.id).toBe(before[0]!.id);
  });

  it('keeps families apart and names IPv6 shards by zero-padded groups', () => {
    const shards = shardCidrs(toCidrSet(['192.0.2.0/24', '2001:db8::/32', '2001:db9::/48']));
    expect(shards.map((s) => [s.id, s.family, s.prefixes])).toEqual([
      ['v4-000-000-000-000', 4, ['192.0.2.0/24']],
      ['v6-0000-0000-0000-0000-0000-0000-0000-0000', 6, ['2001:db8::/32', '2001:db9::/48']],
    ]);
  });

  it('defaults to the client-side apply budget; server-side allows 1 MiB', () => {
    const big = toCidrSet(feed(60_000, 3));
    const csa = shardCidrs(big);
    const ssa = shardCidrs(big, { mode: ApplyMode.SERVER_SIDE });
    expect(Math.max(...csa.map((s) => s.bytes))).toBeLessThanOrEqual(CLIENT_SIDE_APPLY_BUDGET);
    expect(Math.max(...ssa.map((s) => s.bytes))).toBeLessThanOrEqual(1_048_576);
    expect(ssa.length).toBeLessThan(csa.length);
  });

  it('passes the shard id to a computed overhead', () => {
    const seen: string[] = [];
    shardCidrs(toCidrSet(['192.0.2.0/24']), { objectOverheadBytes: (id) => { seen.push(id); return 100 + id.length; } });
    expect(seen[0]).toBe('v4-000-000-000-000');
  });

  it('refuses a budget a single prefix cannot fit in', () => {
    expect(() => shardCidrs(toCidrSet(['192.0.2.0/24']), { budgetBytes: 2060 })).toThrow(
      "prefix '192.0.2.0/24' needs 15 bytes but shard 'v4-000-000-000-000' has only 12 left after 2048 bytes of object overhead (budget 2060); expected a budget well above the overhead");
    expect(() => shardCidrs(CidrSet.EMPTY, { budgetBytes: 0 })).toThrow(
      'shard budget is 0; expected a positive whole number of bytes such as 262144');
  });

  it('uses FNV-1a 32', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});
