/**
 * A fast reader for the YAML files netsec writes itself (`src/core/yaml-emitter.ts`), so that `netsec plan` does not
 * spend seconds in the general `yaml` parser on a committed `dist/` holding a million prefixes (parsing dist/ with
 * `yaml` was ~3.5 s of a 5.4 s plan; this reads the same files in tens of milliseconds).
 *
 * It reads only the block style the emitter writes: maps of `key: value` lines, `- ` sequences (the first key of a
 * mapping item on the dash line), plain or JSON-quoted scalars, `[]`, `{}`, `null`, booleans, numbers and literal
 * blocks (`|`, `|-`, `|+`). It does not try to be a YAML parser. Instead every document it reads is re-emitted and
 * must give back the exact bytes it was read from; the emitter is property-tested so that `yaml.parse(emitYaml(x))`
 * deep-equals `x`, hence a document that passes this check means to the `yaml` library exactly what this reader
 * returned. Anything else (a hand edit, flow style, anchors, comments between objects, another tool's file) makes
 * `readNetsecYaml` return `undefined`, and the caller falls back to the full parser.
 *
 * Lists of prefixes are not split into strings while reading: such a property reads its strings on first access, and
 * `prefixRunOf` hands the plan the list's place in the text instead, so comparing two million-prefix trees makes no
 * string per prefix at all.
 */
import { emitYaml } from '../core/yaml-emitter.js';

/** A JSON value, as Kubernetes objects and Helm values are. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One `---`-separated document: its exact text and what it means. */
export interface NetsecYamlDocument {
  readonly text: string;
  readonly value: Json;
}

/** A file netsec wrote: the comment header, then the documents. */
export interface NetsecYamlFile {
  /** The leading `#` comment lines, each with its newline. */
  readonly header: string;
  readonly documents: NetsecYamlDocument[];
}

/** Thrown inside the reader when the text leaves the emitter's subset; never escapes `readNetsecYaml`. */
class NotEmitterOutput extends Error {}

function fail(): never {
  throw new NotEmitterOutput();
}

// JSON number syntax, the only form `String(n)` gives for a finite number.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** The leading `#` lines of a file: netsec's header (generator, target, notes, warnings). */
export function splitHeader(text: string): { header: string; body: string } {
  let end = 0;
  while (end < text.length && text[end] === '#') {
    const nl = text.indexOf('\n', end);
    if (nl < 0) return { header: text, body: '' };
    end = nl + 1;
  }
  return { header: text.slice(0, end), body: text.slice(end) };
}

