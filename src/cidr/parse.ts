import { NetsecError, echo, formatCount, formatLocation } from '../core/errors.js';
import { NotText, findNotText, notTextMessage } from '../core/text-input.js';
import { PrefixScanner, diagnoseToken } from './_scan.js';
import { formatIPv4Prefix, formatIPv6Prefix } from './format.js';
import { PrefixList } from './prefix-list.js';

/** A problem found in one line of a feed, with its exact location. Returned as a value, never only logged. */
export interface CidrDiagnostic {
  /** `error` fails the parse; `warning` (lenient normalisation) does not. */
  readonly severity: 'error' | 'warning';
  /** Source name, 1-based line and 1-based column (in characters) of the problem. */
  readonly location: { readonly file: string; readonly line: number; readonly column: number };
  /** The text found on the line (the token, or the unexpected trailing text). */
  readonly found: string;
  /** What is wrong and what was expected, without the location prefix. */
  readonly message: string;
}

/** Renders a diagnostic the way editors and CI logs link it: `feed.txt:12:1: message`. */
export function formatDiagnostic(d: CidrDiagnostic): string {
  return `${formatLocation(d.location)}: ${d.message}`;
}

/** What a feed holds, as messages about it say what was expected. */
export const FEED_LINES = 'one address or prefix per line';

/** How many errors a parse keeps in detail; the rest are only counted. */
export const DEFAULT_MAX_ERRORS = 20;
/**
 * Invalid lines after which a feed is refused without reading on: no CIDR list has that many, and an endless input of
 * text (`yes junk | netsec cidrs aggregate -`, /dev/urandom) would otherwise be read and counted forever.
 */
export const MAX_INVALID_LINES = 100_000;

/**
 * Thrown when a feed has invalid lines. It carries every collected diagnostic (up to `maxErrors`) and the total,
 * so one run tells the user everything to fix.
 *
 * With one bad line, `location` is that line and `message` is `file:line:column: diagnosis`, like any located
 * NetsecError. With several, `location` names only the file, `problems` holds one located diagnosis per line and
 * `summary` says how many there are.
 */
export class CidrParseError extends NetsecError {
  /** The collected errors, in line order (at most `maxErrors`). */
  public readonly diagnostics: readonly CidrDiagnostic[];
  /** How many lines were invalid in total (can exceed `diagnostics.length`). */
  public readonly total: number;

  /**
   * @param source the file (or list) the diagnostics are in
   * @param within how the summary names where the lines are. @default `lines in <source>`
   */
  public constructor(source: string, diagnostics: readonly CidrDiagnostic[], total: number, within = `lines in ${source}`) {
    const first = diagnostics[0]!;
    if (total === 1) {
      super('CONFIG', first.message, first.location);
    } else {
      const shown = diagnostics.length < total ? ` (the first ${diagnostics.length} shown)` : '';
      super('CONFIG', `${formatCount(total)} invalid ${within}${shown}; fix them and run again.`, { file: source }, {
        problems: diagnostics.map((d) => ({ location: d.location, message: d.message })),
        summary: `${formatCount(total)} invalid ${within}${shown}; fix them and run again.`,
      });
    }
    this.diagnostics = diagnostics;
    this.total = total;
  }
}

/** Options for `parseCidrs`. */
export interface ParseCidrsOptions {
  /** Name used in diagnostics (a path, `<stdin>`, or a config pointer). @default '<input>' */
  readonly source?: string;
  /**
   * Normalise prefixes with host bits set (`10.0.0.1/8` → `10.0.0.0/8`) with one warning per line instead of
   * failing. @default false
   */
  readonly lenient?: boolean;
  /** Errors kept in detail before only counting. @default DEFAULT_MAX_ERRORS (20) */
  readonly maxErrors?: number;
  /** Append to this list instead of a new one (to union several feeds without copying). */
  readonly into?: PrefixList;
  /**
   * Hint appended to the host-bits error in strict mode, naming the knob the caller has (the CLI passes
   * `' (use --lenient to normalise)'`; netsec.yaml names the entry's `lenient: true`).
   * @default '' (the message already shows the network address expected)
   */
  readonly hostBitsHint?: string;
}

