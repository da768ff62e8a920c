/**
 * Aggregation to the minimal CIDR cover.
 *
 * Why hand-written instead of a library: measured on 1M-line feeds (`npm run bench`), cidr-tools (BigInt ranges, one
 * object per prefix) takes 4-6x longer than this engine and over 280 MiB, while the target is to stay within 1.5x of
 * `iprange --optimize` (C). So prefixes stay in typed arrays and are sorted with an LSD radix sort over 16-bit
 * digits (cold, 1M IPv4 prefixes: ~65-90 ms of CPU against ~110-120 ms for the native sort of packed
 * `start * 64 + len` doubles), and a single sweep does everything else.
 *
 * The sweep works on prefixes, never on address ranges: two CIDR prefixes are either nested or disjoint, so after
 * sorting by (start, length), a prefix is redundant exactly when it starts inside the last prefix kept, and the
 * minimal cover is obtained by repeatedly merging the top of an output stack with its sibling (same length, the
 * other half of the same parent). Every output block is then maximal (its sibling is not fully covered), which
 * is the unique minimal cover, the same set `iprange --optimize` prints.
 */
import { Cidr } from './cidr.js';
import { CidrSet } from './cidr-set.js';
import { subtract } from './exclude.js';
import { parseCidrList, type ParseCidrsOptions } from './parse.js';
import { PrefixList } from './prefix-list.js';
import { maskV6Word } from './_scan.js';

/** Per-family counts of what aggregation did. */
export interface FamilyAggregateStats {
  /** Prefixes given (after parsing, before anything was removed). */
  readonly inputPrefixes: number;
  /** Prefixes identical to one seen before. */
  readonly duplicates: number;
  /** Distinct prefixes inside another input prefix. */
  readonly contained: number;
  /** Prefixes that disappeared by merging adjacent blocks into their parent (input − duplicates − contained − cover). */
  readonly mergedAdjacent: number;
  /** Prefixes in the result (after exclusions). */
  readonly outputPrefixes: number;
  /** Addresses covered by the result. */
  readonly addresses: bigint;
  /** Addresses removed by exclusions. */
  readonly excludedAddresses: bigint;
}

/** Counts of what aggregation did, in total and per family. */
export interface AggregateStats {
  readonly inputPrefixes: number;
  readonly duplicates: number;
  readonly contained: number;
  readonly mergedAdjacent: number;
  readonly outputPrefixes: number;
  readonly ipv4: FamilyAggregateStats;
  readonly ipv6: FamilyAggregateStats;
}

/** What `aggregate` returns. */
export interface AggregateResult {
  /** The minimal sorted cover, exclusions removed. */
  readonly set: CidrSet;
  /** What was merged and removed. */
  readonly stats: AggregateStats;
}

/** Prefixes to subtract: an aggregated set, a parsed list, or prefix strings / `Cidr` values. */
export type ExclusionInput = CidrSet | PrefixList | readonly (string | Cidr)[];

/** Options for `aggregate`. */
export interface AggregateOptions {
  /** Prefixes removed from the result (the `except` list of a block list). @default - none */
  readonly except?: ExclusionInput;
  /** The cluster's own CIDRs (pods, services, API server): also removed from the result. @default - none */
  readonly clusterCidrs?: ExclusionInput;
  /**
   * Whether aggregation may sort and overwrite the input list in place (its prefixes are unspecified afterwards; its
   * counts stay). For a caller that drops the list after aggregating: it saves a copy of the list, and on a 1M-line
   * feed the fresh memory of that copy measured ~30 ms. A list of several (`aggregate([a, b])`) is always a new one.
   * @default false (the list is left as it was)
   */
  readonly reuseInput?: boolean;
}

interface FamilyResult {
  readonly dup: number;
  readonly contained: number;
  /** Addresses covered, summed while sweeping (merging siblings does not change the sum). */
  readonly addresses: bigint;
}

/**
 * One stable counting-sort pass of IPv4 records by a 16-bit digit: the length (`shift < 0`) or `start >>> shift`.
 * Returns false (and moves nothing) when every record has the same digit.
 *
 * Every pass of both sorts goes through this one small function on purpose: V8 optimises a function once it is hot,
 * but a loop inside a long function runs interpreted until on-stack replacement, once per loop. One function per
 * kind of pass, reused across passes, measured about twice as fast on a cold 1M-line run as one function with a
 * loop per pass.
 */
