import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, Cidr, CidrSet, parseCidrs, toCidrSet } from '../../src/cidr/index.js';
import { formatRef, mergeRanges, parseRef, referenceAggregate, toRange, type RefPrefix } from './reference.js';

const agg = (text: string, except?: readonly string[]) =>
  aggregate(parseCidrs(text, { source: 'feed.txt' }).prefixes, { except });

describe('aggregate: examples', () => {
  it('dedupes, drops contained prefixes and merges adjacent blocks', () => {
    const { set, stats } = agg([
      '10.0.0.0/24', '10.0.1.0/24', // adjacent → 10.0.0.0/23
      '10.0.0.0/24', // duplicate
      '10.0.0.128/25', // contained
      '192.0.2.0/25', '192.0.2.128/26', // adjacent but not a pair: stay apart
      '2001:db8::/33', '2001:db8:8000::/33', '2001:db8::1', // merge to /32, the /128 is contained
    ].join('\n'));
    expect(set.toStrings()).toEqual(['10.0.0.0/23', '192.0.2.0/25', '192.0.2.128/26', '2001:db8::/32']);
    expect(stats).toEqual({
      inputPrefixes: 9,
      duplicates: 1,
      contained: 2,
      mergedAdjacent: 2,
      outputPrefixes: 4,
      ipv4: {
        inputPrefixes: 6, duplicates: 1, contained: 1, mergedAdjacent: 1, outputPrefixes: 3,
        addresses: 512n + 128n + 64n, excludedAddresses: 0n,
      },
      ipv6: {
        inputPrefixes: 3, duplicates: 0, contained: 1, mergedAdjacent: 1, outputPrefixes: 1,
        addresses: 1n << 96n, excludedAddresses: 0n,
      },
    });
  });

  it('merges cascades of siblings up to the largest aligned block', () => {
    const quarters = ['198.51.100.0/26', '198.51.100.192/26', '198.51.100.64/26', '198.51.100.128/26'];
    expect(agg(quarters.join('\n')).set.toStrings()).toEqual(['198.51.100.0/24']);
  });

  it('sorts IPv4 before IPv6, each numerically (not as text)', () => {
    const { set } = agg('2001:db8::/32\n10.0.0.0/8\n9.0.0.0/8\n::1\n192.0.2.0/24');
    expect(set.toStrings()).toEqual(['9.0.0.0/8', '10.0.0.0/8', '192.0.2.0/24', '::1/128', '2001:db8::/32']);
  });

  it('subtracts except prefixes, splitting a block into the fewest prefixes', () => {
    const { set, stats } = agg('10.0.0.0/8', ['10.0.0.0/9', '10.255.255.255']);
    expect(set.toStrings()).toEqual([
      '10.128.0.0/10', '10.192.0.0/11', '10.224.0.0/12', '10.240.0.0/13', '10.248.0.0/14', '10.252.0.0/15',
      '10.254.0.0/16', '10.255.0.0/17', '10.255.128.0/18', '10.255.192.0/19', '10.255.224.0/20', '10.255.240.0/21',
      '10.255.248.0/22', '10.255.252.0/23', '10.255.254.0/24', '10.255.255.0/25', '10.255.255.128/26',
      '10.255.255.192/27', '10.255.255.224/28', '10.255.255.240/29', '10.255.255.248/30', '10.255.255.252/31',
      '10.255.255.254/32',
    ]);
    expect(stats.ipv4.excludedAddresses).toBe(2n ** 23n + 1n);
    expect(stats.ipv4.addresses).toBe(2n ** 23n - 1n);
  });

  it('drops a block entirely covered by an exclusion and leaves other families alone', () => {
    const { set } = aggregate(parseCidrs('10.1.0.0/16\n2001:db8::/32').prefixes, {
      except: ['10.0.0.0/8'], clusterCidrs: ['2001:db8:1::/48'],
    });
    expect(set.toStrings()).toEqual([
      '2001:db8::/48', '2001:db8:2::/47', '2001:db8:4::/46', '2001:db8:8::/45', '2001:db8:10::/44', '2001:db8:20::/43',
      '2001:db8:40::/42', '2001:db8:80::/41', '2001:db8:100::/40', '2001:db8:200::/39', '2001:db8:400::/38',
      '2001:db8:800::/37', '2001:db8:1000::/36', '2001:db8:2000::/35', '2001:db8:4000::/34', '2001:db8:8000::/33',
    ]);
  });

  it('handles /0 and the edges of the address space', () => {
    expect(agg('0.0.0.0/1\n128.0.0.0/1').set.toStrings()).toEqual(['0.0.0.0/0']);
    expect(agg('255.255.255.255\n255.255.255.254').set.toStrings()).toEqual(['255.255.255.254/31']);
    expect(agg('::/1\n8000::/1').set.toStrings()).toEqual(['::/0']);
    expect(agg('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\nffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe').set.toStrings())
      .toEqual(['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127']);
    expect(agg('0.0.0.0/0', ['0.0.0.0/0']).set.isEmpty).toBe(true);
  });

  it('merges IPv6 siblings across word boundaries', () => {
    // /32 and /33 boundaries sit exactly on a 32-bit word edge, /64 and /96 on the next ones.
    expect(agg('2001:db8::/64\n2001:db8:0:1::/64').set.toStrings()).toEqual(['2001:db8::/63']);
    expect(agg('2001:db8::/97\n2001:db8::8000:0/97').set.toStrings()).toEqual(['2001:db8::/96']);
    expect(agg('2001:db8::/33\n2001:db8:8000::/33\n2001:db9::/32').set.toStrings()).toEqual(['2001:db8::/31']);
  });

  it('returns the empty set for empty input', () => {
    const { set, stats } = agg('# nothing here\n');
    expect(set.isEmpty).toBe(true);
    expect(set.equals(CidrSet.EMPTY)).toBe(true);
    expect(stats.outputPrefixes).toBe(0);
  });

  it('counts IPv6 addresses beyond 2^53 exactly', () => {
    const { set } = agg('2001:db8::/32\n2001:db9::/48\n::1');
    expect(set.addresses()).toEqual({ v4: 0n, v6: (1n << 96n) + (1n << 80n) + 1n });
  });

  it('toCidrSet parses and aggregates in one step', () => {
    expect(toCidrSet(['10.0.0.0/25', '10.0.0.128/25']).toStrings()).toEqual(['10.0.0.0/24']);
  });
});