/** Documents of a body the emitter joined with `---\n` (each ends with a newline). */
function splitDocuments(body: string): string[] {
  if (body === '') return [];
  if (!body.endsWith('\n')) fail();
  const parts = body.split('\n---\n');
  return parts.map((p, i) => (i < parts.length - 1 ? `${p}\n` : p));
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * The offset of the newline ending the line at `pos` when that line is `<indent spaces>- <prefix>`, else -1. A prefix
 * is what the emitter's PREFIX_LIKE test takes (`/^[0-9A-Fa-f][0-9A-Fa-f:.]*\/[0-9]{1,3}$/`), which it always writes
 * plain, one line per item. One pass over the line, by hand: it runs on every line of a geo-block list.
 */
function prefixLineEnd(text: string, pos: number, indent: number): number {
  const dash = pos + indent;
  for (let i = pos; i < dash; i++) if (text.charCodeAt(i) !== 32) return -1;
  if (text.charCodeAt(dash) !== 45 || text.charCodeAt(dash + 1) !== 32 || !isHexDigit(text.charCodeAt(dash + 2))) return -1;
  let i = dash + 3;
  let c = text.charCodeAt(i);
  while (isHexDigit(c) || c === 58 || c === 46) c = text.charCodeAt(++i);
  if (c !== 47) return -1;
  const slash = i;
  c = text.charCodeAt(++i);
  while (c >= 48 && c <= 57) c = text.charCodeAt(++i);
  const digits = i - slash - 1;
  // NaN past the end of the text: not a newline, so a last line without one is not taken.
  return c === 10 && digits >= 1 && digits <= 3 ? i : -1;
}

/**
 * A list of IP prefixes as the emitter writes it, one `<indent>- <prefix>` line per item: characters `[from, to)` of
 * a document. The reader keeps long lists as this instead of a million strings; a plan compares them in place
 * (`blocks.ts`), and `entries()` makes the strings when something needs them.
 */
export class PrefixRun {
  private strings?: string[];

  public constructor(
    public readonly text: string,
    public readonly from: number,
    public readonly to: number,
    public readonly indent: number,
    public readonly count: number,
  ) {}

  /** Calls `fn(from, to)` with the character range of each prefix, in list order. */
  public forEach(fn: (from: number, to: number) => void): void {
    const skip = this.indent + 2;
    for (let p = this.from; p < this.to; ) {
      const end = this.text.indexOf('\n', p);
      fn(p + skip, end);
      p = end + 1;
    }
  }

  /** The prefixes as strings. */
  public entries(): string[] {
    if (!this.strings) {
      const out: string[] = [];
      this.forEach((from, to) => out.push(this.text.slice(from, to)));
      this.strings = out;
    }
    return this.strings;
  }
}

/** Where the reader keeps the runs behind an object's lazy properties (a symbol, so no key of the data clashes). */
const RUNS = Symbol('netsec-yaml prefix runs');

/**
 * The run behind `obj[key]` when the fast reader left it unread (no strings made yet), else undefined. Reading
 * `obj[key]` itself always works: it makes the strings on first use.
 */
export function prefixRunOf(obj: object, key: string): PrefixRun | undefined {
  const runs = (obj as { [RUNS]?: Map<string, PrefixRun> })[RUNS];
  const run = runs?.get(key);
  // Once read (or assigned), the property is a plain value and the run no longer speaks for it.
  return run && Object.getOwnPropertyDescriptor(obj, key)?.get ? run : undefined;
}

/** Makes `parent[key]` read `run`'s strings on first access, and records the run for `prefixRunOf`. */
function defineLazy(parent: { [k: string]: Json }, key: string, run: PrefixRun): void {
  let runs = (parent as { [RUNS]?: Map<string, PrefixRun> })[RUNS];
  if (!runs) {
    runs = new Map();
    Object.defineProperty(parent, RUNS, { value: runs, enumerable: false });
  }
  runs.set(key, run);
  const settle = (value: Json): void => {
    Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
  };
  Object.defineProperty(parent, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = run.entries();
      settle(value);
      return value;
    },
    set: settle,
  });
}

/** A run found in a map: `parent[key]` holds the placeholder until the document is verified. */
interface PendingRun {
  readonly parent: { [k: string]: Json };
  readonly key: string;
  readonly run: PrefixRun;
}

/** Reads one document (its text ends with a newline) line by line, by character offsets. */
class DocumentReader {
  /** Offset of the current line. */
  private pos = 0;
  /**
   * A mapping or sequence that starts on a dash line (`- key: value`, `- - x`) is read as if the dash were
   * indentation: the current line is then read as this text instead. Only ever the current line.
   */
  private override: { readonly pos: number; readonly text: string } | undefined;
  /** Prefix lists found as map values, in text order; the value holds a placeholder for each (see `emitsExactly`). */
  public readonly runs: PendingRun[] = [];

  public constructor(private readonly text: string) {}