/** What `parseCidrs` returns. */
export interface ParseCidrsResult {
  /** The parsed prefixes, unaggregated, in input order. */
  readonly prefixes: PrefixList;
  /** Lenient-mode normalisations, one per affected line. Empty in strict mode. */
  readonly warnings: readonly CidrDiagnostic[];
  /** Number of lines read (including blank and comment lines). */
  readonly lines: number;
}

/** Message for a prefix with host bits set; `normal` is the normalised prefix. */
export function hostBitsMessage(found: string, normal: string, hint: string): string {
  return `'${echo(found)}' has host bits set; expected a network address such as '${normal}'${hint}`;
}

/** Lenient-mode warning for a prefix with host bits set. */
export function hostBitsWarning(found: string, normal: string): string {
  return `'${echo(found)}' has host bits set; normalised to '${normal}'`;
}

/** Message for an IPv4-mapped IPv6 prefix; `v4` is the IPv4 prefix it stands for. */
export function mappedMessage(found: string, v4: string): string {
  return `'${echo(found)}' is an IPv4-mapped IPv6 address; expected the IPv4 prefix itself, such as '${v4}'`;
}

/** Message for unexpected text after the prefix on a line. */
export function trailingMessage(junk: string, token: string): string {
  return `unexpected '${echo(junk)}' after '${echo(token)}'; expected one prefix per line (comments start with '#')`;
}