function passV4(srcS: Uint32Array, srcL: Uint8Array, dstS: Uint32Array, dstL: Uint8Array, count: Uint32Array, shift: number, n: number): boolean {
  count.fill(0);
  if (shift < 0) countLengths(srcL, count, n);
  else countDigitsV4(srcS, count, shift, n);
  if (!toOffsets(count, n)) return false;
  if (shift < 0) scatterByLengthV4(srcS, srcL, dstS, dstL, count, n);
  else scatterByDigitV4(srcS, srcL, dstS, dstL, count, shift, n);
  return true;
}

/*
 * The loops of the passes, a function each: V8 optimises a loop while it runs (on-stack replacement) together with the
 * rest of its function, and code after the loop that has not run yet has no type feedback, so the optimised code was
 * thrown away as soon as it got there (--trace-deopt: "insufficient type feedback"), once per pass kind, on every
 * cold run.
 */
function countLengths(len: Uint8Array, count: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) count[len[i]!]!++;
}

function countDigitsV4(start: Uint32Array, count: Uint32Array, shift: number, n: number): void {
  for (let i = 0; i < n; i++) count[(start[i]! >>> shift) & 0xffff]!++;
}

/** Turns digit counts into start offsets; false (nothing to move) when one digit holds all `n` records. */
function toOffsets(count: Uint32Array, n: number): boolean {
  let sum = 0;
  for (let d = 0; d < 65536; d++) {
    const c = count[d]!;
    if (c === n) return false;
    count[d] = sum;
    sum += c;
  }
  return true;
}

function scatterByLengthV4(srcS: Uint32Array, srcL: Uint8Array, dstS: Uint32Array, dstL: Uint8Array, count: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const l = srcL[i]!;
    const j = count[l]!++;
    dstS[j] = srcS[i]!;
    dstL[j] = l;
  }
}

function scatterByDigitV4(srcS: Uint32Array, srcL: Uint8Array, dstS: Uint32Array, dstL: Uint8Array, count: Uint32Array, shift: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const st = srcS[i]!;
    const j = count[(st >>> shift) & 0xffff]!++;
    dstS[j] = st;
    dstL[j] = srcL[i]!;
  }
}

/** Whether starts are already non-decreasing (many feeds are published sorted; then no pass is needed). */
function isSortedV4(start: Uint32Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (start[i]! < start[i - 1]!) return false;
  return true;
}

/**
 * LSD radix sort of IPv4 prefixes by start: two passes on 16-bit halves. Lengths are not sorted: the sweep handles
 * prefixes sharing a start as a group, which saves a third pass. Returns sorted copies (the input is not modified),
 * or the input itself when it is already sorted.
 */
function sortV4(start: Uint32Array, len: Uint8Array, n: number, reuseInput: boolean): { start: Uint32Array; len: Uint8Array } {
  if (isSortedV4(start, n)) return { start, len };
  let srcS: Uint32Array = start;
  let srcL: Uint8Array = len;
  let dstS: Uint32Array = new Uint32Array(n);
  let dstL: Uint8Array = new Uint8Array(n);
  let spareS: Uint32Array | undefined;
  let spareL: Uint8Array | undefined;
  const count = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    if (!passV4(srcS, srcL, dstS, dstL, count, shift, n)) continue;
    // Never write into the caller's arrays unless allowed: the first swap brings in a fresh spare buffer.
    const prevS = srcS;
    const prevL = srcL;
    srcS = dstS;
    srcL = dstL;
    if (prevS === start && !reuseInput) {
      spareS ??= new Uint32Array(n);
      spareL ??= new Uint8Array(n);
      dstS = spareS;
      dstL = spareL;
    } else {
      dstS = prevS;
      dstL = prevL;
    }
  }
  return { start: srcS, len: srcL };
}

