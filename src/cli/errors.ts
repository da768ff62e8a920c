import { NetsecError, escapeControls, formatProblems, truncate } from '../core/errors.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { CliIo } from './io.js';

/**
 * Longest line the CLI prints. Messages cut each echoed input at 200 characters (`echo`), so only a message built
 * from many inputs gets near this; the cap keeps a 10 MB value out of a terminal or CI log whatever built it.
 */
export const MAX_LINE_CHARS = 2000;

/** One line as netsec prints it: control characters escaped (no ANSI, cursor or bidi tricks), cut when huge. */
export function terminalLine(line: string): string {
  return escapeControls(truncate(line, MAX_LINE_CHARS));
}

/** Text for stderr or a log, line by line through `terminalLine`, newlines kept. */
export function terminalText(text: string): string {
  return text.split('\n').map(terminalLine).join('\n');
}

/**
 * The one way every command prints an error, ending with a newline:
 * - a NetsecError: each problem as `file:line:col: what was found; what was expected; how to fix it` (every line of a
 *   located problem starts with its location, so editors and CI logs link each), an unlocated one as `netsec: ...`,
 *   then the summary of several problems;
 * - anything else is a bug: `netsec: internal error: ...` and how to report it (the stack trace with `--verbose`).
 */
export function renderError(err: unknown, verbose = false): string {
  const lines = err instanceof NetsecError
    ? formatProblems(err.problems, err.summary, 'netsec: ')
    : [
        `netsec: internal error: ${(err as Error)?.message ?? String(err)}`,
        verbose ? String((err as Error)?.stack) : 'This is a bug in netsec; run again with --verbose for a stack trace and report it.',
      ];
  return `${lines.map(terminalText).join('\n')}\n`;
}

/** Prints `err` with `renderError` and returns its exit code. */
export function reportError(io: CliIo, err: unknown, verbose = false): ExitCode {
  io.stderr(renderError(err, verbose));
  return exitCodeOf(err);
}
