import { Cidr } from './cidr.js';
import {
  formatIPv4Prefix, formatIPv6Prefix, MAX_IPV4_PREFIX_BYTES, MAX_IPV6_PREFIX_BYTES, writeIPv4Prefix, writeIPv6Prefix,
} from './format.js';

/**
 * An aggregated prefix set: the minimal CIDR cover of some addresses, sorted (IPv4 first, then IPv6, each in numeric
 * order), no two prefixes overlapping or mergeable. Built by `aggregate`, `subtract` and `toCidrSet`; immutable.
 *
 * Storage is typed arrays for the same reason as `PrefixList`; use `toStrings()` for canonical text.
 */
export class CidrSet {
  /** The empty set. */
  public static readonly EMPTY = new CidrSet(new Uint32Array(0), new Uint8Array(0), new Uint32Array(0), new Uint8Array(0));

  /**
   * Wraps arrays that already satisfy the invariants (sorted, disjoint, not mergeable, host bits zero).
   * @internal
   */
  public static _unsafe(
    v4Start: Uint32Array, v4Len: Uint8Array, v6Words: Uint32Array, v6Len: Uint8Array,
    addresses?: { readonly v4: bigint; readonly v6: bigint },
  ): CidrSet {
    const set = new CidrSet(v4Start, v4Len, v6Words, v6Len);
    set.cachedAddresses = addresses;
    return set;
  }

  /** Address counts, when the builder already knew them (the aggregation sweep sums them for free). */
  private cachedAddresses?: { readonly v4: bigint; readonly v6: bigint };
  /** The canonical texts, formatted once: a geo-blocking set is sharded for every Cilium and Calico target. */
  private cachedStrings?: readonly string[];

  private constructor(
    /** IPv4 network addresses in ascending order. */
    public readonly v4Start: Uint32Array,
    /** IPv4 prefix lengths, parallel to `v4Start`. */
    public readonly v4Len: Uint8Array,
    /** IPv6 network addresses in ascending order, four big-endian 32-bit words each. */
    public readonly v6Words: Uint32Array,
    /** IPv6 prefix lengths, parallel to `v6Words`. */
    public readonly v6Len: Uint8Array,
  ) {}

  /** Number of IPv4 prefixes. */
  public get v4Count(): number {
    return this.v4Len.length;
  }

  /** Number of IPv6 prefixes. */
  public get v6Count(): number {
    return this.v6Len.length;
  }

  /** Number of prefixes (both families). */
  public get size(): number {
    return this.v4Len.length + this.v6Len.length;
  }

  /** Whether the set holds no address at all. */
  public get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Canonical text of the i-th IPv4 prefix. */
  public v4Text(i: number): string {
    return formatIPv4Prefix(this.v4Start[i]!, this.v4Len[i]!);
  }

  /** Canonical text of the i-th IPv6 prefix. */
  public v6Text(i: number): string {
    const w = this.v6Words;
    return formatIPv6Prefix(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, this.v6Len[i]!);
  }

  /** Canonical text of every prefix, IPv4 first, in numeric order (computed once; the set is immutable). */
  public toStrings(): readonly string[] {
    if (!this.cachedStrings) {
      // Writing bytes and splitting once is several times faster than building one template string per prefix.
      this.cachedStrings = this.size === 0 ? [] : this.toBuffer().toString('latin1').slice(0, -1).split('\n');
    }
    return this.cachedStrings;
  }

  /**
   * The canonical text as ASCII bytes, one prefix per line, each line ending in `\n` (what `netsec cidrs aggregate`
   * writes). Fast path for large sets: no intermediate strings.
   */
  public toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.v4Count * (MAX_IPV4_PREFIX_BYTES + 1) + this.v6Count * (MAX_IPV6_PREFIX_BYTES + 1));
    return out.subarray(0, writeV6Lines(out, writeV4Lines(out, 0, this.v4Start, this.v4Len), this.v6Words, this.v6Len));
  }

  /** The prefixes as `Cidr` values (allocates one object each: meant for small sets and tests). */
  public *[Symbol.iterator](): IterableIterator<Cidr> {
    for (let i = 0; i < this.v4Count; i++) yield Cidr.v4(this.v4Start[i]!, this.v4Len[i]!);
    const w = this.v6Words;
    for (let i = 0; i < this.v6Count; i++) yield Cidr.v6(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, this.v6Len[i]!);
  }

  /** Number of addresses covered, per family (bigint: an IPv6 set easily exceeds 2^53). */
  public addresses(): { readonly v4: bigint; readonly v6: bigint } {
    if (this.cachedAddresses) return this.cachedAddresses;
    let v4 = 0;
    for (let i = 0; i < this.v4Count; i++) v4 += 2 ** (32 - this.v4Len[i]!);
    // Count per length first: one BigInt operation per distinct length instead of per prefix.
    const perLen = new Float64Array(129);
    for (let i = 0; i < this.v6Count; i++) perLen[this.v6Len[i]!]!++;
    let v6 = 0n;
    for (let l = 0; l <= 128; l++) if (perLen[l]! > 0) v6 += BigInt(perLen[l]!) << BigInt(128 - l);
    this.cachedAddresses = { v4: BigInt(v4), v6 };
    return this.cachedAddresses;
  }

  /** Whether both sets hold exactly the same prefixes (and so the same addresses). */
  public equals(other: CidrSet): boolean {
    return sameArray(this.v4Start, other.v4Start) && sameArray(this.v4Len, other.v4Len)
      && sameArray(this.v6Words, other.v6Words) && sameArray(this.v6Len, other.v6Len);
  }

  /** One canonical prefix per line, with a trailing newline (empty string for the empty set). */
  public toString(): string {
    return this.toBuffer().toString('latin1');
  }
}

function sameArray(a: Uint32Array | Uint8Array, b: Uint32Array | Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/*
 * The two loops of `toBuffer`, each a function of its own, and every word passed on as int32 (`| 0`): this runs once
 * per run over 100,000s of prefixes, and V8 optimises each loop on its own only when it is a function of its own,
 * while a Uint32Array word above 2^31 passed as is made it throw its optimised code away ("not a Smi"). Measured
 * ~2x faster on a cold 134k-prefix set. The writers read the words with `>>>`, which sees int32 and uint32 alike.
 */
function writeV4Lines(out: Uint8Array, pos: number, start: Uint32Array, len: Uint8Array): number {
  for (let i = 0; i < start.length; i++) {
    pos = writeIPv4Prefix(out, pos, start[i]! | 0, len[i]!);
    out[pos++] = 10;
  }
  return pos;
}

function writeV6Lines(out: Uint8Array, pos: number, words: Uint32Array, len: Uint8Array): number {
  for (let i = 0; i < len.length; i++) {
    pos = writeIPv6Prefix(out, pos, words[4 * i]! | 0, words[4 * i + 1]! | 0, words[4 * i + 2]! | 0, words[4 * i + 3]! | 0, len[i]!);
    out[pos++] = 10;
  }
  return pos;
}