/** Sorts and sweeps IPv4 prefixes; writes the cover into `outStart`/`outLen` and returns its size. */
function aggregateV4(start: Uint32Array, len: Uint8Array, n: number, reuseInput: boolean): FamilyResult & { count: number; start: Uint32Array; len: Uint8Array } {
  const sorted = sortV4(start, len, n, reuseInput);
  const ss = sorted.start;
  const sl = sorted.len;
  // The cover is written over the sorted copy (each prefix kept consumed at least one read before it, so a write never
  // lands where a read is still to come): no third array of the input's size, whose fresh pages cost a fault each.
  // An input already sorted is the caller's own list, never written to unless allowed.
  const inPlace = ss !== start || reuseInput;
  const outStart = inPlace ? ss : new Uint32Array(n);
  const outLen = inPlace ? sl : new Uint8Array(n);
  let top = -1;
  let dup = 0;
  let contained = 0;
  let coverEnd = -1; // last address of the last prefix kept
  let covered = 0; // at most 2^32: exact in a double
  const seen = new Uint32Array(33);
  let stamp = 0;
  let i = 0;
  while (i < n) {
    let s = ss[i]!;
    let l = sl[i]!;
    let j = i + 1;
    if (j < n && ss[j] === s) {
      // Several prefixes start here: the shortest covers the others, which are duplicates or contained in it.
      seen[l] = ++stamp;
      let distinct = 1;
      for (; j < n && ss[j] === s; j++) {
        const lj = sl[j]!;
        if (seen[lj] !== stamp) {
          seen[lj] = stamp;
          distinct++;
          if (lj < l) l = lj;
        }
      }
      dup += j - i - distinct;
      contained += distinct - 1;
    }
    i = j;
    if (s <= coverEnd) {
      contained++;
      continue;
    }
    let size = 2 ** (32 - l);
    coverEnd = s + size - 1;
    covered += size;
    // Merge with the left sibling while the top of the stack is exactly that: same length, s is the right half.
    while (top >= 0 && l > 0 && outLen[top] === l && outStart[top] === s - size && ((s >>> (32 - l)) & 1) === 1) {
      s -= size;
      size *= 2;
      l--;
      top--;
    }
    top++;
    outStart[top] = s;
    outLen[top] = l;
  }
  return { count: top + 1, dup, contained, addresses: BigInt(covered), start: outStart, len: outLen };
}

/**
 * Counts of all eight 16-bit digits of IPv6 starts in one read of the records: digit d (0 = w3 low … 7 = w0 high)
 * has its counts at [d * 65536, (d + 1) * 65536). One read instead of one per pass, and constant digits (the low
 * words of /32–/64 prefixes) cost nothing more.
 */
function histogramsV6(w: Uint32Array, n: number): Uint32Array {
  const h = new Uint32Array(8 * 65536);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const w0 = w[o]!;
    const w1 = w[o + 1]!;
    const w2 = w[o + 2]!;
    const w3 = w[o + 3]!;
    h[w3 & 0xffff]!++;
    h[65536 + (w3 >>> 16)]!++;
    h[131072 + (w2 & 0xffff)]!++;
    h[196608 + (w2 >>> 16)]!++;
    h[262144 + (w1 & 0xffff)]!++;
    h[327680 + (w1 >>> 16)]!++;
    h[393216 + (w0 & 0xffff)]!++;
    h[458752 + (w0 >>> 16)]!++;
  }
  return h;
}

/**
 * One stable pass of IPv6 records (four words + length) by digit `d` (see `histogramsV6`), using its counts in
 * `count`. Returns false (and moves nothing) when every record has the same digit.
 */
function passV6(srcW: Uint32Array, srcL: Uint8Array, dstW: Uint32Array, dstL: Uint8Array, count: Uint32Array, d: number, n: number): boolean {
  if (!toOffsets(count, n)) return false;
  scatterV6(srcW, srcL, dstW, dstL, count, 3 - (d >> 1), (d & 1) * 16, n);
  return true;
}

