import { escapeControls } from '../../core/errors.js';
import { findNotText } from '../../core/text-input.js';
import { CidrParseError, FeedParser, notTextDiagnostic, parseCidrList, type ParseCidrListOptions, type ParseCidrsOptions, type ParseCidrsResult } from '../parse.js';
import { LineTooLongError, longLineMessage, readFileLines, readStreamLines, type ProgressCallback } from './read.js';

/** Name used in diagnostics for standard input. */
export const STDIN_SOURCE = '<stdin>';

/** Options for `readCidrFeed`. */
export interface ReadCidrFeedOptions extends ParseCidrsOptions {
  /** Progress while reading (bytes read, total bytes when known). */
  readonly onProgress?: ProgressCallback;
  /** Stream read for the path `-`. @default process.stdin */
  readonly stdin?: AsyncIterable<Uint8Array | string>;
}

/**
 * Reads and parses a plain CIDR list from a file, or from stdin when `path` is `-` (reported as `<stdin>`).
 * See `parseCidrs` for the format and the errors. Diagnostics name the file `source` (default: the path), so a caller
 * can name it as its user wrote it rather than as an absolute path.
 *
 * @example const { prefixes, warnings } = await readCidrFeed('blocklist.txt', { lenient: true });
 */
export async function readCidrFeed(path: string, options: ReadCidrFeedOptions = {}): Promise<ParseCidrsResult> {
  const { onProgress, stdin, ...parse } = options;
  const source = parse.source ?? (path === '-' ? STDIN_SOURCE : escapeControls(path));
  // Parsed as it is read, through one reused buffer (see readFileLines); the result is parseCidrs' on the whole file.
  let parser: FeedParser | undefined;
  const parserFor = (sizeHint: number) => (parser ??= new FeedParser({ ...parse, source }, sizeHint));
  const handler = {
    // ~16 bytes per line is typical for IPv4 feeds; over-estimating wastes little, under-estimating costs a copy.
    onSize: (total: number | undefined) => parserFor(total === undefined ? 1024 : total / 14),
    onLines: (buf: Buffer, end: number) => parserFor(1024).parse(buf, 0, end),
    onProgress,
  };
  try {
    // stdin goes through the same parser as it is read, so that an endless one stops at its invalid lines.
    await (path === '-' ? readStreamLines(stdin ?? process.stdin, handler, source) : readFileLines(path, handler, source));
  } catch (err) {
    throw err instanceof LineTooLongError ? longLineError(err, parserFor(0).lines + 1, source) : err;
  }
  return parserFor(0).finish();
}

/** A feed line too long to be one (`MAX_LINE_BYTES`), at its line: the file is not text, or not a feed. */
function longLineError(err: LineTooLongError, line: number, source: string): CidrParseError {
  const bad = findNotText(err.head, { utf8: false, fileStart: line === 1 });
  const diagnostic = bad
    ? notTextDiagnostic(source, line, bad)
    : { severity: 'error' as const, location: { file: source, line, column: 1 }, found: '', message: longLineMessage() };
  return new CidrParseError(source, [diagnostic], 1);
}

/**
 * Parses an inline list of prefixes (e.g. from netsec.yaml); element i is reported as line i + 1 of `source`, or where
 * `locateItem` says it is written.
 *
 * @example readCidrLines(['192.0.2.0/24', '2001:db8::/32'], { source: 'extra.txt' });
 */
export function readCidrLines(lines: readonly string[], options: ParseCidrListOptions = {}): ParseCidrsResult {
  return parseCidrList(lines, options);
}
