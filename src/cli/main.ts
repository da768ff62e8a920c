import type { Argv } from 'yargs';
import { NetsecError } from '../core/errors.js';
import { netsecVersion } from '../core/package-root.js';
import { NetsecCommand } from './command.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { CliIo, processIo } from './io.js';

/** A command whose module is imported only when the command line names it (see `commandsFor`). */
interface LazyCommand {
  /** The command's name as users type it (the first word of its `command`). */
  readonly name: string;
  load(): Promise<NetsecCommand<any>>;
}

/**
 * Every command, in the order `--help` lists them. Register a command lazily, as `{ name, load }`: start-up is what
 * users wait for on every call (issue 14), and importing every command's module cost ~50 ms of a ~250 ms
 * `netsec --version` (plan alone ~30 ms) before this list was lazy. A plain `NetsecCommand` works too, loaded always.
 */
const COMMANDS: readonly (LazyCommand | NetsecCommand<any>)[] = [
  { name: 'synth', load: async () => (await import('./commands/synth.js')).synthCommand },
  { name: 'plan', load: async () => (await import('./commands/plan.js')).planCommand },
  { name: 'validate', load: async () => (await import('./commands/validate.js')).validateCommand },
  { name: 'cidrs', load: async () => (await import('./commands/cidrs.js')).cidrsCommand },
  { name: 'schema', load: async () => (await import('./commands/schema.js')).schemaCommand },
  { name: 'explain', load: async () => (await import('./commands/explain.js')).explainCommand },
  { name: 'test', load: async () => (await import('./commands/test.js')).testCommand },
];

/**
 * The commands yargs needs for `argv`: the one its first word names (global flags are booleans, so that word is the
 * command), or all of them when it names none (`--help` lists them, an unknown name gets a did-you-mean).
 */
async function commandsFor(argv: readonly string[], all: readonly (LazyCommand | NetsecCommand<any>)[]): Promise<NetsecCommand<any>[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const lazy = (c: LazyCommand | NetsecCommand<any>): c is LazyCommand => 'load' in c;
  const named = all.some((c) => lazy(c) && c.name === first);
  return Promise.all(all.filter((c) => !lazy(c) || !named || c.name === first).map((c) => (lazy(c) ? c.load() : c)));
}

/**
 * yargs renders a command's whole help text before running its handler (`cacheHelpMessage`, yargs/yargs#1865), in case
 * the handler later calls `showHelp()`. netsec never does (failures go through `.fail()` to one error renderer), yet
 * that rendering measures every cell with string-width (Intl.Segmenter, Unicode-property regexes): ~35-45 ms of CPU
 * on every command on this machine, against ~15 ms for the whole 10k-line `cidrs aggregate`. Angular's CLI skips it
 * the same way (angular/angular-cli#34087). `--help` still renders help as before.
 */
function skipHelpCache(parser: Argv, argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) return;
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/**
 * The inputs of `netsec cidrs aggregate FILE...` with nothing else, the form cron jobs and scripts run on each feed
 * refresh, which `main` answers without yargs: loading yargs took 125-175 ms on this (loaded) 2-core machine, where
 * `node -e 0` took 110-145 ms and aggregating a 10k-line feed ~15 ms, and issue 14 asks for <= 2x node's own start.
 * The options are what yargs gives for that command line (the builder's defaults). A flag, '-' (stdin) or any NETSEC_*
 * variable (yargs reads flags from them) goes through yargs as before.
 */
function plainAggregateInputs(argv: readonly string[]): string[] | undefined {
  if (argv.length < 3 || argv[0] !== 'cidrs' || argv[1] !== 'aggregate') return undefined;
  const inputs = argv.slice(2);
  if (inputs.some((a) => a === '' || a.startsWith('-'))) return undefined;
  if (Object.keys(process.env).some((k) => k.startsWith('NETSEC_'))) return undefined;
  return inputs;
}

/** `--version` alone, answered without loading yargs (~130 ms of module loading on this 2-core machine). */
function isVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

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
  if (isVersionOnly(argv)) {
    io.stdout(`${netsecVersion()}\n`);
    return code;
  }
  const inputs = plainAggregateInputs(argv);
  if (inputs) {
    try {
      const [{ runAggregate }, { CountryMatch }] = await Promise.all([import('./commands/cidrs.js'), import('../cidr/index.js')]);
      return await runAggregate({ inputs, lenient: false, match: CountryMatch.LOCATED, output: 'text' }, io);
    } catch (err) {
      return reportError(io, err, verbose);
    }
  }
  // Loaded here, not at the top: `--version` and `cidrs aggregate FILE...` above never need it.
  const { default: yargs } = await import('yargs');
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
  skipHelpCache(parser, argv);
  for (const cmd of await commandsFor(argv, [...COMMANDS, ...extraCommands])) {
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