function scatterV6(srcW: Uint32Array, srcL: Uint8Array, dstW: Uint32Array, dstL: Uint8Array, count: Uint32Array, word: number, shift: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const j = count[((srcW[o + word]! | 0) >>> shift) & 0xffff]!++;
    const p = 4 * j;
    // Words read as int32 (`| 0`; a Uint32Array stores them back as the same bits, `>>>` reads them as uint32): a
    // word above 2^31 read as a plain number made V8 drop the optimised loop ("lost precision").
    dstW[p] = srcW[o]! | 0;
    dstW[p + 1] = srcW[o + 1]! | 0;
    dstW[p + 2] = srcW[o + 2]! | 0;
    dstW[p + 3] = srcW[o + 3]! | 0;
    dstL[j] = srcL[i]!;
  }
}

/** Whether IPv6 starts are already non-decreasing. */
function isSortedV6(w: Uint32Array, n: number): boolean {
  for (let i = 1; i < n; i++) {
    const o = 4 * i;
    for (let k = 0; k < 4; k++) {
      const a = w[o - 4 + k]!;
      const b = w[o + k]!;
      if (a < b) break;
      if (a > b) return false;
    }
  }
  return true;
}

/**
 * LSD radix sort of IPv6 prefixes by (w0, w1, w2, w3), 16-bit digits, moving the records themselves so the
 * sweep reads memory in order. Passes whose digit is constant are skipped, so typical feeds (/32–/64, low words
 * zero) take about four. Lengths are left to the sweep. Returns sorted copies, or the input when already sorted.
 */
function sortV6(words: Uint32Array, len: Uint8Array, n: number, reuseInput: boolean): { words: Uint32Array; len: Uint8Array } {
  if (isSortedV6(words, n)) return { words, len };
  let srcW: Uint32Array = words;
  let srcL: Uint8Array = len;
  let dstW: Uint32Array = new Uint32Array(4 * n);
  let dstL: Uint8Array = new Uint8Array(n);
  let spareW: Uint32Array | undefined;
  let spareL: Uint8Array | undefined;
  // Digit histograms do not depend on the order, so all are counted up front from the input.
  const hist = histogramsV6(words, n);
  for (let d = 0; d < 8; d++) {
    if (!passV6(srcW, srcL, dstW, dstL, hist.subarray(d * 65536, (d + 1) * 65536), d, n)) continue;
    const prevW = srcW;
    const prevL = srcL;
    srcW = dstW;
    srcL = dstL;
    if (prevW === words && !reuseInput) {
      spareW ??= new Uint32Array(4 * n);
      spareL ??= new Uint8Array(n);
      dstW = spareW;
      dstL = spareL;
    } else {
      dstW = prevW;
      dstL = prevL;
    }
  }
  return { words: srcW, len: srcL };
}


