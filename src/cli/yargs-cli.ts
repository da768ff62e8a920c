import yargs, { type Argv } from 'yargs';
import { Parser } from 'yargs/helpers';
import { NetsecError, echo } from '../core/errors.js';
import { netsecVersion } from '../core/package-root.js';
import { ENV_PREFIX, FLAG_VALUE_PROBLEM, NetsecCommand } from './command.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { CliIo } from './io.js';

/** A command whose module is imported only when the command line names it (see `commandsFor`). */
interface LazyCommand {
  /** The command's name as users type it (the first word of its `command`). */
  readonly name: string;
  load(): Promise<NetsecCommand<any>>;
}

/**
 * Every command, in the order `--help` lists them. Register a command lazily, as `{ name, load }`: start-up is what
 * users wait for on every call, and importing every command's module cost ~50 ms of a ~250 ms
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

/** The usage error for a command line that names no command: every command of `commands` (`COMMANDS` first), in order. */
function commandNames(commands: readonly (LazyCommand | NetsecCommand<any>)[]): string[] {
  return commands.map((c) => ('load' in c ? c.name : String([c.command].flat()[0]).split(' ')[0]!));
}

function nameACommandMessage(commands: readonly (LazyCommand | NetsecCommand<any>)[]): string {
  const names = commandNames(commands);
  return `Name a command: ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('')}.`;
}

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
 * yargs drops a lone '-' argument (yargs/yargs#1312, yargs/yargs-parser#381), the usual name for stdin. `runCli` hands
 * it to yargs as this token (a path cannot contain NUL) and a middleware turns it back into '-' before any command runs.
 */
const STDIN_TOKEN = '\u0000stdin';

function restoreStdinArgs(args: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(args)) {
    if (v === STDIN_TOKEN) args[k] = '-';
    else if (Array.isArray(v) && v.includes(STDIN_TOKEN)) args[k] = v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  }
}

/** The options of a command as yargs keeps them (`getOptions`, which @types/yargs does not declare). */
interface ParsedOptions {
  readonly key: Record<string, unknown>;
  readonly alias: Record<string, string[]>;
  readonly array: string[];
  readonly boolean: string[];
  readonly string: string[];
  readonly number: string[];
}

/**
 * `.env(ENV_PREFIX)` makes yargs read EVERY variable named NETSEC* as a flag of whichever command runs, and `.strict()`
 * then refuses one that names no option of it ("Unknown argument: appOutdir"), while netsec itself sets
 * NETSEC_APP_OUTDIR for the app `plan --app` runs and CI systems set NETSEC_* variables of their own. This middleware,
 * run before validation, drops the keys such variables added: a key stays when it names an option of the command
 * (or a global one, or one of their aliases), or when the command line gives it too (an unknown flag on the command
 * line stays a usage error). The keys are the ones yargs-parser makes of the variables (`applyEnvVars`: the name
 * without the prefix, split at `__` for nesting, each part camel-cased), and the command-line keys the ones it makes
 * of `tokens` without the variables.
 */
/**
 * Flags no variable sets: NETSEC_VERSION or NETSEC_HELP in a CI job (a version to install, say) must not turn a
 * command into printing the version or the help, nor be refused as a switch value.
 */
const NOT_FROM_ENV: ReadonlySet<string> = new Set(['help', 'version']);

function dropForeignEnvKeys(tokens: readonly string[], parser: typeof Parser) {
  // yargs passes its instance as the second argument (@types/yargs does not declare it).
  return ((args: Record<string, unknown>, y: Argv): void => {
    const fromEnv = Object.keys(process.env)
      .filter((name) => name.startsWith(ENV_PREFIX))
      .map((name) => parser.camelCase(name.slice(ENV_PREFIX.length).split('__')[0]));
    if (fromEnv.length === 0) return;

    const options = (y as unknown as { getOptions(): ParsedOptions }).getOptions();
    const known = new Set<string>();
    for (const key of [...Object.keys(options.key), ...Object.keys(options.alias), ...Object.values(options.alias).flat()]) {
      known.add(key);
      known.add(parser.camelCase(key));
    }
    const given = Object.keys(parser(tokens.slice(), { configuration: { 'populate--': true } })).filter((k) => k !== '_' && k !== '--');
    const onCommandLine = new Set(given.map((k) => parser.camelCase(k)));
    for (const key of fromEnv) {
      if ((!known.has(key) || NOT_FROM_ENV.has(key)) && !onCommandLine.has(key)) delete args[key];
    }
  }) as (args: Record<string, unknown>) => void;
}

