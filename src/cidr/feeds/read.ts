import { type FileHandle, open } from 'node:fs/promises';
import { NetsecError, escapeControls, formatCount } from '../../core/errors.js';
import { readFailureReason } from '../../core/system-error.js';
import { FEED_LINES } from '../parse.js';

/**
 * Called while a feed is read: bytes read so far and the total when known (`undefined` for pipes and stdin).
 * The CLI draws its progress bar from this; the library never prints.
 */
export type ProgressCallback = (bytesRead: number, totalBytes: number | undefined) => void;

/** Read size per call: large enough to keep syscalls few, small enough for a smooth progress bar. */
const CHUNK = 4 * 1024 * 1024;

/**
 * A file that cannot be read. `osReason` is the operating system's answer in words (`no such file`), so a caller can
 * re-word the error for where the path was written (a netsec.yaml entry relocates it to the entry's line).
 */
export class FileReadError extends NetsecError {
  public readonly osReason: string;

  public constructor(name: string, osReason: string, cause: unknown) {
    super('CONFIG', `cannot read this file (${osReason}); expected a readable file`, { file: name }, { cause });
    this.osReason = osReason;
  }
}

/**
 * Opens `path`, runs `use`, and closes the file; an error of the file system becomes a `FileReadError` located at
 * `name` (`CONFIG`: the user can fix the path), whether it comes from opening or from reading.
 */
async function withOpenFile<T>(path: string, name: string, use: (fh: FileHandle) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new FileReadError(name, readFailureReason(e), e);
  }
  try {
    return await use(fh);
  } catch (e) {
    if (e instanceof NetsecError) throw e;
    throw new FileReadError(name, readFailureReason(e), e);
  } finally {
    await fh.close();
  }
}

/** A buffer of `size` bytes holding the first `used` bytes of `buf`. */
function grown(buf: Buffer, used: number, size: number): Buffer {
  const bigger = Buffer.allocUnsafe(size);
  buf.copy(bigger, 0, 0, used);
  return bigger;
}

/**
 * Reads a whole file into one buffer, reporting progress per 4 MiB chunk. One buffer of the file's size is the
 * cheapest layout for the byte-level parser (no concatenation, no per-line strings).
 *
 * Throws `FileReadError` (`CONFIG`) located at `name` when the file cannot be read, and `LineTooLongError` when a FIFO
 * or device (size unknown) has a line longer than `MAX_LINE_BYTES`: a regular file is bounded by its size, but
 * `/dev/zero` or an endless pipe would otherwise be read until memory runs out.
 *
 * @param name how messages name the file. @default path
 * @param expected what the file should hold, for the long-line message. @default FEED_LINES
 */
export async function readFileBuffer(path: string, onProgress?: ProgressCallback, name: string = escapeControls(path), expected: string = FEED_LINES): Promise<Buffer> {
  return withOpenFile(path, name, async (fh) => {
    const st = await fh.stat();
    if (!st.isFile()) {
      // A FIFO or device (e.g. `<(zcat feed.gz)`): size unknown, read until EOF like stdin.
      return readStreamBuffer(fh.createReadStream({ autoClose: false, highWaterMark: CHUNK }), onProgress, name, expected);
    }
    const size = st.size;
    let buf: Buffer = Buffer.allocUnsafe(size);
    let pos = 0;
    onProgress?.(0, size);
    for (;;) {
      if (pos === buf.length) {
        // At the size stat gave: usually the end. Probe with a small read rather than growing first (growing copied
        // the whole feed once on every run: ~80 ms for a 1M-line feed). If the file grew while we read it (a feed being
        // rewritten), keep reading rather than truncate silently.
        const probe = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await fh.read(probe, 0, CHUNK, null);
        if (bytesRead === 0) break;
        buf = grown(buf, pos, Math.max(pos + bytesRead, buf.length * 2));
        probe.copy(buf, pos, 0, bytesRead);
        pos += bytesRead;
        onProgress?.(pos, pos);
        continue;
      }
      const { bytesRead } = await fh.read(buf, pos, Math.min(CHUNK, buf.length - pos), null);
      if (bytesRead === 0) break;
      pos += bytesRead;
      onProgress?.(pos, Math.max(size, pos));
    }
    return pos === buf.length ? buf : buf.subarray(0, pos);
  });
}

/** What `readFileLines` hands over, and when. */
export interface FileLinesHandler {
  /** Called once, before any lines: the file's size when it is a regular file. */
  readonly onSize?: (totalBytes: number | undefined) => void;
  /** Whole lines in `buf[0, end)`, the last ending in '\n' (a last line without one gets it). `buf` is reused after. */
  readonly onLines: (buf: Buffer, end: number) => void;
  readonly onProgress?: ProgressCallback;
}

/** The buffer `readFileLines` reads through (doubled for a longer line). */
const LINES_CHUNK = 1024 * 1024;

/**
 * The longest line the line readers take. A feed holds one address or prefix per line; a "line" that does not end
 * within 1 MiB is another kind of file (binary, one huge JSON document) or an endless one (`/dev/zero`), and reading on
 * would only end when memory does.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** What is wrong with a line longer than `MAX_LINE_BYTES` (without its location), in a file that should hold `expected`. */
export function longLineMessage(expected: string = FEED_LINES): string {
  return `a line is longer than ${formatCount(MAX_LINE_BYTES)} bytes; expected ${expected}; check that it is the right file`;
}

/**
 * Thrown by the line readers for a line longer than `MAX_LINE_BYTES`: `head` is its start, for the caller to judge,
 * and `line` its number when the reader counted lines (a stream); a parser that reads along knows it otherwise.
 */
