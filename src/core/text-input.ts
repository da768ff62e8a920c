import { isUtf8 } from 'node:buffer';
import { Document, isNode, visit } from 'yaml';
import { escapeControls } from './errors.js';

/**
 * Where and why a file a user gave netsec as text (netsec.yaml, a scenario, manifests, a feed) is not text, so the
 * refusal says that once, at the first byte that shows it, instead of quoting binary junk as a malformed value on every
 * line: a gzip-compressed feed, a zip of CSV files, a binary database, a file saved in Latin-1.
 */
export interface NotText {
  /** 1-based line and column (in characters) of the first byte that is not text. */
  readonly line: number;
  readonly column: number;
  /** What the file is or holds there: `is not a text file: it holds the byte 0x00 (NUL)`. */
  readonly found: string;
  /** What to do: `decompress it first (gunzip)`. */
  readonly fix: string;
}

/** The message for a file that is not text: `<subject> <found>; expected <expected>; <fix>`. */
export function notTextMessage(subject: string, notText: NotText, expected: string): string {
  return `${subject} ${notText.found}; expected ${expected}; ${notText.fix}`;
}

/**
 * Formats that users pass for a text file by mistake, by the bytes they start with, and how to get the text out. Each
 * magic holds a byte no text starts with (so bzip2's 'BZh' is not here).
 */
const FORMATS: readonly { readonly magic: readonly number[]; readonly what: string; readonly fix: string }[] = [
  { magic: [0x1f, 0x8b], what: 'gzip-compressed data', fix: 'decompress it first (gunzip)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', fix: 'extract the file from it first (unzip)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data', fix: 'decompress it first (unxz)' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data', fix: 'decompress it first (unzstd)' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', fix: 'extract the file from it first' },
  { magic: [0xff, 0xfe], what: 'UTF-16 text (byte order mark FF FE)', fix: 'save it as UTF-8' },
  { magic: [0xfe, 0xff], what: 'UTF-16 text (byte order mark FE FF)', fix: 'save it as UTF-8' },
];

/**
 * Offset of the first control character YAML does not allow (C0 controls other than tab, line feed and carriage
 * return, and DEL), or -1. A plain loop: validate reads megabytes of geo-block output through it (~5 ms for 3 MB).
 */
function firstControl(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 ? b !== 0x09 && b !== 0x0a && b !== 0x0d : b === 0x7f) return i;
  }
  return -1;
}

/** Byte offset of the first invalid UTF-8 sequence in `bytes` (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The sequence length and the allowed range of its second byte (which rules out overlongs, surrogates and
    // code points above U+10FFFF); the other continuation bytes are 0x80-0xBF.
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > bytes.length) return i;
    if (bytes[i + 1]! < lo || bytes[i + 1]! > hi) return i;
    for (let k = 2; k < n; k++) if (bytes[i + k]! < 0x80 || bytes[i + k]! > 0xbf) return i;
    i += n;
  }
  return undefined;
}

/** The 1-based line and column (in characters) of byte `offset`. */
function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, offset - lineStart).toString('utf8').length + 1 };
}

/**
 * Why `bytes`, the start of a file or all of it, is not text, or undefined when it is:
 *   - a compressed or archive format, or UTF-16, by its first bytes (at `fileStart`);
 *   - else a NUL byte (binary data);
 *   - else, with `utf8` (YAML: UTF-8 text without control characters, as YAML 1.2's c-printable and go-yaml require),
 *     the first other control character, else the first byte that is not valid UTF-8.
 * Feeds are held only to the first: their per-line errors quote a stray control character escaped, and a Latin-1
 * comment is harmless there. `fileStart: false` for bytes from the middle of a file (one line of it): they are not
 * checked for a format's first bytes.
 */