/**
 * yargs collects a single-value flag given twice into a list (`--out a --out b` is ['a', 'b']), which the command then
 * read as if it were one value (exit 3, "a bug in netsec"); and it reads an empty value (`--out ''`, `--out=`, a bare
 * `--out`) as '', which named the current folder or nothing. Which of two values was meant is the user's to say, so
 * both are refused before any command runs, naming the flag as typed (`-c/--config`, `--out`), or the NETSEC_*
 * variable when the value came from one. A bare flag is fine where its command says so (`valueOptional`).
 */
function refuseRepeatedOrEmptyValues(tokens: readonly string[], commands: readonly NetsecCommand<any>[]) {
  // yargs passes its instance as the second argument (@types/yargs does not declare it).
  return ((args: Record<string, unknown>, y: Argv): void => {
    const options = (y as unknown as { getOptions(): ParsedOptions }).getOptions();
    const command = commands.find((c) => String([c.command].flat()[0]).split(' ')[0] === String((args._ as unknown[])[0]));
    for (const key of [...options.string, ...options.number]) {
      if (options.array.includes(key)) continue;
      const names = [key, ...(options.alias[key] ?? [])];
      const long = names.reduce((a, b) => (b.length > a.length ? b : a));
      const flags = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
      const typed = flags.filter((f) => tokens.some((t) => t === f || t.startsWith(`${f}=`)));
      const shown =
        typed.length === 0 ? `${ENV_PREFIX}${long.replace(/-/g, '_').toUpperCase()}` : typed.includes(`--${long}`) ? `--${long}` : `${typed[0]}/--${long}`;
      const value = args[key];
      if (Array.isArray(value)) {
        throw new NetsecError('USAGE', `${shown} is given ${value.length} times (${value.map((v) => `'${echo(String(v))}'`).join(', ')}); expected it once; keep the one you mean`);
      }
      // Bare: the flag is the last token or followed by another flag (not a negative number), so yargs had no value
      // for it (it then gives '' or the default, as if the flag were not there).
      const at = tokens.findIndex((t) => flags.includes(t));
      const next = tokens[at + 1];
      const bare = at >= 0 && (next === undefined || (next.startsWith('-') && !/^-[0-9.]/.test(next)));
      if (bare ? command?.valueOptional?.includes(long) : value !== '') continue;
      throw new NetsecError('USAGE', bare ? `${shown} has no value; expected one after it; give it one or leave it out` : `${shown} is empty; expected a value; give it one or leave it out`);
    }
  }) as (args: Record<string, unknown>) => void;
}

/**
 * A boolean flag with a value yargs does not read as a boolean, or undefined. yargs takes `--detailed-exitcode=yes`,
 * `=1`, `=TRUE` and `NETSEC_DETAILED_EXITCODE=1` (or empty) as false, silently: a CI job that set the variable the usual
 * way saw exit 0 with changes present. Only `true` and `false` are values (or the bare flag, or `--no-<flag>`).
 */
export function badBooleanValue(tokens: readonly string[], options: Pick<ParsedOptions, 'boolean' | 'alias'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const key of options.boolean) {
    const names = [key, ...(options.alias[key] ?? [])].filter((n) => n.length > 1);
    const long = names.reduce((a, b) => (b.length > a.length ? b : a));
    for (const t of tokens) {
      const m = /^--(no-)?([^=]+)=(.*)$/s.exec(t);
      if (!m || !names.includes(m[2]!)) continue;
      // `--no-x` is a value of its own: yargs reads `--no-x=false` as an unknown flag, and a double negative is unclear.
      if (m[1]) return `--no-${m[2]} takes no value (got '${echo(m[3]!)}'); write --no-${long} alone, or --${long}=false`;
      if (m[3] === 'true' || m[3] === 'false') continue;
      return `${echo(t.slice(0, t.indexOf('=')))} is given the value '${echo(m[3]!)}'; expected true or false; write --${long} alone to turn it on`;
    }
    const variable = `${ENV_PREFIX}${long.replace(/-/g, '_').toUpperCase()}`;
    const value = NOT_FROM_ENV.has(key) ? undefined : env[variable];
    if (value !== undefined && value !== 'true' && value !== 'false') {
      return `${variable} is ${value === '' ? 'empty' : `'${echo(value)}'`}; expected true or false (${variable}=true turns --${long} on)`;
    }
  }
  return undefined;
}