// ---------- property tests against the BigInt reference ----------

function masked(family: 4 | 6, start: bigint, len: number): RefPrefix {
  const bits = family === 4 ? 32 : 128;
  const host = (1n << BigInt(bits - len)) - 1n;
  const all = (1n << BigInt(bits)) - 1n;
  return { family, start: start & all & ~host, len };
}

// Most prefixes are drawn from small windows so that duplicates, nesting and adjacency are common.
const v4Near = fc.record({ off: fc.bigInt({ min: 0n, max: 4095n }), len: fc.integer({ min: 20, max: 32 }) })
  .map(({ off, len }) => masked(4, 0x0a000000n + off, len));
const v4Any = fc.record({ v: fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), len: fc.integer({ min: 0, max: 32 }) })
  .map(({ v, len }) => masked(4, v, len));
const v6Base = 0x20010db8n << 96n;
const v6Near = fc.record({ off: fc.bigInt({ min: 0n, max: 4095n }), len: fc.integer({ min: 116, max: 128 }) })
  .map(({ off, len }) => masked(6, v6Base + off, len));
// Offsets that straddle the 32-bit word edges (bits 32, 64, 96) exercise the multi-word code paths.
const v6Edges = fc.record({
  hi: fc.constantFrom(0n, 1n, 0xffffffffn), word: fc.constantFrom(32n, 64n, 96n), len: fc.integer({ min: 28, max: 100 }),
}).map(({ hi, word, len }) => masked(6, v6Base + (hi << word), len));
const v6Any = fc.record({ v: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), len: fc.integer({ min: 0, max: 128 }) })
  .map(({ v, len }) => masked(6, v, len));
const prefix = fc.oneof(
  { arbitrary: v4Near, weight: 6 }, { arbitrary: v4Any, weight: 1 },
  { arbitrary: v6Near, weight: 4 }, { arbitrary: v6Edges, weight: 2 }, { arbitrary: v6Any, weight: 1 },
);
const prefixes = fc.array(prefix, { maxLength: 120 });

const key = (p: RefPrefix) => `${p.family}:${p.start}:${p.len}`;
const run = (input: readonly RefPrefix[], except: readonly RefPrefix[] = []) =>
  aggregate(parseCidrs(input.map(formatRef).join('\n')).prefixes, { except: except.map(formatRef) });

