/**
 * Error codes map one-to-one to CLI exit codes (see `cli/exit-codes.ts`):
 * - `USAGE`: the command line is wrong (exit 2)
 * - `CONFIG`: an input file (netsec.yaml, a CIDR feed, a CSV) is wrong (exit 2)
 * - `ENVIRONMENT`: the machine stopped the run: disk full, no permission, a read-only file system, another run's lock
 *   (exit 2); the message names the path and the OS reason
 * - `INVALID`: the synthesized output breaks a schema, gate or safety rule (exit 1)
 */
export type NetsecErrorCode = 'USAGE' | 'CONFIG' | 'ENVIRONMENT' | 'INVALID';

/** Where in an input file a problem was found. Lines and columns are 1-based. */
export interface SourceLocation {
  /** The file as messages name it (netsec.yaml inputs: relative to netsec.yaml's folder, '/'-separated). */
  readonly file: string;
  /** 1-based line. @default - the whole file */
  readonly line?: number;
  /** 1-based column, in characters. @default - the whole line */
  readonly column?: number;
}

/** One problem and, when known, where it is. */
export interface Problem {
  /** Where the problem is. @default - nowhere in particular (a flag, the environment) */
  readonly location?: SourceLocation;
  /** What was found; what was expected; how to fix it. Without the location, which renderers put in front. */
  readonly message: string;
}

/** Options for `NetsecError`. */
export interface NetsecErrorOptions {
  /**
   * Several problems found in one pass (every bad line of a feed, every schema error), each with its own location.
   * @default - one problem: the message at the location
   */
  readonly problems?: readonly Problem[];
  /** A closing line after several problems, e.g. `3 invalid lines in feed.txt; fix them and run again.` @default - none */
  readonly summary?: string;
  /** The error this one explains. */
  readonly cause?: unknown;
}

/**
 * The one error type netsec throws for anything a user can fix. Anything else that escapes is a bug
 * (exit 3, stack trace only with `--verbose`).
 *
 * `message` is the full text, each line starting with `file:line:col:` where a location is known, so a library user
 * who prints `err.message` sees what the CLI prints. `problems` holds the same, structured.
 */
export class NetsecError extends Error {
  public readonly code: NetsecErrorCode;
  /** Where the problem is; for several problems in one file, the file. */
  public readonly location?: SourceLocation;
  /** The message without the location. */
  public readonly reason: string;
  /** Every problem with its own location (one for most errors). */
  public readonly problems: readonly Problem[];
  /** The closing line after several problems. */
  public readonly summary?: string;

  public constructor(code: NetsecErrorCode, message: string, location?: SourceLocation, options: NetsecErrorOptions = {}) {
    const problems = options.problems?.length ? options.problems : [{ location, message }];
    super(formatProblems(problems, options.summary).join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NetsecError';
    this.code = code;
    this.location = location;
    this.reason = message;
    this.problems = problems;
    this.summary = options.summary;
  }
}

/** Formats `file:line:column` (the parts that are known), the prefix editors and CI logs link on. */
export function formatLocation(loc: SourceLocation): string {
  let out = loc.file;
  if (loc.line !== undefined) out += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) out += `:${loc.column}`;
  return out;
}

/**
 * The lines of an error: every line of a located problem starts with its `file:line:col:` (so a multi-line message
 * links from each line); an unlocated problem's first line starts with `unlocatedPrefix` (the CLI's `netsec: `).
 */
export function formatProblems(problems: readonly Problem[], summary?: string, unlocatedPrefix = ''): string[] {
  const lines: string[] = [];
  for (const p of problems) {
    const parts = p.message.split('\n');
    if (p.location) {
      const where = formatLocation(p.location);
      for (const part of parts) lines.push(`${where}: ${part}`);
    } else {
      lines.push(`${unlocatedPrefix}${parts[0]}`, ...parts.slice(1));
    }
  }
  if (summary !== undefined) lines.push(`${unlocatedPrefix}${summary}`);
  return lines;
}

/**
 * The same error located at `location` when it has no location of its own (e.g. a construct's error raised while
 * building a netsec.yaml entry gets the entry's line and column). Located errors are returned unchanged.
 */
export function locateError(err: NetsecError, location: SourceLocation): NetsecError {
  if (err.problems.some((p) => p.location)) return err;
  return new NetsecError(err.code, err.reason, location, {
    problems: err.problems.length > 1 ? err.problems.map((p) => ({ ...p, location })) : undefined,
    summary: err.summary,
    cause: err,
  });
}

/**
 * An integer with comma thousands separators, as `toLocaleString('en-US')` writes it (`1048576` -> `1,048,576`). Not
 * `toLocaleString`: its first call loads ICU's number formatting (~18 ms), and the lint rules build their explanations
 * when they load, so every command that lints paid it. Anything but a safe integer or a bigint (a fraction, NaN, a
 * number too large to be exact) is written as `String(n)` writes it: messages count things, and a value read from a
 * user's manifest must never crash the message that reports it.
 */
export function formatCount(n: number | bigint): string {
  if (typeof n !== 'bigint' && !Number.isSafeInteger(n)) return String(n);
  const digits = (n < 0 ? -n : n).toString();
  return `${n < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

/** Problems one error shows in detail; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 20;

/**
 * One error for problems found in one pass (so one run shows everything to fix): a single problem as itself; several
 * each on its own line (the first `MAX_PROBLEMS_SHOWN`), then `N problems in <within>; fix them and run again.`
 */
export function problemsError(code: NetsecErrorCode, problems: readonly Problem[], within: string): NetsecError {
  if (problems.length === 1) return new NetsecError(code, problems[0]!.message, problems[0]!.location);
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = shown.length < problems.length ? ` (the first ${shown.length} shown)` : '';
  const summary = `${formatCount(problems.length)} problems in ${within}${more}; fix them and run again.`;
  return new NetsecError(code, summary, { file: within }, { problems: shown, summary });
}

/** How many characters of one echoed input a message shows. */
export const MAX_ECHO_CHARS = 200;

/**
 * Characters a terminal or log viewer acts on instead of showing: C0 and C1 controls, DEL, and the Unicode line
 * separators and bidirectional overrides (which can make a line read differently from what it contains).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character escaped (`\x1b`, `\x00`, `\n`, `\u202e` ...), so it cannot move the cursor, recolour a terminal or fake a log line. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** `text` cut to `max` characters with `… (N more characters)`, never inside a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}… (${formatCount(text.length - cut)} more characters)`;
}

/**
 * User input as a message may show it: control characters escaped and cut after `max` characters. Every message
 * that repeats a value from a file or a flag passes it through here (a feed line, a YAML key, a path).
 */
export function echo(text: string, max = MAX_ECHO_CHARS): string {
  return escapeControls(truncate(text, max));
}