  public document(): Json {
    const value = this.block(0);
    if (this.pos !== this.text.length) fail();
    return value instanceof PrefixRun ? value.entries() : value;
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private line(): string {
    if (this.override?.pos === this.pos) return this.override.text;
    return this.text.slice(this.pos, this.text.indexOf('\n', this.pos));
  }

  private next(): void {
    this.pos = this.text.indexOf('\n', this.pos) + 1;
  }

  /** A map or a sequence whose first line starts at column `indent`. */
  private block(indent: number): Json | PrefixRun {
    if (this.atEnd()) fail();
    return this.line().startsWith('- ', indent) ? this.sequence(indent) : this.map(indent);
  }

  private indentOf(line: string): number {
    let n = 0;
    while (line.charCodeAt(n) === 32) n++;
    return n;
  }

  private map(indent: number): { [k: string]: Json } {
    const out: { [k: string]: Json } = {};
    while (!this.atEnd()) {
      const line = this.line();
      const at = this.indentOf(line);
      if (at < indent) break;
      if (at > indent || line.startsWith('- ', indent)) fail();
      const { key, rest } = splitKey(line, indent);
      if (Object.prototype.hasOwnProperty.call(out, key)) fail();
      this.next();
      const value = rest === undefined ? this.block(indent + 2) : this.inlineOrBlock(rest, indent);
      if (value instanceof PrefixRun) {
        const k = this.runs.length;
        this.runs.push({ parent: out, key, run: value });
        setOwn(out, key, [`0.0.${k >> 8}.${k & 255}/32`]);
      } else {
        setOwn(out, key, value);
      }
    }
    return out;
  }

  private sequence(indent: number): Json[] | PrefixRun {
    const { text } = this;
    const dash = ' '.repeat(indent) + '- ';
    const start = this.pos;
    let out: Json[] = [];
    if (this.override?.pos !== start) {
      // The hot path: one prefix per line, a million of them in a geo-block; no string is made here.
      let count = 0;
      for (let end: number; (end = prefixLineEnd(text, this.pos, indent)) >= 0; this.pos = end + 1) count++;
      if (count > 0) {
        const run = new PrefixRun(text, start, this.pos, indent, count);
        if (this.atEnd() || !text.startsWith(dash, this.pos)) {
          // The emitter indents a sequence under its key, so what follows it is indented less.
          if (!this.atEnd() && this.indentOf(this.line()) >= indent) fail();
          return run;
        }
        out = run.entries().slice();
      }
    }
    while (!this.atEnd()) {
      const line = this.line();
      if (!line.startsWith(dash)) {
        if (this.indentOf(line) >= indent) fail();
        break;
      }
      const rest = line.slice(indent + 2);
      const scalar = sequenceScalar(rest);
      if (scalar !== NOT_SCALAR) {
        out.push(scalar);
        this.next();
      } else if (rest.startsWith('- ') || isKeyLine(rest)) {
        this.override = { pos: this.pos, text: ' '.repeat(indent + 2) + rest };
        const item = this.block(indent + 2);
        out.push(item instanceof PrefixRun ? item.entries() : item);
      } else {
        this.next();
        out.push(this.inlineOrBlock(rest, indent));
      }
    }
    return out;
  }

  /** The value after `key: ` or `- `: an inline scalar, or a literal block whose lines are indented by indent + 2. */
  private inlineOrBlock(rest: string, indent: number): Json {
    if (rest === '|' || rest === '|-' || rest === '|+') return this.literal(rest, indent + 2);
    return inlineScalar(rest);
  }

  private literal(header: string, indent: number): string {
    const pad = ' '.repeat(indent);
    const body: string[] = [];
    while (!this.atEnd()) {
      const line = this.line();
      if (line === '') body.push('');
      else if (line.startsWith(pad)) body.push(line.slice(indent));
      else break;
      this.next();
    }
    let blank = 0;
    while (body.length > 0 && body[body.length - 1] === '') {
      body.pop();
      blank++;
    }
    if (body.length === 0) fail();
    const text = body.join('\n');
    if (header === '|-') return blank === 0 ? text : fail();
    if (header === '|') return blank === 0 ? `${text}\n` : fail();
    return `${text}\n${'\n'.repeat(blank)}`;
  }
}

const NOT_SCALAR = Symbol('not a scalar');

/** A sequence item that is a scalar on its own line, or NOT_SCALAR when it opens a map, a sequence or a block. */
function sequenceScalar(rest: string): Json | typeof NOT_SCALAR {
  const c = rest.charCodeAt(0);
  // '"' may open a quoted key; '|' a literal block; '-' a nested sequence or a negative number.
  if (c === 34 || c === 124 || c === 45) {
    if (c === 45 && !rest.startsWith('- ') && NUMBER.test(rest)) return Number(rest);
    return NOT_SCALAR;
  }
  if (isKeyLine(rest)) return NOT_SCALAR;
  return inlineScalar(rest);
}

/** Whether `rest` starts with a mapping key (`key:` at the end or `key: `), plain or JSON-quoted. */
function isKeyLine(rest: string): boolean {
  if (rest.charCodeAt(0) === 34) {
    const end = quotedEnd(rest);
    return end > 0 && rest.charCodeAt(end) === 58;
  }
  // A plain key holds no space, so the first ': ' (or a final ':') ends it.
  const sep = rest.indexOf(': ');
  const space = rest.indexOf(' ');
  if (sep >= 0 && (space < 0 || sep < space)) return true;
  return space < 0 && rest.endsWith(':');
}

/** Index just after the closing quote of the JSON string that `s` starts with, or -1. */
function quotedEnd(s: string): number {
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return -1;
}

/** Splits `key: rest` / `key:` at `indent`; `rest` is undefined when the value is a nested block. */
function splitKey(line: string, indent: number): { key: string; rest: string | undefined } {
  const text = line.slice(indent);
  let key: string;
  let after: number;
  if (text.charCodeAt(0) === 34) {
    const end = quotedEnd(text);
    if (end < 0 || text.charCodeAt(end) !== 58) fail();
    try {
      key = JSON.parse(text.slice(0, end)) as string;
    } catch {
      fail();
    }
    after = end + 1;
  } else {
    const sep = text.indexOf(': ');
    const space = text.indexOf(' ');
    if (sep >= 0 && (space < 0 || sep < space)) {
      key = text.slice(0, sep);
      after = sep + 1;
    } else if (space < 0 && text.endsWith(':')) {
      key = text.slice(0, -1);
      after = text.length;
    } else {
      fail();
    }
  }
  if (after === text.length) return { key, rest: undefined };
  if (text.charCodeAt(after) !== 32 || after + 1 === text.length) fail();
  return { key, rest: text.slice(after + 1) };
}

/** An inline scalar as the emitter writes it; the re-emit check rejects any text the emitter would write otherwise. */
function inlineScalar(s: string): Json {
  switch (s) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case '[]':
      return [];
    case '{}':
      return {};
  }
  if (s.charCodeAt(0) === 34) {
    try {
      const v = JSON.parse(s) as unknown;
      return typeof v === 'string' ? v : fail();
    } catch {
      fail();
    }
  }
  if (NUMBER.test(s)) return Number(s);
  return s;
}

