/**
 * An unordered, growable batch of parsed prefixes (what a feed reader produces before aggregation).
 *
 * Prefixes live in typed arrays rather than objects: a million-line feed would otherwise allocate a million
 * objects and spend its time in the garbage collector. IPv4 is one unsigned 32-bit word per prefix; IPv6 is four
 * big-endian 32-bit words. Host bits are always zero here (the parser rejects or normalises them).
 */
/** Slots per family for about `hint` prefixes: IPv6 is usually the minority in feeds, so it gets a quarter and grows. */
function capacitiesFor(hint: number): { v4: number; v6: number } {
  const v4 = Math.max(16, Math.ceil(hint));
  return { v4, v6: Math.max(16, v4 >>> 2) };
}

export class PrefixList {
  /** IPv4 network addresses (unsigned 32-bit). Only the first `v4Count` entries are meaningful. */
  public v4Start: Uint32Array;
  /** IPv4 prefix lengths, parallel to `v4Start`. */
  public v4Len: Uint8Array;
  /** Number of IPv4 prefixes held. */
  public v4Count = 0;
  /** IPv6 network addresses, four big-endian 32-bit words per prefix. */
  public v6Words: Uint32Array;
  /** IPv6 prefix lengths, parallel to `v6Words` (index i ↔ words 4i..4i+3). */
  public v6Len: Uint8Array;
  /** Number of IPv6 prefixes held. */
  public v6Count = 0;

  /** @param capacityHint expected number of prefixes (a guess is fine; the arrays grow by doubling). */
  public constructor(capacityHint = 64) {
    const { v4: cap, v6: cap6 } = capacitiesFor(capacityHint);
    this.v4Start = new Uint32Array(cap);
    this.v4Len = new Uint8Array(cap);
    this.v6Words = new Uint32Array(cap6 * 4);
    this.v6Len = new Uint8Array(cap6);
  }

  /**
   * Makes room for about `extra` more prefixes (a quarter of them IPv6, as the constructor assumes), so that a feed
   * parsed into a list made earlier grows once instead of doubling twenty times (measured: ~50 ms of copying on a
   * 1M-line feed read into an empty list).
   */
  public reserve(extra: number): void {
    // The constructor's own split, so that reserving what a new list was made for grows nothing (a rounding
    // difference here once doubled an empty 1M-prefix list: ~30 ms of fresh memory).
    const room = capacitiesFor(extra);
    if (this.v4Count + room.v4 > this.v4Len.length) this.growV4(this.v4Count + room.v4);
    if (this.v6Count + room.v6 > this.v6Len.length) this.growV6(this.v6Count + room.v6);
  }

  /** Total number of prefixes held (both families). */
  public get size(): number {
    return this.v4Count + this.v6Count;
  }

  /** Appends an IPv4 prefix. The caller guarantees that host bits are zero. */
  public pushV4(start: number, len: number): void {
    if (this.v4Count === this.v4Len.length) this.growV4();
    this.v4Start[this.v4Count] = start;
    this.v4Len[this.v4Count] = len;
    this.v4Count++;
  }

  /** Appends an IPv6 prefix given as four big-endian words. The caller guarantees that host bits are zero. */
  public pushV6(w0: number, w1: number, w2: number, w3: number, len: number): void {
    if (this.v6Count === this.v6Len.length) this.growV6();
    const o = this.v6Count * 4;
    const w = this.v6Words;
    w[o] = w0;
    w[o + 1] = w1;
    w[o + 2] = w2;
    w[o + 3] = w3;
    this.v6Len[this.v6Count] = len;
    this.v6Count++;
  }

  /** Appends every prefix of `other`. */
  public append(other: PrefixList): void {
    for (let i = 0; i < other.v4Count; i++) this.pushV4(other.v4Start[i]!, other.v4Len[i]!);
    const w = other.v6Words;
    for (let i = 0; i < other.v6Count; i++) {
      this.pushV6(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, other.v6Len[i]!);
    }
  }

  private growV4(atLeast = 0): void {
    const cap = Math.max(atLeast, this.v4Len.length * 2);
    const start = new Uint32Array(cap);
    start.set(this.v4Start);
    const len = new Uint8Array(cap);
    len.set(this.v4Len);
    this.v4Start = start;
    this.v4Len = len;
  }

  private growV6(atLeast = 0): void {
    const cap = Math.max(atLeast, this.v6Len.length * 2);
    const words = new Uint32Array(cap * 4);
    words.set(this.v6Words);
    const len = new Uint8Array(cap);
    len.set(this.v6Len);
    this.v6Words = words;
    this.v6Len = len;
  }
}
