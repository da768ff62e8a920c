/**
 * Byte-level prefix scanner (private: not exported from the barrel).
 *
 * Why hand-written: on a million-line feed, a regex per line plus `split('.')`/`parseInt` and one object per prefix
 * made parsing the bottleneck (profiled at several times the cost of sorting), and cidr-tools/ip-bigint go through
 * BigInt for every address. A `PrefixScanner` reads the raw bytes once and allocates nothing on success: each token's
 * result is in the scanner's own fields, and a parse makes one scanner for all its lines. Only the failure path
 * (`diagnoseToken`) is allowed to be slow and allocate, because it runs once per bad line and has to explain the
 * problem precisely.
 */
import { formatIPv4Prefix, formatIPv6Prefix } from './format.js';

/** Reads a prefix length in `[p, end)` (the text after '/'); -1 if not a canonical decimal `<= max`. */
function readLen(buf: Uint8Array, p: number, end: number, max: number): number {
  if (p >= end || end - p > 3) return -1;
  let v = 0;
  for (let q = p; q < end; q++) {
    const c = buf[q]!;
    if (c < 48 || c > 57) return -1;
    if (q > p && v === 0) return -1; // leading zero such as '/08'
    v = v * 10 + (c - 48);
  }
  return v <= max ? v : -1;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv4 netmask for a prefix length (0-32) as an unsigned integer. */
export function maskV4(len: number): number {
  // `<< 32` is `<< 0` in JavaScript, hence the special case.
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Mask of word `i` (0-3) of an IPv6 prefix of length `len`. */
export function maskV6Word(len: number, i: number): number {
  const bits = len - 32 * i;
  if (bits >= 32) return 0xffffffff;
  if (bits <= 0) return 0;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Why a token failed `PrefixScanner.scan`: the message (without location) and the 0-based offset of the problem. */
export interface TokenDiagnosis {
  readonly message: string;
  readonly offset: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const V4ISH = /^[0-9.]+$/;
const V6ISH = /^[0-9a-fA-F:.]+$/;

function checkLength(t: string, slash: number, family: 4 | 6): TokenDiagnosis | undefined {
  if (slash < 0) return undefined;
  const lenText = t.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!DECIMAL.test(lenText)) {
    return {
      message: `'${t}' has an invalid prefix length '${lenText}'; expected a decimal number 0-${max} after '/'`,
      offset: slash + 1,
    };
  }
  if (Number(lenText) > max) {
    return {
      message: `'${t}' has prefix length ${lenText}; expected 0-${max} for IPv${family}`,
      offset: slash + 1,
    };
  }
  return undefined;
}

function v6Malformed(t: string): TokenDiagnosis {
  return {
    message: `'${t}' is not a valid IPv6 address; expected hex groups separated by ':' with at most one '::', such as '2001:db8::'`,
    offset: 0,
  };
}

/**
 * Explains why `t` is not a valid prefix. Slow on purpose (regexes, splits): it only runs for bad lines.
 * Each branch's message is asserted verbatim in test/cidr/parse.test.ts.
 */
export function diagnoseToken(t: string): TokenDiagnosis {
  const pct = t.indexOf('%');
  if (pct >= 0 && t.includes(':')) {
    const slashAfter = t.indexOf('/', pct);
    const zone = t.slice(pct, slashAfter < 0 ? undefined : slashAfter);
    return {
      message: `'${t}' has a zone id '${zone}'; expected an address without '%zone' (zone ids only mean something on one host)`,
      offset: pct,
    };
  }
  const slash = t.indexOf('/');
  const addr = slash < 0 ? t : t.slice(0, slash);
  const dash = addr.indexOf('-');
  if (slash < 0 && dash > 0) {
    const a = addr.slice(0, dash);
    const b = addr.slice(dash + 1);
    if ((V4ISH.test(a) && V4ISH.test(b)) || (a.includes(':') && V6ISH.test(a) && V6ISH.test(b))) {
      return {
        message: `'${t}' is an address range; expected a CIDR prefix (convert the range to prefixes first)`,
        offset: 0,
      };
    }
  }
  if (addr.includes(':')) {
    if (!V6ISH.test(addr)) return v6Malformed(t);
    let offset = 0;
    for (const group of addr.split(':')) {
      if (!group.includes('.') && group.length > 4) {
        return {
          message: `'${t}' has group '${group}' with more than 4 hex digits; expected 1-4 hex digits per group`,
          offset,
        };
      }
      offset += group.length + 1;
    }
    if (!new PrefixScanner().scanText(addr)) return v6Malformed(t);
    return checkLength(t, slash, 6) ?? notAnAddress(t);
  }
  if (V4ISH.test(addr)) {
    const octets = addr.split('.');
    if (octets.length !== 4 || octets.some((o) => o.length === 0)) {
      return {
        message: `'${t}' is not a valid IPv4 address; expected four decimal octets such as '192.0.2.0'`,
        offset: 0,
      };
    }
    let offset = 0;
    for (const o of octets) {
      if (o.length > 1 && o.startsWith('0')) {
        return {
          message: `'${t}' has octet '${o}' with a leading zero; expected a decimal number without leading zeros (some tools read it as octal)`,
          offset,
        };
      }
      if (Number(o) > 255) {
        return { message: `'${t}' has octet ${o} out of range; expected 0-255`, offset };
      }
      offset += o.length + 1;
    }
    return checkLength(t, slash, 4) ?? notAnAddress(t);
  }
  return notAnAddress(t);
}

function notAnAddress(t: string): TokenDiagnosis {
  return {
    message: `'${t}' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'`,
    offset: 0,
  };
}

/** Netmask words for every IPv6 length: MASK6[4 * len + i] is word i of the mask of /len. */
const MASK6 = (() => {
  const m = new Uint32Array(129 * 4);
  for (let len = 0; len <= 128; len++) for (let i = 0; i < 4; i++) m[4 * len + i] = maskV6Word(len, i);
  return m;
})();

/**
 * Scans prefixes token by token. The result of the last successful `scan`, `scanText` or `scanV6Fast` is in the
 * fields below; one scanner serves a whole parse, so the hot loop allocates nothing per line.
 */
export class PrefixScanner {
  /** 4 or 6. */
  public family: 4 | 6 = 4;
  /** Prefix length (32 or 128 for a bare address). */
  public len = 0;
  /** Network address with host bits cleared: IPv4 in `w0`; IPv6 as four big-endian words. */
  public w0 = 0;
  public w1 = 0;
  public w2 = 0;
  public w3 = 0;
  /** Whether the text had bits set beyond the prefix length (they are already cleared in w0..w3). */
  public hostBits = false;
  /** Whether this is an IPv4-mapped IPv6 prefix (inside ::ffff:0:0/96), which netsec refuses. */
  public mapped = false;
  /** Position just after the last dotted quad read by `readDottedQuad`. */
  private cursor = 0;
  /** The groups of the IPv6 address being read (general and fast path). */
  private readonly groups = new Uint16Array(8);
  private readonly fastGroups = new Int32Array(8);

  /** Canonical text of the last prefix scanned. */
  public text(): string {
    return this.family === 4 ? formatIPv4Prefix(this.w0, this.len) : formatIPv6Prefix(this.w0, this.w1, this.w2, this.w3, this.len);
  }

  /**
   * Scans one token (no surrounding whitespace) in `buf[start, end)` as an IPv4 or IPv6 prefix or bare address.
   * Returns true and fills the fields when the syntax is valid; host bits and IPv4-mapped addresses are reported
   * through flags, not failures, so the caller can decide (strict error, lenient warning). Returns false on any
   * syntax error: call `diagnoseToken` for the message.
   *
   * @param hasColon whether the token contains ':' (the caller already looked at every byte to find the token end).
   */
  public scan(buf: Uint8Array, start: number, end: number, hasColon: boolean): boolean {
    if (hasColon) return this.scanV6(buf, start, end);
    const addr = this.readDottedQuad(buf, start, end);
    if (addr < 0) return false;
    let p = this.cursor;
    let len = 32;
    if (p < end) {
      if (buf[p] !== 47) return false;
      len = readLen(buf, p + 1, end, 32);
      if (len < 0) return false;
    }
    const net = (addr & maskV4(len)) >>> 0;
    const s = this;
    s.family = 4;
    s.len = len;
    s.w0 = net;
    s.w1 = 0;
    s.w2 = 0;
    s.w3 = 0;
    s.hostBits = net !== addr;
    s.mapped = false;
    return true;
  }

  /** Convenience for strings: scans `text` (already trimmed). */
  public scanText(text: string): boolean {
    const buf = Buffer.from(text, 'utf8');
    return this.scan(buf, 0, buf.length, text.includes(':'));
  }

  /**
   * Fast path for a plain IPv6 token at `p` in a buffer that ends with '\n': hex groups, at most one '::', optional
   * '/len', ended by whitespace, '#' or the line end. Returns the offset just after the token with the result in
   * the fields, or -1 for anything else (embedded dotted quads, errors), which the general path then explains.
   */
  public scanV6Fast(u8: Uint8Array, p: number): number {
    const g = this.fastGroups;
    let n = 0;
    let dbl = -1;
    let c = u8[p]!;
    if (c === 58) {
      if (u8[p + 1] !== 58) return -1;
      dbl = 0;
      p += 2;
      c = u8[p]!;
    }
    // Groups until a delimiter or '/'.
    while (!(c === 32 || c === 9 || c === 13 || c === 10 || c === 35 || c === 47)) {
      let v = 0;
      let digits = 0;
      for (;;) {
        let h = c - 48;
        if (h > 9) {
          h = (c | 32) - 87;
          if (h < 10 || h > 15) h = -1;
        }
        if (h < 0) break;
        v = (v << 4) | h;
        digits++;
        c = u8[++p]!;
      }
      if (digits === 0 || digits > 4 || n === 8) return -1;
      g[n++] = v;
      if (c !== 58) break;
      c = u8[++p]!;
      if (c === 58) {
        if (dbl >= 0) return -1;
        dbl = n;
        c = u8[++p]!;
      } else if (c === 32 || c === 9 || c === 13 || c === 10 || c === 35 || c === 47) {
        return -1; // trailing single ':'
      }
    }
    if (dbl < 0 ? n !== 8 : n > 7) return -1;
    let len = 128;
    if (c === 47) {
      c = u8[++p]!;
      if (c < 48 || c > 57) return -1;
      len = c - 48;
      c = u8[++p]!;
      for (let k = 0; k < 2 && c >= 48 && c <= 57; k++) {
        if (len === 0) return -1;
        len = len * 10 + (c - 48);
        c = u8[++p]!;
      }
      if (len > 128) return -1;
    }
    if (!(c === 32 || c === 9 || c === 13 || c === 10 || c === 35)) return -1;
    if (dbl >= 0) {
      const zeros = 8 - n;
      for (let i = n - 1; i >= dbl; i--) g[i + zeros] = g[i]!;
      for (let i = dbl; i < dbl + zeros; i++) g[i] = 0;
    }
    const w0 = ((g[0]! << 16) | g[1]!) >>> 0;
    const w1 = ((g[2]! << 16) | g[3]!) >>> 0;
    const w2 = ((g[4]! << 16) | g[5]!) >>> 0;
    const w3 = ((g[6]! << 16) | g[7]!) >>> 0;
    const m = 4 * len;
    const s = this;
    s.family = 6;
    s.len = len;
    s.w0 = (w0 & MASK6[m]!) >>> 0;
    s.w1 = (w1 & MASK6[m + 1]!) >>> 0;
    s.w2 = (w2 & MASK6[m + 2]!) >>> 0;
    s.w3 = (w3 & MASK6[m + 3]!) >>> 0;
    s.hostBits = s.w0 !== w0 || s.w1 !== w1 || s.w2 !== w2 || s.w3 !== w3;
    s.mapped = len >= 96 && s.w0 === 0 && s.w1 === 0 && s.w2 === 0xffff;
    return p;
  }

  /** Reads `a.b.c.d` at `p`; returns the address as an unsigned integer, or -1. Sets `cursor` on success. */
  private readDottedQuad(buf: Uint8Array, p: number, end: number): number {
    let addr = 0;
    for (let o = 0; o < 4; o++) {
      if (p >= end) return -1;
      let c = buf[p]!;
      if (c < 48 || c > 57) return -1;
      let v = c - 48;
      p++;
      if (p < end && (c = buf[p]!) >= 48 && c <= 57) {
        // A leading zero is refused: inet_aton and friends read '010' as octal 8.
        if (v === 0) return -1;
        v = v * 10 + (c - 48);
        p++;
        if (p < end && (c = buf[p]!) >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          p++;
          if (v > 255) return -1;
        }
      }
      addr = addr * 256 + v;
      if (o < 3) {
        if (p >= end || buf[p] !== 46) return -1;
        p++;
      }
    }
    this.cursor = p;
    return addr;
  }

  /** Scans an IPv6 address with optional '/len' in `[start, end)`. */
  private scanV6(buf: Uint8Array, start: number, end: number): boolean {
    let addrEnd = end;
    for (let q = start; q < end; q++) {
      if (buf[q] === 47) {
        addrEnd = q;
        break;
      }
    }
    let p = start;
    let n = 0;
    let dbl = -1;
    if (p + 1 < addrEnd && buf[p] === 58 && buf[p + 1] === 58) {
      dbl = 0;
      p += 2;
    } else if (buf[p] === 58) {
      return false;
    }
    while (p < addrEnd) {
      const groupStart = p;
      let v = 0;
      let digits = 0;
      while (p < addrEnd && digits < 5) {
        const h = hexVal(buf[p]!);
        if (h < 0) break;
        v = v * 16 + h;
        digits++;
        p++;
      }
      if (p < addrEnd && buf[p] === 46) {
        // Embedded dotted quad (RFC 4291 §2.2 form 3): it takes the last two groups.
        if (n > 6) return false;
        const a = this.readDottedQuad(buf, groupStart, addrEnd);
        if (a < 0 || this.cursor !== addrEnd) return false;
        this.groups[n++] = a >>> 16;
        this.groups[n++] = a & 0xffff;
        p = addrEnd;
        break;
      }
      if (digits === 0 || digits > 4 || n === 8) return false;
      this.groups[n++] = v;
      if (p === addrEnd) break;
      if (buf[p] !== 58) return false;
      p++;
      if (p < addrEnd && buf[p] === 58) {
        if (dbl >= 0) return false;
        dbl = n;
        p++;
      } else if (p === addrEnd) {
        return false; // trailing single ':'
      }
    }
    if (dbl < 0 ? n !== 8 : n > 7) return false;
    let len = 128;
    if (addrEnd < end) {
      len = readLen(buf, addrEnd + 1, end, 128);
      if (len < 0) return false;
    }
    // Expand '::' in place: this.groups[dbl..n) move to the end, the gap becomes zeros.
    if (dbl >= 0) {
      const zeros = 8 - n;
      for (let i = n - 1; i >= dbl; i--) this.groups[i + zeros] = this.groups[i]!;
      for (let i = dbl; i < dbl + zeros; i++) this.groups[i] = 0;
    }
    const w0 = ((this.groups[0]! << 16) | this.groups[1]!) >>> 0;
    const w1 = ((this.groups[2]! << 16) | this.groups[3]!) >>> 0;
    const w2 = ((this.groups[4]! << 16) | this.groups[5]!) >>> 0;
    const w3 = ((this.groups[6]! << 16) | this.groups[7]!) >>> 0;
    const m0 = maskV6Word(len, 0);
    const m1 = maskV6Word(len, 1);
    const m2 = maskV6Word(len, 2);
    const m3 = maskV6Word(len, 3);
    const s = this;
    s.family = 6;
    s.len = len;
    s.w0 = (w0 & m0) >>> 0;
    s.w1 = (w1 & m1) >>> 0;
    s.w2 = (w2 & m2) >>> 0;
    s.w3 = (w3 & m3) >>> 0;
    s.hostBits = s.w0 !== w0 || s.w1 !== w1 || s.w2 !== w2 || s.w3 !== w3;
    s.mapped = len >= 96 && s.w0 === 0 && s.w1 === 0 && s.w2 === 0xffff;
    return true;
  }
}
