import { Argv } from 'yargs';
import { ExitCode } from './exit-codes.js';
import { CliIo } from './io.js';

/**
 * A CLI command: yargs options (declarative, with choices/coerce first) and a `run` that takes parsed options and
 * an injected `io` and returns the exit code. `yargs-cli.ts` wires these into yargs; tests call `run` directly.
 */
export interface NetsecCommand<A> {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv): Argv<A>;
  run(args: A, io: CliIo): ExitCode | Promise<ExitCode>;
  /**
   * Options (long names) that may be given without a value, which the command reads as '' (plan's `--app` alone: the
   * app: of ./cdk8s.yaml). Any other single-value option without one is a usage error (yargs-cli.ts).
   */
  readonly valueOptional?: readonly string[];
}

/**
 * The `<files..>` positional of the commands that read files (`validate`, `explain`, `test`): one or more, required.
 * No default is shown: yargs would print '[default: []]' for a positional that must be given.
 */
export const REQUIRED_FILES = { type: 'string', array: true, demandOption: true, default: undefined, defaultDescription: '' } as const;

/**
 * yargs reads flags from the variables whose names start with this (`.env(ENV_PREFIX)`): NETSEC_OUT is `--out`. With
 * the underscore: without it, NETSECOUT would be read as `--out` too.
 */
export const ENV_PREFIX = 'NETSEC_';

/**
 * Where the CLI leaves a flag-value problem in the parsed arguments for a command that reports its own usage errors
 * (`plan`, whose exit codes under --detailed-exitcode differ) instead of refusing it before the command runs.
 */
export const FLAG_VALUE_PROBLEM = Symbol('netsec: flag value problem');
