/**
 * Canonical text for addresses and prefixes.
 *
 * IPv4 is dotted decimal without leading zeros. IPv6 follows RFC 5952 §4: lowercase hex, no leading zeros in a
 * group, the longest run of two or more zero groups replaced by `::` (the leftmost run on ties), and never `::` for
 * a single zero group. Because canonical text is what we hash for shard boundaries and what users diff, there is
 * exactly one spelling per prefix.
 */
import { formatCount } from '../core/errors.js';

/** '0'..'255' precomputed: formatting 500k prefixes is on the hot path of `netsec cidrs aggregate`. */
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const LEN: readonly string[] = Array.from({ length: 129 }, (_, i) => `/${i}`);

/** Formats an IPv4 address held as an unsigned 32-bit integer, e.g. `3221225984` → `'192.0.2.0'`. */
export function formatIPv4(addr: number): string {
  return `${OCTET[addr >>> 24]}.${OCTET[(addr >>> 16) & 255]}.${OCTET[(addr >>> 8) & 255]}.${OCTET[addr & 255]}`;
}

/** Formats an IPv4 prefix, always with its length: `formatIPv4Prefix(0xc0000200, 24)` → `'192.0.2.0/24'`. */
export function formatIPv4Prefix(addr: number, len: number): string {
  return formatIPv4(addr) + LEN[len];
}

/** The eight 16-bit groups of the address being formatted (scratch: filled and read within one call). */
const groups = new Uint16Array(8);

/** Splits an IPv6 address given as four big-endian words into `groups`. */
function splitGroups(w0: number, w1: number, w2: number, w3: number): void {
  groups[0] = w0 >>> 16;
  groups[1] = w0 & 0xffff;
  groups[2] = w1 >>> 16;
  groups[3] = w1 & 0xffff;
  groups[4] = w2 >>> 16;
  groups[5] = w2 & 0xffff;
  groups[6] = w3 >>> 16;
  groups[7] = w3 & 0xffff;
}

/**
 * The run of zero groups in `groups` that RFC 5952 writes as `::`: the longest, the leftmost on ties (§4.2.3), and
 * only a run of two or more (a single zero group is written '0', §4.2.2). Packed as `start * 16 + length` (one number,
 * no allocation on the formatting hot path); -1 when there is none.
 */
function compressedRun(): number {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestLen = i - runStart + 1;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLen;
}

/**
 * Formats an IPv6 address given as four big-endian 32-bit words (RFC 5952 canonical text).
 *
 * @example formatIPv6(0x20010db8, 0, 0, 1) // '2001:db8::1'
 */
export function formatIPv6(w0: number, w1: number, w2: number, w3: number): string {
  splitGroups(w0, w1, w2, w3);
  const run = compressedRun();
  const bestStart = run < 0 ? -1 : run >>> 4;
  const bestLen = run < 0 ? 0 : run & 15;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

/** Formats an IPv6 prefix, always with its length: `'2001:db8::/32'`. */
export function formatIPv6Prefix(w0: number, w1: number, w2: number, w3: number, len: number): string {
  return formatIPv6(w0, w1, w2, w3) + LEN[len];
}

/**
 * An address count as a person can read it: the exact number, and past 2^32 (IPv6 counts run to 39 digits) also its
 * size as a power of two: `79,228,162,514,264,337,593,543,950,336 (2^96)`, `... (≈ 2^95.99)`.
 */
export function formatAddressCount(n: bigint): string {
  const exact = formatCount(n);
  if (n < 1n << 32n) return exact;
  const bits = n.toString(2).length - 1;
  if (n === 1n << BigInt(bits)) return `${exact} (2^${bits})`;
  // log2 from the top 53 bits, which a double holds exactly: ample for two decimals.
  const shift = Math.max(0, bits - 52);
  return `${exact} (≈ 2^${(Math.log2(Number(n >> BigInt(shift))) + shift).toFixed(2)})`;
}

/** ASCII bytes of '0'..'255', for writing without creating strings. */
const OCTET_BYTES: readonly Uint8Array[] = OCTET.map((s) => Uint8Array.from(s, (ch) => ch.charCodeAt(0)));
const HEX = Uint8Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

/** Longest IPv4 line: `255.255.255.255/32` (18 bytes). */
export const MAX_IPV4_PREFIX_BYTES = 18;
/** Longest IPv6 line: eight 4-digit groups, seven ':' and `/128` (43 bytes). */
export const MAX_IPV6_PREFIX_BYTES = 43;

function writeDecimal(out: Uint8Array, pos: number, v: number): number {
  const d = OCTET_BYTES[v]!;
  for (let i = 0; i < d.length; i++) out[pos++] = d[i]!;
  return pos;
}

/** Writes the canonical text of an IPv4 prefix as ASCII at `pos`; returns the position after it. */
export function writeIPv4Prefix(out: Uint8Array, pos: number, addr: number, len: number): number {
  pos = writeDecimal(out, pos, addr >>> 24);
  out[pos++] = 46;
  pos = writeDecimal(out, pos, (addr >>> 16) & 255);
  out[pos++] = 46;
  pos = writeDecimal(out, pos, (addr >>> 8) & 255);
  out[pos++] = 46;
  pos = writeDecimal(out, pos, addr & 255);
  out[pos++] = 47;
  return writeDecimal(out, pos, len);
}

function writeHexGroup(out: Uint8Array, pos: number, g: number): number {
  if (g >= 0x1000) out[pos++] = HEX[g >>> 12]!;
  if (g >= 0x100) out[pos++] = HEX[(g >>> 8) & 15]!;
  if (g >= 0x10) out[pos++] = HEX[(g >>> 4) & 15]!;
  out[pos++] = HEX[g & 15]!;
  return pos;
}

/** Writes the RFC 5952 text of an IPv6 prefix as ASCII at `pos`; returns the position after it. */
export function writeIPv6Prefix(out: Uint8Array, pos: number, w0: number, w1: number, w2: number, w3: number, len: number): number {
  splitGroups(w0, w1, w2, w3);
  const run = compressedRun();
  const bestStart = run < 0 ? -1 : run >>> 4;
  const bestLen = run < 0 ? 0 : run & 15;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out[pos++] = 58;
      out[pos++] = 58;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) out[pos++] = 58;
    pos = writeHexGroup(out, pos, groups[i]!);
  }
  out[pos++] = 47;
  return writeDecimal(out, pos, len);
}