/**
 * Refuses a boolean flag's value that is neither true nor false (see `badBooleanValue`) before any command runs; `plan`
 * gets it in its arguments (FLAG_VALUE_PROBLEM) and reports it itself.
 */
function refuseBadBooleanValues(tokens: readonly string[]) {
  // yargs passes its instance as the second argument (@types/yargs does not declare it).
  return ((args: Record<string | symbol, unknown>, y: Argv): void => {
    const problem = badBooleanValue(tokens, (y as unknown as { getOptions(): ParsedOptions }).getOptions());
    if (!problem) return;
    if ((args._ as unknown[])[0] === 'plan') args[FLAG_VALUE_PROBLEM] = problem;
    else throw new NetsecError('USAGE', problem);
  }) as (args: Record<string, unknown>) => void;
}

/**
 * The CLI with yargs: every command line but the two that `main` answers itself. Runs `argv` (without the node and
 * script names) and returns the exit code. Wiring only: each command's `run` does the work, with `io` injected so
 * tests need no process. Flags may also come from NETSEC_* variables.
 */
export async function runCli(argv: readonly string[], io: CliIo, extraCommands: readonly NetsecCommand<any>[]): Promise<ExitCode> {
  let code: ExitCode = ExitCode.OK;
  const verbose = argv.includes('--verbose');
  const tokens = argv.map((a) => (a === '-' ? STDIN_TOKEN : a));
  const commands = await commandsFor(argv, [...COMMANDS, ...extraCommands]);
  let parser: Argv = yargs()
    .scriptName('netsec')
    .usage('$0 <command> [options]\n\nKubernetes network security as code: Cilium, Calico, NodeLocal DNSCache, Hubble and Istio.')
    .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces for unexpected errors' })
    .strict()
    .demandCommand(1, nameACommandMessage([...COMMANDS, ...extraCommands]))
    .recommendCommands()
    .env(ENV_PREFIX)
    .version(netsecVersion())
    .alias('version', 'V')
    .help()
    .alias('help', 'h')
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      // yargs words a command it does not know as an argument ("Unknown argument: frobnicate") when no command is close.
      const first = tokens.find((t) => !t.startsWith('-'));
      const names = commandNames([...COMMANDS, ...extraCommands]);
      if (first !== undefined && !names.includes(first)) {
        const near = /^Did you mean (\S+)\?$/.exec(msg)?.[1];
        if (near || msg === `Unknown argument: ${first}`) {
          throw new NetsecError('USAGE', `unknown command '${echo(first)}'; ${near ? `did you mean '${near}'?` : `expected one of: ${names.join(', ')}`}\nRun 'netsec --help' for usage.`);
        }
      }
      throw new NetsecError('USAGE', `${msg}\nRun 'netsec --help' for usage.`);
    })
    .middleware(dropForeignEnvKeys(tokens, Parser), true)
    .middleware(refuseRepeatedOrEmptyValues(tokens, commands), true)
    .middleware(refuseBadBooleanValues(tokens), true)
    .middleware(restoreStdinArgs);
  skipHelpCache(parser, argv);
  for (const cmd of commands) {
    parser = parser.command(cmd.command as string, cmd.describe, (y) => cmd.builder(y), async (args) => {
      code = await cmd.run(args, io);
    });
  }
  try {
    let printed = '';
    await parser.parseAsync(tokens, {}, (_err, _args, output) => {
      printed = output;
    });
    if (printed) io.stdout(printed.endsWith('\n') ? printed : printed + '\n');
    return code;
  } catch (err) {
    return reportError(io, err, verbose);
  }
}