export class LineTooLongError extends NetsecError {
  public constructor(
    name: string,
    public readonly head: Buffer,
    public readonly line?: number,
    expected: string = FEED_LINES,
  ) {
    super('CONFIG', longLineMessage(expected), line === undefined ? { file: name } : { file: name, line, column: 1 });
  }
}

/**
 * Reads a file through one reused 1 MiB buffer, handing over whole lines as they come. For a parser that needs no
 * more than a line at a time this beats a buffer of the file's size: fresh memory is written once per 4 KiB page at
 * a page fault's cost, and a 16 MB feed read whole took ~60 ms where the same bytes read through a reused buffer took
 * ~7 ms on the CI machine. A file that grows while it is read is read to its end.
 *
 * Throws `FileReadError` (`CONFIG`) located at `name` when the file cannot be read.
 * @param chunkBytes the buffer's first size (tests use a few bytes to cut lines everywhere)
 */
export async function readFileLines(path: string, handler: FileLinesHandler, name: string = escapeControls(path), chunkBytes = LINES_CHUNK): Promise<void> {
  await withOpenFile(path, name, async (fh) => {
    const st = await fh.stat();
    const total = st.isFile() ? st.size : undefined;
    handler.onSize?.(total);
    let buf: Buffer = Buffer.allocUnsafe(chunkBytes);
    let carry = 0;
    let read = 0;
    handler.onProgress?.(0, total);
    for (;;) {
      // One line longer than the buffer: grow it rather than cut the line, up to the longest line taken.
      if (carry === buf.length) {
        if (carry >= MAX_LINE_BYTES) throw new LineTooLongError(name, buf.subarray(0, 4096));
        buf = grown(buf, carry, Math.min(buf.length * 2, MAX_LINE_BYTES));
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
      if (bytesRead === 0) break;
      read += bytesRead;
      handler.onProgress?.(read, total === undefined ? undefined : Math.max(total, read));
      const filled = carry + bytesRead;
      const lastNewline = buf.lastIndexOf(10, filled - 1);
      if (lastNewline < 0) {
        carry = filled;
        continue;
      }
      handler.onLines(buf, lastNewline + 1);
      carry = filled - lastNewline - 1;
      buf.copyWithin(0, lastNewline + 1, filled);
    }
    handLastLine(buf, carry, handler);
  });
}

/**
 * Reads a stream (stdin) through one reused buffer and hands over whole lines as they come, like `readFileLines`, so
 * that the parser can stop an endless input (`yes junk | netsec cidrs aggregate -`) at its invalid lines instead of
 * buffering it until memory runs out. Throws `LineTooLongError` (at `name`, with the line's number) for a line longer
 * than `MAX_LINE_BYTES` (the caller knows its number: the lines it was handed, plus one).
 */
export async function readStreamLines(stream: AsyncIterable<Uint8Array | string>, handler: FileLinesHandler, name: string): Promise<void> {
  handler.onSize?.(undefined);
  let buf: Buffer = Buffer.allocUnsafe(LINES_CHUNK);
  let carry = 0;
  let read = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry + b.length > buf.length) buf = grown(buf, carry, Math.max(buf.length * 2, carry + b.length));
    b.copy(buf, carry);
    const filled = carry + b.length;
    read += b.length;
    handler.onProgress?.(read, undefined);
    const lastNewline = buf.lastIndexOf(10, filled - 1);
    if (lastNewline < 0) {
      carry = filled;
      if (carry > MAX_LINE_BYTES) throw new LineTooLongError(name, buf.subarray(0, 4096));
      continue;
    }
    handler.onLines(buf, lastNewline + 1);
    carry = filled - lastNewline - 1;
    buf.copyWithin(0, lastNewline + 1, filled);
    if (carry > MAX_LINE_BYTES) throw new LineTooLongError(name, buf.subarray(0, 4096));
  }
  handLastLine(buf, carry, handler);
}

/** Hands over a last line without its '\n' (the `carry` bytes at the start of `buf`), with one added. */
function handLastLine(buf: Buffer, carry: number, handler: FileLinesHandler): void {
  if (carry === 0) return;
  const line = carry === buf.length ? grown(buf, carry, buf.length + 1) : buf;
  line[carry] = 10;
  handler.onLines(line, carry + 1);
}

/**
 * Reads a stream (stdin, a FIFO) to the end into one buffer, reporting progress with an unknown total. Throws
 * `LineTooLongError` (located at `name`) for a line longer than `MAX_LINE_BYTES`, so an endless stream without line
 * ends is refused rather than read until memory runs out.
 */
export async function readStreamBuffer(
  stream: AsyncIterable<Uint8Array | string>, onProgress: ProgressCallback | undefined, name: string, expected: string = FEED_LINES,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  /** Bytes since the last line end, and where that line starts. */
  let open = 0;
  let openStart = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    chunks.push(b);
    const lastNewline = b.lastIndexOf(10);
    if (lastNewline >= 0) {
      open = b.length - lastNewline - 1;
      openStart = total + lastNewline + 1;
    } else {
      open += b.length;
    }
    total += b.length;
    if (open > MAX_LINE_BYTES) {
      const all = Buffer.concat(chunks, total);
      let line = 1;
      for (let i = all.indexOf(10); i >= 0 && i < openStart; i = all.indexOf(10, i + 1)) line++;
      throw new LineTooLongError(name, all.subarray(openStart, openStart + 4096), line, expected);
    }
    onProgress?.(total, undefined);
  }
  return Buffer.concat(chunks, total);
}
