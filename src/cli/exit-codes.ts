import { NetsecError } from '../core/errors.js';

/** Exit codes of every netsec command. */
export enum ExitCode {
  OK = 0,
  /** Validation findings: the output would break a schema, a gate or a safety rule. Nothing was written. */
  FINDINGS = 1,
  /** Usage, config or environment error: a flag, netsec.yaml or an input file is wrong, or the disk, a permission or a lock stopped the run. */
  USAGE = 2,
  /** A bug in netsec. */
  INTERNAL = 3,
}

/** Maps an error to its exit code: NetsecError codes map directly, anything else is internal. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof NetsecError) return err.code === 'INVALID' ? ExitCode.FINDINGS : ExitCode.USAGE;
  return ExitCode.INTERNAL;
}