/**
 * Checks that `emitYaml(value)` is exactly `text`, without emitting the long prefix lists again: `value` holds a
 * one-line placeholder list for each run, and the text gets the same line in place of the run's lines. Sound because
 * the emitter writes an all-prefix list as one `<indent>- <prefix>` line per item wherever it stands, which is how the
 * reader took each line of a run; a distinct placeholder per run pins every run to its own place in the text.
 */
function emitsExactly(value: Json, text: string, runs: readonly PendingRun[]): boolean {
  try {
    return emitYaml(value) === withPlaceholders(text, runs);
  } catch {
    return false; // a value the emitter cannot write (a number beyond double range): not netsec's output
  }
}

function withPlaceholders(text: string, runs: readonly PendingRun[]): string {
  const parts: string[] = [];
  let at = 0;
  runs.forEach(({ run }, k) => {
    parts.push(text.slice(at, run.from), `${' '.repeat(run.indent)}- 0.0.${k >> 8}.${k & 255}/32\n`);
    at = run.to;
  });
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * `obj[key] = value` as an own property whatever the key: a committed file may hold a `__proto__` key, which plain
 * assignment would turn into the object's prototype (the `yaml` library keeps it as data, and so must this reader).
 */
function setOwn(obj: { [k: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * Reads a file netsec wrote, or returns `undefined` when the text is not exactly what netsec's emitter writes (then
 * use the `yaml` library). Each document is verified by re-emitting it (see the module comment).
 */
export function readNetsecYaml(text: string): NetsecYamlFile | undefined {
  const { header, body } = splitHeader(text);
  try {
    const documents = splitDocuments(body).map((docText) => {
      const reader = new DocumentReader(docText);
      const value = reader.document();
      // Beyond 65,536 runs the placeholders would repeat; such a document is read as plain data instead.
      if (reader.runs.length > 65_536) fail();
      if (!emitsExactly(value, docText, reader.runs)) fail();
      for (const { parent, key, run } of reader.runs) defineLazy(parent, key, run);
      return { text: docText, value };
    });
    return { header, documents };
  } catch (err) {
    if (err instanceof NotEmitterOutput) return undefined;
    throw err;
  }
}