function asBuffer(input: string | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (Buffer.isBuffer(input)) return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/** 1-based column in characters of byte offset `pos` on the line starting at `lineStart`. */
function columnAt(buf: Buffer, lineStart: number, pos: number): number {
  return buf.toString('utf8', lineStart, pos).length + 1;
}

/**
 * Collects diagnostics for one parse: keeps the first `max` errors, counts the rest, keeps every warning.
 * Shared with the MaxMind reader so both report problems the same way.
 */
export class DiagnosticCollector {
  public readonly errors: CidrDiagnostic[] = [];
  public readonly warnings: CidrDiagnostic[] = [];
  public errorCount = 0;
  /** The first invalid line that shows the input is not text (binary, compressed): then the one error to report. */
  private notText: CidrDiagnostic | undefined;

  /** @param expected what the input should hold, for the error when it is not text */
  public constructor(
    public readonly source: string,
    private readonly max: number,
    private readonly expected = FEED_LINES,
  ) {}

  /** Records an error at a byte offset of `buf`. */
  public error(buf: Buffer, lineStart: number, line: number, pos: number, found: string, message: string): void {
    this.errorCount++;
    // Only invalid lines are looked at, so a valid feed costs nothing; the first that holds a control byte stands for
    // the whole input, instead of a list of binary junk quoted line by line, and reading on would not change that.
    const end = buf.indexOf(10, lineStart);
    const bad = findNotText(buf.subarray(lineStart, end < 0 ? buf.length : end), { utf8: false, fileStart: line === 1 && lineStart === 0 });
    if (bad) {
      this.notText = notTextDiagnostic(this.source, line, bad, this.expected);
      this.throwIfErrors();
    }
    if (this.errors.length < this.max) {
      const column = columnAt(buf, lineStart, pos);
      this.errors.push({ severity: 'error', location: { file: this.source, line, column }, found, message });
    }
    if (this.errorCount >= MAX_INVALID_LINES) {
      throw new CidrParseError(this.source, this.errors, this.errorCount, `lines in ${this.source} before netsec stopped reading at line ${formatCount(line)} (this is no CIDR list)`);
    }
  }

  /** Records a warning at a byte offset of `buf`. */
  public warning(buf: Buffer, lineStart: number, line: number, pos: number, found: string, message: string): void {
    const column = columnAt(buf, lineStart, pos);
    this.warnings.push({ severity: 'warning', location: { file: this.source, line, column }, found, message });
  }

  /** Throws a `CidrParseError` if any error was recorded: the one that says the input is not text, if one does. */
  public throwIfErrors(): void {
    if (this.notText) throw new CidrParseError(this.source, [this.notText], 1);
    if (this.errorCount > 0) throw new CidrParseError(this.source, this.errors, this.errorCount);
  }
}

/** The error for a feed that is not text, at `line` and the column of the first byte that shows it (`findNotText` of the line). */
export function notTextDiagnostic(source: string, line: number, notText: NotText, expected = FEED_LINES): CidrDiagnostic {
  return { severity: 'error', location: { file: source, line, column: notText.column }, found: '', message: notTextMessage('the feed', notText, expected) };
}

/**
 * Scans the token `buf[start, end)` and appends it to `out`, or records why it cannot be used.
 * Returns true if a prefix was appended.
 * @internal shared by the plain-list parser and the MaxMind CSV reader.
 */
export function acceptToken(
  scanner: PrefixScanner,
  buf: Buffer,
  start: number,
  end: number,
  hasColon: boolean,
  lineStart: number,
  line: number,
  lenient: boolean,
  hint: string,
  out: PrefixList,
  diags: DiagnosticCollector,
): boolean {
  if (!scanner.scan(buf, start, end, hasColon)) {
    const found = buf.toString('utf8', start, end);
    const d = diagnoseToken(found);
    // The diagnosis quotes the token as read; a feed line can hold escape sequences or megabytes of junk.
    const shown = echo(found);
    const message = shown === found ? d.message : d.message.split(found).join(shown);
    diags.error(buf, lineStart, line, start + Buffer.byteLength(found.slice(0, d.offset)), found, message);
    return false;
  }
  const s = scanner;
  if (s.mapped) {
    const found = buf.toString('utf8', start, end);
    diags.error(buf, lineStart, line, start, found, mappedMessage(found, formatIPv4Prefix(s.w3, s.len - 96)));
    return false;
  }
  if (s.hostBits) {
    const found = buf.toString('utf8', start, end);
    const normal = s.text();
    if (!lenient) {
      diags.error(buf, lineStart, line, start, found, hostBitsMessage(found, normal, hint));
      return false;
    }
    diags.warning(buf, lineStart, line, start, found, hostBitsWarning(found, normal));
  }
  if (s.family === 4) out.pushV4(s.w0, s.len);
  else out.pushV6(s.w0, s.w1, s.w2, s.w3, s.len);
  return true;
}

/**
 * Parses a plain CIDR list: one IPv4/IPv6 prefix or bare address per line (a bare address is a /32 or /128),
 * `#` comments (whole-line or trailing), blank lines, surrounding whitespace, LF or CRLF, an optional UTF-8 BOM.
 *
 * Every invalid line is reported (up to `maxErrors` in detail) in one `CidrParseError` (code `CONFIG`), so a feed can
 * be fixed in one pass. Prefixes are returned unaggregated; pass them to `aggregate`.
 *
 * @example
 * const { prefixes } = parseCidrs('10.0.0.0/8\n2001:db8::/32 # docs\n', { source: 'feed.txt' });
 */
export function parseCidrs(input: string | Uint8Array, options: ParseCidrsOptions = {}): ParseCidrsResult {
  let buf = asBuffer(input);
  // ~16 bytes per line is typical for IPv4 feeds; over-estimating wastes little, under-estimating costs a copy.
  const parser = new FeedParser(options, buf.length / 14);
  // A final '\n' lets the fast path read one byte past any token without bounds checks.
  if (buf.length > 0 && buf[buf.length - 1] !== 10) {
    const padded = Buffer.allocUnsafe(buf.length + 1);
    buf.copy(padded);
    padded[buf.length] = 10;
    buf = padded;
  }
  parser.parse(buf, 0, buf.length);
  return parser.finish();
}

/**
 * Parses a feed given whole (`parseCidrs`) or in pieces (a file read through one reused buffer, `readCidrFeed`): each
 * piece is whole lines, the last one ending in '\n'. Line numbers, the error budget and the output list carry over
 * from piece to piece; `finish` throws every error of the feed at once, as `parseCidrs` does.
 * @internal used by parseCidrs and the feed readers.
 */
export class FeedParser {
  private readonly scanner = new PrefixScanner();
  private readonly out: PrefixList;
  private readonly diags: DiagnosticCollector;
  private readonly lenient: boolean;
  private readonly hint: string;
  /** Lines read so far. */
  private line = 0;

  /** How many lines were parsed so far. */
  public get lines(): number {
    return this.line;
  }

  /** @param sizeHint expected number of prefixes, to size the list once */
  public constructor(options: ParseCidrsOptions, sizeHint: number) {
    this.lenient = options.lenient ?? false;
    this.hint = options.hostBitsHint ?? '';
    this.out = options.into ?? new PrefixList(sizeHint);
    if (options.into) this.out.reserve(sizeHint);
    this.diags = new DiagnosticCollector(options.source ?? '<input>', options.maxErrors ?? DEFAULT_MAX_ERRORS);
  }

  /** Parses the whole lines in `buf[start, end)`; `buf[end - 1]` is '\n'. A UTF-8 BOM is skipped on the first line. */
  public parse(buf: Buffer, start: number, end: number): void {
    // A plain Uint8Array view keeps element access monomorphic in the hot loop.
    const u8 = new Uint8Array(buf.buffer, buf.byteOffset, end);
    const n = end;
    let p = start;
    if (this.line === 0 && n - p >= 3 && u8[p] === 0xef && u8[p + 1] === 0xbb && u8[p + 2] === 0xbf) p += 3;
    const { scanner, out, diags, lenient, hint } = this;
    let line = this.line;
    let c = 0;
    while (p < n) {
      line++;
      const lineStart = p;
      // '\r' counts as whitespace, so CRLF needs no special case.
      while ((c = u8[p]!) === 32 || c === 9 || c === 13) p++;
      if (c === 10) {
        p++;
        continue;
      }
      if (c === 35) {
        p = u8.indexOf(10, p) + 1;
        continue;
      }
      // An IPv6 token has ':' within its first five bytes (groups have at most four digits); IPv4 never does.
      // Stopping at '\n' keeps every read inside the buffer.
      let v6 = false;
      for (let k = 0; k < 5; k++) {
        const b = u8[p + k]!;
        if (b === 58) {
          v6 = true;
          break;
        }
        if (b === 10) break;
      }
      // Fast path: a canonical IPv4 prefix or address followed by whitespace, a comment or the end of the line.
      // Anything else (IPv6, errors, host bits) falls through to the general path below, which starts over.
      fast: {
        if (v6) break fast;
        let q = p;
        let addr = 0;
        for (let o = 0; o < 4; o++) {
          c = u8[q]!;
          if (c < 48 || c > 57) break fast;
          let v = c - 48;
          c = u8[++q]!;
          if (c >= 48 && c <= 57) {
            if (v === 0) break fast;
            v = v * 10 + (c - 48);
            c = u8[++q]!;
            if (c >= 48 && c <= 57) {
              v = v * 10 + (c - 48);
              if (v > 255) break fast;
              c = u8[++q]!;
            }
          }
          addr = addr * 256 + v;
          if (o < 3) {
            if (c !== 46) break fast;
            q++;
          }
        }
        let len = 32;
        if (c === 47) {
          c = u8[++q]!;
          if (c < 48 || c > 57) break fast;
          len = c - 48;
          c = u8[++q]!;
          if (c >= 48 && c <= 57) {
            if (len === 0) break fast;
            len = len * 10 + (c - 48);
            if (len > 32) break fast;
            c = u8[++q]!;
          }
        }
        while (c === 32 || c === 9 || c === 13) c = u8[++q]!;
        if (c !== 10 && c !== 35) break fast;
        const net = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
        if (net !== addr) break fast;
        out.pushV4(net, len);
        p = c === 10 ? q + 1 : u8.indexOf(10, q) + 1;
        continue;
      }
      // Fast path for a plain IPv6 token; host bits, IPv4-mapped and errors go to the general path.
      fast6: {
        if (!v6) break fast6;
        let q = scanner.scanV6Fast(u8, p);
        if (q < 0 || scanner.hostBits || scanner.mapped) break fast6;
        while ((c = u8[q]!) === 32 || c === 9 || c === 13) q++;
        if (c !== 10 && c !== 35) break fast6;
        const s = scanner;
        out.pushV6(s.w0, s.w1, s.w2, s.w3, s.len);
        p = c === 10 ? q + 1 : u8.indexOf(10, q) + 1;
        continue;
      }
      p = slowLine(scanner, buf, u8, p, lineStart, line, lenient, hint, out, diags);
    }
    this.line = line;
  }

  /** Throws a `CidrParseError` with every error of the feed, or returns the result. */
  public finish(): ParseCidrsResult {
    this.diags.throwIfErrors();
    return { prefixes: this.out, warnings: this.diags.warnings, lines: this.line };
  }
}

/**
 * The general path for one line starting at the token at `p`: finds the token and what follows it, scans IPv6,
 * reports errors and host bits. Returns the offset of the next line. `buf` ends with '\n'.
 */
function slowLine(
  scanner: PrefixScanner, buf: Buffer, u8: Uint8Array, p: number, lineStart: number, line: number, lenient: boolean, hint: string,
  out: PrefixList, diags: DiagnosticCollector,
): number {
  const start = p;
  let hasColon = false;
  let c = 0;
  for (;;) {
    c = u8[p]!;
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 35) break;
    if (c === 58) hasColon = true;
    p++;
  }
  const end = p;
  while ((c = u8[p]!) === 32 || c === 9 || c === 13) p++;
  if (c !== 10 && c !== 35) {
    // Something other than a comment follows the prefix on the same line.
    const junkStart = p;
    while ((c = u8[p]!) !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 35) p++;
    const junk = buf.toString('utf8', junkStart, p);
    diags.error(buf, lineStart, line, junkStart, junk, trailingMessage(junk, buf.toString('utf8', start, end)));
  } else {
    acceptToken(scanner, buf, start, end, hasColon, lineStart, line, lenient, hint, out, diags);
  }
  return u8.indexOf(10, p) + 1;
}

