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
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * The one error type netsec throws for anything a user can fix. Anything else that escapes is a bug
 * (exit 3, stack trace only with `--verbose`).
 */
export class NetsecError extends Error {
  public readonly code: NetsecErrorCode;
  public readonly location?: SourceLocation;

  public constructor(code: NetsecErrorCode, message: string, location?: SourceLocation) {
    super(message);
    this.name = 'NetsecError';
    this.code = code;
    this.location = location;
  }
}

/** Formats `file:line:column` (the parts that are known), the prefix editors and CI logs link on. */
export function formatLocation(loc: SourceLocation): string {
  let out = loc.file;
  if (loc.line !== undefined) out += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) out += `:${loc.column}`;
  return out;
}
