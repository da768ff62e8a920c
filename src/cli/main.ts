import { netsecVersion } from '../core/package-root.js';
import { ENV_PREFIX, NetsecCommand } from './command.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { CliIo, processIo } from './io.js';

/**
 * The inputs of `netsec cidrs aggregate FILE...` with nothing else, the form cron jobs and scripts run on each feed
 * refresh, which `main` answers without yargs: loading yargs took 125-175 ms on this (loaded) 2-core machine, where
 * `node -e 0` took 110-145 ms and aggregating a 10k-line feed ~15 ms; the goal is <= 2x node's own start.
 * The options are what yargs gives for that command line (the builder's defaults). A flag, '-' (stdin) or any NETSEC_*
 * variable goes through yargs as before: a variable may name a flag of `cidrs` (NETSEC_OUTPUT=json), which only the
 * command's builder knows; one that names none is ignored there (`dropForeignEnvKeys`), so the output is the same.
 */
function plainAggregateInputs(argv: readonly string[]): string[] | undefined {
  if (argv.length < 3 || argv[0] !== 'cidrs' || argv[1] !== 'aggregate') return undefined;
  const inputs = argv.slice(2);
  if (inputs.some((a) => a === '' || a.startsWith('-'))) return undefined;
  if (Object.keys(process.env).some((k) => k.startsWith(ENV_PREFIX))) return undefined;
  return inputs;
}

/** `--version` alone, answered without loading yargs (~130 ms of module loading on this 2-core machine). */
function isVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

/**
 * Runs the CLI on `argv` (without the node and script names) and returns the exit code. `--version` and plain
 * `cidrs aggregate FILE...` are answered here, without yargs; every other command line goes to `runCli`
 * (yargs-cli.ts), imported only then. In the CLI bundle that module and everything it imports is one file
 * (scripts/bundle-cli.mjs), and this one stays small.
 */
export async function main(argv: readonly string[], io: CliIo = processIo, extraCommands: readonly NetsecCommand<any>[] = []): Promise<ExitCode> {
  if (isVersionOnly(argv)) {
    io.stdout(`${netsecVersion()}\n`);
    return ExitCode.OK;
  }
  const inputs = plainAggregateInputs(argv);
  if (inputs) {
    try {
      const { runAggregate } = await import('./commands/cidrs.js');
      return await runAggregate({ inputs, lenient: false, output: 'text' }, io);
    } catch (err) {
      return reportError(io, err, argv.includes('--verbose'));
    }
  }
  const { runCli } = await import('./yargs-cli.js');
  return runCli(argv, io, extraCommands);
}