/** Options for `parseCidrList`. */
export interface ParseCidrListOptions extends ParseCidrsOptions {
  /**
   * Where character `column` (1-based) of item `index` (0-based) is written, e.g. its netsec.yaml line and column,
   * for diagnostics. @default line `index + 1`, that column, of `source`
   */
  readonly locateItem?: (index: number, column: number) => CidrDiagnostic['location'];
  /** How the summary of several errors names the list, e.g. `items in egressBlocking[0].cidrs`. @default `lines in <source>` */
  readonly within?: string;
}

/**
 * Parses an inline list of prefixes (for example from netsec.yaml or construct props): one prefix per element,
 * reported as line `index + 1` of `source`, or where `locateItem` says the element is.
 */
export function parseCidrList(list: readonly string[], options: ParseCidrListOptions = {}): ParseCidrsResult {
  const { locateItem, within, ...parse } = options;
  const source = options.source ?? '<input>';
  const relocate = (d: CidrDiagnostic): CidrDiagnostic => (locateItem ? { ...d, location: locateItem(d.location.line - 1, d.location.column) } : d);
  for (let i = 0; i < list.length; i++) {
    // A newline inside an element would shift every later line number; refuse it with the element's position.
    if (list[i]!.includes('\n')) {
      throw new CidrParseError(source, [relocate({
        severity: 'error',
        location: { file: source, line: i + 1, column: list[i]!.indexOf('\n') + 1 },
        found: list[i]!,
        message: `'${echo(list[i]!)}' contains a line break; expected one prefix per list item`,
      })], 1, within);
    }
  }
  let result: ParseCidrsResult;
  try {
    result = parseCidrs(list.join('\n'), parse);
  } catch (err) {
    if (!(err instanceof CidrParseError) || !locateItem) throw err;
    throw new CidrParseError(source, err.diagnostics.map(relocate), err.total, within);
  }
  return locateItem ? { ...result, warnings: result.warnings.map(relocate) } : result;
}

/**
 * Whether `text` (trimmed) is a usable prefix or bare address in lenient terms: valid syntax, not IPv4-mapped
 * (host bits allowed). Lets a CLI tell `--except 10.0.0.0/8` from `--except except.txt`.
 */
export function isCidrText(text: string): boolean {
  const scanner = new PrefixScanner();
  return scanner.scanText(text.trim()) && !scanner.mapped;
}