export function findNotText(bytes: Uint8Array, options: { readonly utf8: boolean; readonly fileStart?: boolean }): NotText | undefined {
  const format = options.fileStart === false ? undefined : FORMATS.find((f) => f.magic.every((m, i) => bytes[i] === m));
  if (format) return { line: 1, column: 1, found: `is not a text file: it starts with the bytes of ${format.what}`, fix: format.fix };
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ...position(bytes, nul), found: 'is not a text file: it holds the byte 0x00 (NUL)', fix: 'check that it is the right file' };
  if (!options.utf8) return undefined;
  const control = firstControl(bytes);
  if (control >= 0) {
    return { ...position(bytes, control), found: `holds the control character 0x${hex(bytes[control]!)}, which YAML does not allow (only tab, line feed and carriage return)`, fix: 'remove it' };
  }
  const invalid = invalidUtf8Offset(bytes);
  if (invalid === undefined) return undefined;
  return { ...position(bytes, invalid), found: `holds the byte 0x${hex(bytes[invalid]!)}, which is not UTF-8 (saved as Latin-1 or Windows-1252?)`, fix: 'save it as UTF-8' };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/**
 * A file a user gave as YAML, as text: UTF-8 (what YAML files are in practice, and what Kubernetes reads), with no
 * control bytes. Otherwise where and why it is not text, for the caller to refuse at that place: decoding with
 * replacement characters would put U+FFFD into names and values, and binary junk would be read as one long string.
 */
export function decodeYamlFile(bytes: Buffer): { readonly text: string } | { readonly notText: NotText } {
  const notText = findNotText(bytes, { utf8: true });
  return notText ? { notText } : { text: bytes.toString('utf8') };
}

/**
 * The message for a YAML syntax error the yaml library reported (its first line, control characters escaped), in
 * words for the one it words as a JavaScript failure: nesting deep enough to exhaust the parser's stack.
 */
export function yamlSyntaxMessage(error: { readonly message: string; readonly code?: string }): string {
  const first = error.message.split('\n')[0]!;
  if (/Maximum call stack size exceeded/.test(first)) return 'invalid YAML: nested too deeply to read (the parser ran out of stack); expected lists and maps nested a few hundred levels at most';
  // The library's own words name its API ("please use YAML.parseAllDocuments()").
  if (error.code === 'MULTIPLE_DOCS') return "invalid YAML: a second document starts here (a '---' line); expected one document; merge the two, or remove the '---'";
  if (error.code === 'TAG_RESOLVE_FAILED') {
    const tag = /Unresolved tag: (\S+)/.exec(first)?.[1] ?? '';
    return `invalid YAML: the tag '${escapeControls(tag)}' is not one netsec reads; expected plain strings, numbers, booleans, lists and maps; remove the tag`;
  }
  return `invalid YAML: ${escapeControls(first)}`;
}

/**
 * The first problem of a one-document YAML file read with the yaml library: a syntax error, a tag the library could
 * not resolve (`!foo x`), which it only warns about and reads as the plain string, or a tag it resolves outside YAML
 * 1.2's core schema (`!!omap`, `!!set`, `!!binary`, `!!timestamp`, `!!pairs`), which it reads as a Map, Set, Buffer or
 * Date: a `matchLabels: !!omap [...]` had become `{}` (select everything). Undefined when there is none.
 */
export function firstYamlProblem(doc: Document.Parsed, text: string): YamlIssue | undefined {
  return doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED') ?? firstForeignTag(doc, text);
}

/** The core schema's tags: what JSON (and so a Kubernetes object or netsec.yaml) can hold. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * The first node whose tag is outside the core schema (see `firstYamlProblem`), as a yaml issue at the tag: the node's
 * range starts at its value, and the tag is the run of `!` and tag characters right before it in `text`.
 */
export function firstForeignTag(doc: Document.Parsed, text: string): YamlIssue | undefined {
  let found: YamlIssue | undefined;
  visit(doc, (_key, node) => {
    if (!isNode(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return undefined;
    const tag = node.tag.startsWith('tag:yaml.org,2002:') ? `!!${node.tag.slice('tag:yaml.org,2002:'.length)}` : node.tag;
    const value = node.range?.[0] ?? 0;
    let start = text.lastIndexOf('!', value - 1);
    while (start > 0 && text[start - 1] === '!') start--;
    found = { code: 'TAG_RESOLVE_FAILED', message: `Unresolved tag: ${tag}`, pos: [start >= 0 ? start : value, node.range?.[1] ?? value] };
    return visit.BREAK;
  });
  return found;
}

/** An error or warning of the yaml library: its code, message and [start, end) offsets. */
interface YamlIssue {
  readonly code: string;
  readonly message: string;
  readonly pos: readonly [number, number];
}