/** Sorts and sweeps IPv6 prefixes (same algorithm as IPv4 with 128-bit values as four words). */
function aggregateV6(words: Uint32Array, len: Uint8Array, n: number, reuseInput: boolean): FamilyResult & { count: number; words: Uint32Array; len: Uint8Array } {
  const sorted = sortV6(words, len, n, reuseInput);
  const sw = sorted.words;
  const sl = sorted.len;
  // Written over the sorted copy, as for IPv4 (see aggregateV4).
  const inPlace = sw !== words || reuseInput;
  const out = inPlace ? sw : new Uint32Array(4 * n);
  const outLen = inPlace ? sl : new Uint8Array(n);
  let top = -1;
  let dup = 0;
  let contained = 0;
  let have = false;
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0; // last address of the last prefix kept
  const seen = new Uint32Array(129);
  const perLen = new Float64Array(129); // kept blocks per length, for the address count
  let stamp = 0;
  let k = 0;
  while (k < n) {
    let a0 = sw[4 * k]!, a1 = sw[4 * k + 1]!, a2 = sw[4 * k + 2]!, a3 = sw[4 * k + 3]!;
    let l = sl[k]!;
    let j = k + 1;
    if (j < n && sw[4 * j] === a0 && sw[4 * j + 1] === a1 && sw[4 * j + 2] === a2 && sw[4 * j + 3] === a3) {
      // Several prefixes start here: the shortest covers the others (duplicates or contained), as for IPv4.
      seen[l] = ++stamp;
      let distinct = 1;
      for (; j < n && sw[4 * j] === a0 && sw[4 * j + 1] === a1 && sw[4 * j + 2] === a2 && sw[4 * j + 3] === a3; j++) {
        const lj = sl[j]!;
        if (seen[lj] !== stamp) {
          seen[lj] = stamp;
          distinct++;
          if (lj < l) l = lj;
        }
      }
      dup += j - k - distinct;
      contained += distinct - 1;
    }
    k = j;
    // Contained when start <= end of the last kept prefix (they nest or are disjoint, and starts are sorted).
    if (have && (a0 < e0 || (a0 === e0 && (a1 < e1 || (a1 === e1 && (a2 < e2 || (a2 === e2 && a3 <= e3))))))) {
      contained++;
      continue;
    }
    have = true;
    perLen[l]!++;
    e0 = (a0 | ~maskV6Word(l, 0)) >>> 0;
    e1 = (a1 | ~maskV6Word(l, 1)) >>> 0;
    e2 = (a2 | ~maskV6Word(l, 2)) >>> 0;
    e3 = (a3 | ~maskV6Word(l, 3)) >>> 0;
    while (top >= 0 && l > 0 && outLen[top] === l) {
      // The bit that distinguishes the two halves of the parent: bit (l-1) counted from the most significant.
      const b = l - 1;
      const w = b >>> 5;
      const bit = (1 << (31 - (b & 31))) >>> 0;
      const aw = w === 0 ? a0 : w === 1 ? a1 : w === 2 ? a2 : a3;
      if ((aw & bit) === 0) break; // a left half cannot merge with what precedes it
      const o = 4 * top;
      const cleared = (aw & ~bit) >>> 0;
      if (out[o] !== (w === 0 ? cleared : a0) || out[o + 1] !== (w === 1 ? cleared : a1)
        || out[o + 2] !== (w === 2 ? cleared : a2) || out[o + 3] !== (w === 3 ? cleared : a3)) break;
      a0 = out[o]!; a1 = out[o + 1]!; a2 = out[o + 2]!; a3 = out[o + 3]!;
      l--;
      top--;
    }
    top++;
    const o = 4 * top;
    out[o] = a0;
    out[o + 1] = a1;
    out[o + 2] = a2;
    out[o + 3] = a3;
    outLen[top] = l;
  }
  let addresses = 0n;
  for (let x = 0; x <= 128; x++) if (perLen[x]! > 0) addresses += BigInt(perLen[x]!) << BigInt(128 - x);
  return { count: top + 1, dup, contained, addresses, words: out, len: outLen };
}

/** Aggregates without exclusions; returns the cover and the raw counts. */
function cover(list: PrefixList, reuseInput = false): { set: CidrSet; v4: FamilyResult; v6: FamilyResult } {
  const r4 = aggregateV4(list.v4Start, list.v4Len, list.v4Count, reuseInput);
  const r6 = aggregateV6(list.v6Words, list.v6Len, list.v6Count, reuseInput);
  // Right-sized copies, unless the array is exactly the cover: a 1M-entry scratch buffer (or the list's own arrays,
  // which have room to grow) is not kept alive by a small result.
  const fit = <T extends Uint32Array | Uint8Array>(a: T, size: number): T => (a.length === size ? a : (a.slice(0, size) as T));
  const set = CidrSet._unsafe(fit(r4.start, r4.count), fit(r4.len, r4.count), fit(r6.words, r6.count * 4), fit(r6.len, r6.count), { v4: r4.addresses, v6: r6.addresses });
  return { set, v4: r4, v6: r6 };
}

/** Turns any exclusion input into an aggregated set. */
export function toExclusionSet(input: ExclusionInput | undefined, source = 'except'): CidrSet {
  if (input === undefined) return CidrSet.EMPTY;
  if (input instanceof CidrSet) return input;
  if (input instanceof PrefixList) return cover(input).set;
  const list = new PrefixList(input.length);
  const strings: string[] = [];
  for (const item of input) {
    if (item instanceof Cidr) {
      if (item.family === 4) list.pushV4(item.w0, item.length);
      else list.pushV6(item.w0, item.w1, item.w2, item.w3, item.length);
    } else {
      strings.push(item);
    }
  }
  if (strings.length > 0) parseCidrList(strings, { source, into: list, hostBitsHint: '' });
  return cover(list, true).set; // a list of its own
}

