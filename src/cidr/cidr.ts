import { NetsecError } from '../core/errors.js';
import { PrefixScanner, diagnoseToken, maskV4, maskV6Word } from './_scan.js';
import { formatIPv4Prefix, formatIPv6Prefix } from './format.js';
import { hostBitsMessage, mappedMessage } from './parse.js';

/** Options for `Cidr.parse`. */
export interface CidrParseOptions {
  /** Where the text came from, used as the error location (e.g. `netsec.yaml#/cluster/podCidrs/0`). */
  readonly source?: string;
  /** Normalise host bits instead of failing (`10.0.0.1/8` → `10.0.0.0/8`). @default false */
  readonly lenient?: boolean;
}

/**
 * One IPv4 or IPv6 prefix, as a plain value (for cluster CIDRs, `except` entries and single lookups). Large lists
 * use `PrefixList`/`CidrSet`, which keep prefixes in typed arrays instead of one object each.
 */
export class Cidr {
  /**
   * Parses a prefix or bare address (`/32` or `/128` implied). Throws `NetsecError` (`CONFIG`) with the same
   * messages as feed parsing.
   *
   * @example Cidr.parse('10.96.0.0/12').toString() // '10.96.0.0/12'
   */
  public static parse(text: string, options: CidrParseOptions = {}): Cidr {
    const t = text.trim();
    const loc = options.source !== undefined ? { file: options.source } : undefined;
    const s = new PrefixScanner();
    if (!s.scanText(t)) throw new NetsecError('CONFIG', diagnoseToken(t).message, loc);
    if (s.mapped) throw new NetsecError('CONFIG', mappedMessage(t, formatIPv4Prefix(s.w3, s.len - 96)), loc);
    if (s.hostBits && !options.lenient) throw new NetsecError('CONFIG', hostBitsMessage(t, s.text(), ''), loc);
    return new Cidr(s.family, s.len, s.w0, s.w1, s.w2, s.w3);
  }

  /** An IPv4 prefix from an unsigned 32-bit network address. Host bits are cleared. */
  public static v4(addr: number, len: number): Cidr {
    return new Cidr(4, len, (addr & maskV4(len)) >>> 0, 0, 0, 0);
  }

  /** An IPv6 prefix from four big-endian 32-bit words. Host bits are cleared. */
  public static v6(w0: number, w1: number, w2: number, w3: number, len: number): Cidr {
    return new Cidr(6, len,
      (w0 & maskV6Word(len, 0)) >>> 0, (w1 & maskV6Word(len, 1)) >>> 0,
      (w2 & maskV6Word(len, 2)) >>> 0, (w3 & maskV6Word(len, 3)) >>> 0);
  }

  private constructor(
    /** 4 or 6. */
    public readonly family: 4 | 6,
    /** Prefix length. */
    public readonly length: number,
    /** Network address: IPv4 in `w0`; IPv6 as four big-endian 32-bit words. */
    public readonly w0: number,
    public readonly w1: number,
    public readonly w2: number,
    public readonly w3: number,
  ) {}

  /** Canonical text with length: `192.0.2.0/24`, `2001:db8::/32`. */
  public toString(): string {
    return this.family === 4 ? formatIPv4Prefix(this.w0, this.length) : formatIPv6Prefix(this.w0, this.w1, this.w2, this.w3, this.length);
  }

  /** Whether this is `0.0.0.0/0` or `::/0`. */
  public get isDefaultRoute(): boolean {
    return this.length === 0;
  }

  /** Whether every address of `other` is inside this prefix (false across families). */
  public contains(other: Cidr): boolean {
    if (other.family !== this.family || other.length < this.length) return false;
    if (this.family === 4) return ((other.w0 & maskV4(this.length)) >>> 0) === this.w0;
    const l = this.length;
    return ((other.w0 & maskV6Word(l, 0)) >>> 0) === this.w0 && ((other.w1 & maskV6Word(l, 1)) >>> 0) === this.w1
      && ((other.w2 & maskV6Word(l, 2)) >>> 0) === this.w2 && ((other.w3 & maskV6Word(l, 3)) >>> 0) === this.w3;
  }

  /** Whether the two prefixes share any address. Prefixes either nest or are disjoint, so this is containment either way. */
  public overlaps(other: Cidr): boolean {
    return this.contains(other) || other.contains(this);
  }

  /** Whether both are the same prefix. */
  public equals(other: Cidr): boolean {
    return this.family === other.family && this.length === other.length && this.w0 === other.w0
      && this.w1 === other.w1 && this.w2 === other.w2 && this.w3 === other.w3;
  }
}
