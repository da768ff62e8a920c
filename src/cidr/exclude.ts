/**
 * Set difference on aggregated prefix sets.
 *
 * Both inputs are minimal, sorted and disjoint, and any two prefixes nest or are disjoint. So for each block of the
 * base set, the exclusions that touch it are a contiguous run; if one of them contains the block, the block goes;
 * otherwise the block is split into its two halves and each half is handled the same way. A half is emitted only
 * when no exclusion touches it, which makes the output the maximal blocks of the difference: minimal and sorted,
 * with no merging pass needed (the sibling of an emitted half always lost some addresses).
 */
import { CidrSet } from './cidr-set.js';
import { maskV6Word } from './_scan.js';

class Growable4 {
  public start: Uint32Array;
  public len: Uint8Array;
  public n = 0;
  public constructor(cap: number) {
    this.start = new Uint32Array(Math.max(cap, 16));
    this.len = new Uint8Array(Math.max(cap, 16));
  }
  public push(s: number, l: number): void {
    if (this.n === this.len.length) {
      const start = new Uint32Array(this.n * 2);
      start.set(this.start);
      const len = new Uint8Array(this.n * 2);
      len.set(this.len);
      this.start = start;
      this.len = len;
    }
    this.start[this.n] = s;
    this.len[this.n++] = l;
  }
}

class Growable6 {
  public words: Uint32Array;
  public len: Uint8Array;
  public n = 0;
  public constructor(cap: number) {
    this.words = new Uint32Array(Math.max(cap, 16) * 4);
    this.len = new Uint8Array(Math.max(cap, 16));
  }
  public push(a: ArrayLike<number>, l: number): void {
    if (this.n === this.len.length) {
      const words = new Uint32Array(this.n * 8);
      words.set(this.words);
      const len = new Uint8Array(this.n * 2);
      len.set(this.len);
      this.words = words;
      this.len = len;
    }
    const o = this.n * 4;
    this.words[o] = a[0]!;
    this.words[o + 1] = a[1]!;
    this.words[o + 2] = a[2]!;
    this.words[o + 3] = a[3]!;
    this.len[this.n++] = l;
  }
}

function subtractV4(base: CidrSet, ex: CidrSet, out: Growable4): void {
  const bs = base.v4Start;
  const bl = base.v4Len;
  const es = ex.v4Start;
  const el = ex.v4Len;
  const m = ex.v4Count;
  const split = (s: number, l: number, lo: number, hi: number): void => {
    if (lo === hi) {
      out.push(s, l);
      return;
    }
    if (el[lo]! <= l) return; // an exclusion contains the whole block
    const mid = s + 2 ** (31 - l);
    let k = lo;
    while (k < hi && es[k]! < mid) k++;
    split(s, l + 1, lo, k);
    split(mid, l + 1, k, hi);
  };
  let j = 0;
  for (let i = 0; i < base.v4Count; i++) {
    const s = bs[i]!;
    const l = bl[i]!;
    const end = s + 2 ** (32 - l) - 1;
    while (j < m && es[j]! + 2 ** (32 - el[j]!) - 1 < s) j++;
    let k = j;
    while (k < m && es[k]! <= end) k++;
    if (k === j) out.push(s, l);
    else split(s, l, j, k);
  }
}

/** -1, 0 or 1 comparing four-word values `a[ao..]` and `b[bo..]`. */
function cmp(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number): number {
  for (let i = 0; i < 4; i++) {
    const x = a[ao + i]!;
    const y = b[bo + i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}


/** Writes the last address of prefix (a, l) into `into`. */
function lastAddress(a: ArrayLike<number>, ao: number, l: number, into: Uint32Array): Uint32Array {
  for (let i = 0; i < 4; i++) into[i] = (a[ao + i]! | ~maskV6Word(l, i)) >>> 0;
  return into;
}

function subtractV6(base: CidrSet, ex: CidrSet, out: Growable6): void {
  const bw = base.v6Words;
  const bl = base.v6Len;
  const ew = ex.v6Words;
  const el = ex.v6Len;
  const m = ex.v6Count;
  const end = new Uint32Array(4);
  const split = (a: Uint32Array, l: number, lo: number, hi: number): void => {
    if (lo === hi) {
      out.push(a, l);
      return;
    }
    if (el[lo]! <= l) return;
    const mid = a.slice();
    const w = l >>> 5;
    mid[w] = (mid[w]! | (1 << (31 - (l & 31)))) >>> 0;
    let k = lo;
    while (k < hi && cmp(ew, 4 * k, mid, 0) < 0) k++;
    split(a, l + 1, lo, k);
    split(mid, l + 1, k, hi);
  };
  const eEnd = new Uint32Array(4);
  let j = 0;
  for (let i = 0; i < base.v6Count; i++) {
    const l = bl[i]!;
    lastAddress(bw, 4 * i, l, end);
    while (j < m && cmp(lastAddress(ew, 4 * j, el[j]!, eEnd), 0, bw, 4 * i) < 0) j++;
    let k = j;
    while (k < m && cmp(ew, 4 * k, end, 0) <= 0) k++;
    if (k === j) out.push(bw.subarray(4 * i, 4 * i + 4), l);
    else split(bw.slice(4 * i, 4 * i + 4), l, j, k);
  }
}

/**
 * Removes every address of `except` from `base`. Both are aggregated sets; so is the result.
 *
 * @example subtract(toCidrSet(['10.0.0.0/8']), toCidrSet(['10.0.0.0/9'])).toStrings() // ['10.128.0.0/9']
 */
export function subtract(base: CidrSet, except: CidrSet): CidrSet {
  if (except.size === 0 || base.size === 0) return base;
  const o4 = new Growable4(base.v4Count + 32 * except.v4Count);
  subtractV4(base, except, o4);
  const o6 = new Growable6(base.v6Count + 8 * except.v6Count);
  subtractV6(base, except, o6);
  return CidrSet._unsafe(o4.start.slice(0, o4.n), o4.len.slice(0, o4.n), o6.words.slice(0, o6.n * 4), o6.len.slice(0, o6.n));
}

/** Addresses in both sets, as an aggregated set. */
export function intersect(a: CidrSet, b: CidrSet): CidrSet {
  // a ∩ b = a − (a − b): reuses the one well-tested primitive instead of a second sweep.
  return subtract(a, subtract(a, b));
}