/**
 * Aggregates prefixes to their minimal CIDR cover: removes duplicates and contained prefixes, merges adjacent
 * blocks, subtracts `except` and `clusterCidrs`, and counts what it did. The result is sorted (IPv4 first, numeric
 * order) and independent of input order.
 *
 * @example
 * const { set, stats } = aggregate(parseCidrs(text, { source: 'feed.txt' }).prefixes, { except: ['10.0.0.0/8'] });
 * set.toStrings(); // ['192.0.2.0/23', '2001:db8::/32']
 */
export function aggregate(input: PrefixList | readonly PrefixList[], options: AggregateOptions = {}): AggregateResult {
  let list: PrefixList;
  let ours = false;
  if (input instanceof PrefixList) {
    list = input;
  } else {
    list = new PrefixList(input.reduce((n, l) => n + l.size, 0));
    for (const l of input) list.append(l);
    ours = true;
  }
  const { set: full, v4, v6 } = cover(list, ours || options.reuseInput === true);
  const except = toExclusionSet(options.except, 'except');
  const cluster = toExclusionSet(options.clusterCidrs, 'clusterCidrs');
  let set = full;
  if (except.size > 0) set = subtract(set, except);
  if (cluster.size > 0) set = subtract(set, cluster);
  const before = full.addresses();
  const after = set === full ? before : set.addresses();
  const ipv4: FamilyAggregateStats = {
    inputPrefixes: list.v4Count,
    duplicates: v4.dup,
    contained: v4.contained,
    mergedAdjacent: list.v4Count - v4.dup - v4.contained - full.v4Count,
    outputPrefixes: set.v4Count,
    addresses: after.v4,
    excludedAddresses: before.v4 - after.v4,
  };
  const ipv6: FamilyAggregateStats = {
    inputPrefixes: list.v6Count,
    duplicates: v6.dup,
    contained: v6.contained,
    mergedAdjacent: list.v6Count - v6.dup - v6.contained - full.v6Count,
    outputPrefixes: set.v6Count,
    addresses: after.v6,
    excludedAddresses: before.v6 - after.v6,
  };
  return {
    set,
    stats: {
      inputPrefixes: ipv4.inputPrefixes + ipv6.inputPrefixes,
      duplicates: ipv4.duplicates + ipv6.duplicates,
      contained: ipv4.contained + ipv6.contained,
      mergedAdjacent: ipv4.mergedAdjacent + ipv6.mergedAdjacent,
      outputPrefixes: set.size,
      ipv4,
      ipv6,
    },
  };
}

/**
 * Parses and aggregates a list of prefix strings in one step (strict: host bits are an error).
 *
 * @example toCidrSet(['10.0.0.0/25', '10.0.0.128/25']).toStrings() // ['10.0.0.0/24']
 */
export function toCidrSet(prefixes: readonly (string | Cidr)[], options: Pick<ParseCidrsOptions, 'source' | 'lenient'> = {}): CidrSet {
  const list = new PrefixList(prefixes.length);
  const strings: string[] = [];
  for (const item of prefixes) {
    if (item instanceof Cidr) {
      if (item.family === 4) list.pushV4(item.w0, item.length);
      else list.pushV6(item.w0, item.w1, item.w2, item.w3, item.length);
    } else {
      strings.push(item);
    }
  }
  if (strings.length > 0) parseCidrList(strings, { ...options, into: list, hostBitsHint: options.lenient ? undefined : '' });
  return cover(list, true).set; // a list of its own
}

/** Union of aggregated sets (itself aggregated). */
export function union(...sets: readonly CidrSet[]): CidrSet {
  const list = new PrefixList(sets.reduce((n, s) => n + s.size, 0));
  for (const s of sets) {
    for (let i = 0; i < s.v4Count; i++) list.pushV4(s.v4Start[i]!, s.v4Len[i]!);
    const w = s.v6Words;
    for (let i = 0; i < s.v6Count; i++) list.pushV6(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, s.v6Len[i]!);
  }
  return cover(list, true).set; // a list of its own
}
