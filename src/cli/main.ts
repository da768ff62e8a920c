import yargs, { Argv } from 'yargs';
import { NetsecError } from '../core/errors.js';
import { netsecVersion } from '../core/package-root.js';
import { NetsecCommand } from './command.js';
import { cidrsCommand } from './commands/cidrs.js';
import { planCommand } from './commands/plan.js';
import { schemaCommand } from './commands/schema.js';
import { synthCommand } from './commands/synth.js';
import { validateCommand } from './commands/validate.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { CliIo, processIo } from './io.js';

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly NetsecCommand<any>[] = [synthCommand, planCommand, validateCommand, cidrsCommand, schemaCommand];

/**
 * yargs drops a lone '-' argument (yargs/yargs#1312, yargs/yargs-parser#381), the usual name for stdin. `main` hands
 * it to yargs as this token (a path cannot contain NUL) and a middleware turns it back into '-' before any command runs.
 */
const STDIN_TOKEN = '\u0000stdin';

function restoreStdinArgs(args: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === STDIN_TOKEN) args[k] = '-';
    else if (Array.isArray(v) && v.includes(STDIN_TOKEN)) args[k] = v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  }
}

/**
 * Runs the CLI on `argv` (without the node and script names) and returns the exit code. Wiring only: each command's
 * `run` does the work, with `io` injected so tests need no process. Flags may also come from NETSEC_* variables.
 */
export async function main(argv: readonly string[], io: CliIo = processIo, extraCommands: readonly NetsecCommand<any>[] = []): Promise<ExitCode> {
  let code: ExitCode = ExitCode.OK;
  const verbose = argv.includes('--verbose');
  let parser: Argv = yargs()
    .scriptName('netsec')
    .usage('$0 <command> [options]\n\nKubernetes network security as code: Cilium, Calico, NodeLocal DNSCache, Hubble and Istio.')
    .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces for unexpected errors' })
    .strict()
    .demandCommand(1, 'Name a command: synth, plan, validate or cidrs.')
    .recommendCommands()
    .env('NETSEC')
    .version(netsecVersion())
    .alias('version', 'V')
    .help()
    .alias('help', 'h')
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new NetsecError('USAGE', `${msg}\nRun 'netsec --help' for usage.`);
    })
    .middleware(restoreStdinArgs);
  for (const cmd of [...COMMANDS, ...extraCommands]) {
    parser = parser.command(cmd.command as string, cmd.describe, (y) => cmd.builder(y), async (args) => {
      code = await cmd.run(args, io);
    });
  }
  try {
    let printed = '';
    await parser.parseAsync(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)), {}, (_err, _args, output) => {
      printed = output;
    });
    if (printed) io.stdout(printed.endsWith('\n') ? printed : printed + '\n');
    return code;
  } catch (err) {
    return reportError(io, err, verbose);
  }
}