describe('aggregate: properties (fast-check, BigInt reference)', () => {
  const params = { numRuns: 300 };

  it('covers exactly the input addresses minus exclusions, as the unique minimal cover', () => {
    fc.assert(fc.property(prefixes, fc.array(prefix, { maxLength: 10 }), (input, except) => {
      const got = run(input, except).set.toStrings().map(parseRef).map(key);
      expect(got).toEqual(referenceAggregate(input, except).map(key));
    }), params);
  });

  it('outputs sorted, non-overlapping, non-mergeable prefixes', () => {
    fc.assert(fc.property(prefixes, fc.array(prefix, { maxLength: 5 }), (input, except) => {
      const out = run(input, except).set.toStrings().map(parseRef);
      for (let i = 1; i < out.length; i++) {
        const a = out[i - 1]!;
        const b = out[i]!;
        if (a.family !== b.family) {
          expect(a.family).toBe(4);
          continue;
        }
        expect(toRange(a).end).toBeLessThan(b.start); // sorted and disjoint
        const siblings = a.len === b.len && a.len > 0
          && toRange(a).end + 1n === b.start && (a.start >> BigInt((a.family === 4 ? 32 : 128) - a.len + 1)) === (b.start >> BigInt((b.family === 4 ? 32 : 128) - b.len + 1));
        expect(siblings).toBe(false); // two halves of one parent would be mergeable
      }
    }), params);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(prefixes, (input) => {
      const once = run(input).set;
      const twice = aggregate(parseCidrs(once.toString()).prefixes).set;
      expect(twice.equals(once)).toBe(true);
    }), params);
  });

  it('does not depend on input order', () => {
    fc.assert(fc.property(prefixes.chain((a) => fc.tuple(fc.constant(a), fc.shuffledSubarray(a, { minLength: a.length }))), ([a, shuffled]) => {
      expect(run(shuffled).set.toStrings()).toEqual(run(a).set.toStrings());
    }), params);
  });

  it('accounts for every input prefix in the stats', () => {
    fc.assert(fc.property(prefixes, (input) => {
      const { stats } = run(input);
      for (const f of [stats.ipv4, stats.ipv6]) {
        expect(f.duplicates + f.contained + f.mergedAdjacent + f.outputPrefixes).toBe(f.inputPrefixes);
        expect(f.mergedAdjacent).toBeGreaterThanOrEqual(0);
      }
      expect(stats.inputPrefixes).toBe(input.length);
    }), params);
  });

  it('counts duplicates and contained prefixes like a naive O(n²) count', () => {
    fc.assert(fc.property(prefixes, (input) => {
      const { stats } = run(input);
      const distinct = [...new Map(input.map((p) => [key(p), p])).values()];
      const inside = (a: RefPrefix, b: RefPrefix) => a.family === b.family && a.len > b.len
        && toRange(a).start >= toRange(b).start && toRange(a).end <= toRange(b).end;
      const contained = distinct.filter((a) => distinct.some((b) => inside(a, b))).length;
      expect(stats.duplicates).toBe(input.length - distinct.length);
      expect(stats.contained).toBe(contained);
      const size = (f: 4 | 6) => mergeRanges(input.filter((p) => p.family === f).map(toRange))
        .reduce((n, r) => n + r.end - r.start + 1n, 0n);
      expect(stats.ipv4.addresses).toBe(size(4));
      expect(stats.ipv6.addresses).toBe(size(6));
    }), params);
  });

  it('gives the same result for sorted input (which skips the radix passes)', () => {
    fc.assert(fc.property(prefixes, (input) => {
      const sorted = [...input].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : b.len - a.len));
      expect(run(sorted).set.toStrings()).toEqual(run(input).set.toStrings());
      expect(run(sorted).stats).toEqual(run(input).stats);
    }), params);
  });
});

describe('aggregate leaves its input alone', () => {
  it("never writes into the caller's list, sorted or not, and gives the reference cover", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })), fc.tuple(fc.ipV6(), fc.integer({ min: 16, max: 128 }))), { maxLength: 60 }), fc.boolean(), (items, sortFirst) => {
        const all = items.map(([a, l]) => Cidr.parse(`${a}/${l}`, { lenient: true }).toString());
        // Sorted by start (an aggregated set's order): the list aggregate reads without copying.
        const texts = sortFirst ? [...toCidrSet(all).toStrings()] : all;
        const list = parseCidrs(texts.join('\n')).prefixes;
        const before = [Array.from(list.v4Start.subarray(0, list.v4Count)), Array.from(list.v4Len.subarray(0, list.v4Count)), Array.from(list.v6Words.subarray(0, 4 * list.v6Count)), Array.from(list.v6Len.subarray(0, list.v6Count))];
        const set = aggregate(list).set;
        expect([Array.from(list.v4Start.subarray(0, list.v4Count)), Array.from(list.v4Len.subarray(0, list.v4Count)), Array.from(list.v6Words.subarray(0, 4 * list.v6Count)), Array.from(list.v6Len.subarray(0, list.v6Count))]).toEqual(before);
        expect(set.toStrings()).toEqual(toCidrSet(all).toStrings());
      }),
      { numRuns: 300 },
    );
  });
});

describe('aggregate with reuseInput', () => {
  it('gives the same cover and counts as leaving the list alone, and keeps the list counts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })), fc.tuple(fc.ipV6(), fc.integer({ min: 16, max: 128 }))), { maxLength: 80 }), fc.boolean(), (items, sortFirst) => {
        const all = items.map(([a, l]) => Cidr.parse(`${a}/${l}`, { lenient: true }).toString());
        const texts = sortFirst ? [...toCidrSet(all).toStrings()] : all;
        const kept = aggregate(parseCidrs(texts.join('\n')).prefixes, { except: ['10.0.0.0/8'] });
        const list = parseCidrs(texts.join('\n')).prefixes;
        const reused = aggregate(list, { except: ['10.0.0.0/8'], reuseInput: true });
        expect(reused.set.toStrings()).toEqual(kept.set.toStrings());
        expect(reused.stats).toEqual(kept.stats);
        expect(list.size).toBe(texts.length);
      }),
      { numRuns: 300 },
    );
  });
});
