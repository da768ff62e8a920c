import { stat } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { NetsecError, echo } from '../../core/errors.js';
import {
  aggregate, CidrSet, CountryMatch, FileReadError, formatAddressCount, formatCount, formatDiagnostic, PrefixList, readCidrFeed,
  readMaxMindCountries, isCidrText, parseCidrList, subtract, type AggregateStats, type CidrDiagnostic,
  type ProgressCallback,
} from '../../cidr/index.js';
import type { NetsecCommand } from '../command.js';
import { reportError, terminalLine } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, type OutputFormat, printJson, processIo } from '../io.js';
import { progressBar } from '../progress.js';

/** The three `netsec cidrs` actions. */
export type CidrsAction = 'aggregate' | 'diff' | 'stats';

/** Options of `netsec cidrs`. */
export interface CidrsOptions {
  readonly action: CidrsAction;
  /** Feed files; `-` is stdin. `diff` takes exactly two. */
  readonly inputs?: readonly string[];
  /** Normalise host bits with a warning per line instead of failing. */
  readonly lenient?: boolean;
  /** Prefixes to remove: each value is a prefix (`10.0.0.0/8`) or a feed file. */
  readonly except?: readonly string[];
  /** MaxMind GeoLite2 Country CSV folder, as an extra input (`aggregate`, `stats`). */
  readonly maxmind?: string;
  /** Country codes selected from `--maxmind`. */
  readonly country?: readonly string[];
  /** Which MaxMind geoname id must match. */
  readonly match?: CountryMatch;
  readonly output?: OutputFormat;
  /** Print stack traces for internal errors. */
  readonly verbose?: boolean;
}

/** Warnings printed in text mode before summarising the rest (JSON output has them all). */
const MAX_WARNINGS_SHOWN = 20;

/** What a strict host-bits error tells a `netsec cidrs` user to do. */
const HOST_BITS_HINT = ' (use --lenient to normalise)';

/** Cross-flag rules yargs cannot express. Returns an error message, or undefined when the flags are fine. */
export function checkCidrsOptions(opts: CidrsOptions): string | undefined {
  const inputs = opts.inputs ?? [];
  if (opts.action === 'diff') {
    if (inputs.length !== 2) return `'cidrs diff' compares two feeds; give exactly two inputs (got ${inputs.length}), e.g. 'netsec cidrs diff old.txt new.txt'.`;
    if (opts.maxmind !== undefined) return "'cidrs diff' compares two feed files; --maxmind is not supported there. Aggregate the MaxMind selection to a file first.";
  } else if (inputs.length === 0 && opts.maxmind === undefined) {
    return `'cidrs ${opts.action}' needs an input: feed files, '-' for stdin, or --maxmind DIR --country CODE.`;
  }
  if (inputs.filter((i) => i === '-').length > 1) return "stdin ('-') can be read only once; give it as one input.";
  if (opts.maxmind !== undefined && (opts.country ?? []).length === 0) return '--maxmind needs at least one --country code, e.g. --country KP.';
  if (opts.maxmind === undefined && (opts.country ?? []).length > 0) return '--country selects from a MaxMind database; add --maxmind DIR.';
  if (opts.maxmind === undefined && opts.match !== undefined) return '--match chooses which MaxMind id must match; it applies only with --maxmind DIR --country CODE. Remove it, or add --maxmind.';
  return undefined;
}

async function sizeOf(path: string): Promise<number> {
  if (path === '-') return 0;
  try {
    return (await stat(path)).size;
  } catch {
    return 0; // the reader reports the real error with the path
  }
}

interface Loaded {
  readonly list: PrefixList;
  readonly warnings: CidrDiagnostic[];
  readonly lines: number;
}

/** Reads feeds (and the MaxMind selection) into one list, with one progress bar over all of them. */
async function load(inputs: readonly string[], opts: CidrsOptions, io: CliIo, into?: PrefixList): Promise<Loaded> {
  const sizes = await Promise.all(inputs.map(sizeOf));
  const total = sizes.reduce((a, b) => a + b, 0);
  const progress = progressBar(io, total, 'reading');
  const list = into ?? new PrefixList(total / 14);
  const warnings: CidrDiagnostic[] = [];
  let lines = 0;
  let base = 0;
  try {
    for (let k = 0; k < inputs.length; k++) {
      const offset = base;
      const onProgress: ProgressCallback | undefined = progress ? (done) => progress.update(offset + done) : undefined;
      const r = await readCidrFeed(inputs[k]!, {
        lenient: opts.lenient, hostBitsHint: HOST_BITS_HINT, into: list, onProgress, stdin: io.stdin as AsyncIterable<Uint8Array> | undefined,
      });
      base += sizes[k]!;
      warnings.push(...r.warnings);
      lines += r.lines;
    }
    if (opts.maxmind !== undefined) {
      const r = await readMaxMindCountries({
        directory: opts.maxmind, countries: opts.country ?? [], match: opts.match ?? CountryMatch.LOCATED, into: list,
      }).catch((err: unknown) => {
        // As netsec.yaml's maxmind.directory says it: which files the folder must hold, and the flag to fix.
        if (!(err instanceof FileReadError)) throw err;
        throw new NetsecError('USAGE', `cannot read '${err.location?.file}' (${err.osReason}); expected the GeoLite2 Country CSV files (Blocks-IPv4, Blocks-IPv6, Locations-en) in --maxmind ${echo(opts.maxmind!)}; fix --maxmind or add the file`, undefined, { cause: err });
      });
      lines += r.rowsRead;
    }
  } finally {
    progress?.stop();
  }
  return { list, warnings, lines };
}

/** `--except` values: a value that reads as a prefix is one; anything else is a feed file. */
async function loadExcept(values: readonly string[], opts: CidrsOptions, io: CliIo): Promise<{ set: CidrSet; warnings: CidrDiagnostic[] }> {
  if (values.length === 0) return { set: CidrSet.EMPTY, warnings: [] };
  const list = new PrefixList(values.length);
  const prefixes = values.filter((v) => isCidrText(v));
  if (prefixes.length > 0) parseCidrList(prefixes, { source: '--except', lenient: opts.lenient, hostBitsHint: HOST_BITS_HINT, into: list });
  const files = values.filter((v) => !isCidrText(v));
  const { warnings } = await load(files, { ...opts, maxmind: undefined }, io, list);
  return { set: aggregate(list, { reuseInput: true }).set, warnings };
}

function printWarnings(warnings: readonly CidrDiagnostic[], io: CliIo): void {
  for (const w of warnings.slice(0, MAX_WARNINGS_SHOWN)) io.stderr(`warning: ${terminalLine(formatDiagnostic(w))}\n`);
  if (warnings.length > MAX_WARNINGS_SHOWN) {
    io.stderr(`netsec: ${formatCount(warnings.length - MAX_WARNINGS_SHOWN)} more lines were normalised (use --output json to list them all)\n`);
  }
}

/** JSON has no bigint: counts of addresses are written as decimal strings. */
function statsJson(stats: AggregateStats): unknown {
  return JSON.parse(JSON.stringify(stats, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Runs `fn` after the cross-flag checks; any error is printed by the CLI's one renderer. */
async function guarded(opts: CidrsOptions, io: CliIo, fn: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    const problem = checkCidrsOptions(opts);
    if (problem) throw new NetsecError('USAGE', problem);
    return await fn();
  } catch (err) {
    return reportError(io, err, opts.verbose);
  }
}

/**
 * `netsec cidrs aggregate`: prints the minimal cover of all inputs minus `--except`, one canonical prefix per line
 * (always with its length, IPv4 first), or JSON with the stats and warnings.
 */
export function runAggregate(opts: Omit<CidrsOptions, 'action'>, io: CliIo): Promise<ExitCode> {
  const o: CidrsOptions = { ...opts, action: 'aggregate' };
  return guarded(o, io, async () => {
    const loaded = await load(o.inputs ?? [], o, io);
    const except = await loadExcept(o.except ?? [], o, io);
    const { set, stats } = aggregate(loaded.list, { except: except.set, reuseInput: true });
    const warnings = [...loaded.warnings, ...except.warnings];
    if (o.output === 'json') {
      printJson(io, { prefixes: set.toStrings(), stats: statsJson(stats), warnings });
    } else {
      printWarnings(warnings, io);
      // The bytes as formatted: no string of the whole output, no second encoding on the way to the stream.
      io.stdout(set.toBuffer());
    }
    return ExitCode.OK;
  });
}

/** `netsec cidrs stats`: what aggregation would do, as counts. */
export function runStats(opts: Omit<CidrsOptions, 'action'>, io: CliIo): Promise<ExitCode> {
  const o: CidrsOptions = { ...opts, action: 'stats' };
  return guarded(o, io, async () => {
    const loaded = await load(o.inputs ?? [], o, io);
    const except = await loadExcept(o.except ?? [], o, io);
    const { stats } = aggregate(loaded.list, { except: except.set, reuseInput: true });
    const warnings = [...loaded.warnings, ...except.warnings];
    if (o.output === 'json') {
      printJson(io, { lines: loaded.lines, stats: statsJson(stats), warnings });
      return ExitCode.OK;
    }
    printWarnings(warnings, io);
    const f = formatCount;
    const rows: Array<[string, string]> = [
      ['input lines', f(loaded.lines)],
      ['input prefixes', `${f(stats.inputPrefixes)} (IPv4 ${f(stats.ipv4.inputPrefixes)}, IPv6 ${f(stats.ipv6.inputPrefixes)})`],
      ['duplicates', f(stats.duplicates)],
      ['contained', f(stats.contained)],
      ['merged adjacent', f(stats.mergedAdjacent)],
      ['output prefixes', `${f(stats.outputPrefixes)} (IPv4 ${f(stats.ipv4.outputPrefixes)}, IPv6 ${f(stats.ipv6.outputPrefixes)})`],
      ['IPv4 addresses', f(stats.ipv4.addresses)],
      ['IPv6 addresses', formatAddressCount(stats.ipv6.addresses)],
    ];
    if (except.set.size > 0) {
      rows.push(['excluded addresses', `IPv4 ${f(stats.ipv4.excludedAddresses)}, IPv6 ${formatAddressCount(stats.ipv6.excludedAddresses)}`]);
    }
    const width = Math.max(...rows.map(([k]) => k.length)) + 2;
    io.stdout(rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}\n`).join(''));
    return ExitCode.OK;
  });
}

/** Orders prefix i of `a` against prefix j of `b` (IPv4 before IPv6, then address, then length). */
function compareAt(a: CidrSet, i: number, b: CidrSet, j: number): number {
  const fa = i < a.v4Count ? 4 : 6;
  const fb = j < b.v4Count ? 4 : 6;
  if (fa !== fb) return fa - fb;
  if (fa === 4) return a.v4Start[i]! - b.v4Start[j]! || a.v4Len[i]! - b.v4Len[j]!;
  const x = i - a.v4Count;
  const y = j - b.v4Count;
  for (let k = 0; k < 4; k++) {
    const d = a.v6Words[4 * x + k]! - b.v6Words[4 * y + k]!;
    if (d !== 0) return d;
  }
  return a.v6Len[x]! - b.v6Len[y]!;
}

const textAt = (s: CidrSet, i: number) => (i < s.v4Count ? s.v4Text(i) : s.v6Text(i - s.v4Count));

/**
 * `netsec cidrs diff OLD NEW`: the prefixes removed (`- `) and added (`+ `) between two aggregated feeds, in address
 * order, then a summary such as `+1,204 / -87 prefixes; IPv4 addresses +65,536 / -256; IPv6 addresses +0 / -0`.
 */
export function runDiff(opts: Omit<CidrsOptions, 'action'>, io: CliIo): Promise<ExitCode> {
  const o: CidrsOptions = { ...opts, action: 'diff' };
  return guarded(o, io, async () => {
    const [oldPath, newPath] = o.inputs as [string, string];
    const except = await loadExcept(o.except ?? [], o, io);
    const before = await load([oldPath], o, io);
    const after = await load([newPath], o, io);
    const a = aggregate(before.list, { except: except.set, reuseInput: true }).set;
    const b = aggregate(after.list, { except: except.set, reuseInput: true }).set;
    const added: string[] = [];
    const removed: string[] = [];
    const lines: string[] = [];
    let i = 0;
    let j = 0;
    while (i < a.size || j < b.size) {
      const c = i >= a.size ? 1 : j >= b.size ? -1 : compareAt(a, i, b, j);
      if (c === 0) {
        i++;
        j++;
      } else if (c < 0) {
        const t = textAt(a, i++);
        removed.push(t);
        lines.push(`- ${t}\n`);
      } else {
        const t = textAt(b, j++);
        added.push(t);
        lines.push(`+ ${t}\n`);
      }
    }
    const plus = subtract(b, a).addresses();
    const minus = subtract(a, b).addresses();
    if (o.output === 'json') {
      printJson(io, {
        added, removed,
        summary: {
          addedPrefixes: added.length, removedPrefixes: removed.length,
          addedAddresses: { ipv4: plus.v4.toString(), ipv6: plus.v6.toString() },
          removedAddresses: { ipv4: minus.v4.toString(), ipv6: minus.v6.toString() },
        },
        warnings: [...except.warnings, ...before.warnings, ...after.warnings],
      });
      return ExitCode.OK;
    }
    printWarnings([...except.warnings, ...before.warnings, ...after.warnings], io);
    const f = formatCount;
    io.stdout(lines.join('') + `+${f(added.length)} / -${f(removed.length)} prefixes; IPv4 addresses +${f(plus.v4)} / -${f(minus.v4)}; IPv6 addresses +${formatAddressCount(plus.v6)} / -${formatAddressCount(minus.v6)}\n`);
    return ExitCode.OK;
  });
}

/** Dispatches on `opts.action`. */
export function runCidrs(opts: CidrsOptions, io: CliIo): Promise<ExitCode> {
  switch (opts.action) {
    case 'aggregate': return runAggregate(opts, io);
    case 'diff': return runDiff(opts, io);
    case 'stats': return runStats(opts, io);
  }
}

/** `netsec cidrs <aggregate|diff|stats> [inputs..]`, wired by `yargs-cli.ts` like the other commands. */
export const cidrsCommand: NetsecCommand<CidrsOptions> = {
  command: 'cidrs <action> [inputs..]',
  describe: 'Aggregate, diff or count CIDR feeds (plain lists or MaxMind GeoLite2 Country CSV)',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['aggregate', 'diff', 'stats'] as const, demandOption: true, describe: 'aggregate: print the minimal cover; diff OLD NEW: added/removed prefixes; stats: counts' })
      .positional('inputs', { type: 'string', array: true, describe: "Feed files, one prefix per line; '-' reads stdin" })
      .option('lenient', { type: 'boolean', default: false, describe: 'Normalise prefixes with host bits set (one warning per line) instead of failing' })
      .option('except', { type: 'string', array: true, describe: 'Remove these addresses: a prefix (10.0.0.0/8) or a feed file; repeatable' })
      .option('maxmind', { type: 'string', describe: 'Folder with the GeoLite2 Country CSV files, as an extra input' })
      .option('country', { type: 'string', array: true, describe: 'ISO 3166-1 code to select from --maxmind; repeatable' })
      .option('match', { choices: Object.values(CountryMatch), describe: 'MaxMind id that must match: located (geoname_id, the default), registered, or either' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format on stdout' })
      .example('$0 cidrs aggregate a.txt --except 10.0.0.0/8', 'Minimal cover of a.txt without 10.0.0.0/8')
      .example('$0 cidrs diff yesterday.txt today.txt', "What changed, e.g. '+1,204 / -87 prefixes'")
      .example('$0 cidrs stats --maxmind geoip --country KP', 'Counts for one country (geoip: the GeoLite2 Country CSV folder)') as never,
  run: runCidrs,
};

/**
 * The same command as a plain yargs `CommandModule`, for wiring outside `yargs-cli.ts`: the handler runs `runCidrs` and
 * stores the exit code in `process.exitCode`.
 */
export function cidrsCommandModule(io: CliIo = processIo): CommandModule<object, CidrsOptions> {
  return {
    command: cidrsCommand.command as string,
    describe: cidrsCommand.describe,
    builder: (y) => cidrsCommand.builder(y as Argv) as unknown as Argv<CidrsOptions>,
    handler: async (args) => {
      process.exitCode = await runCidrs(args, io);
    },
  };
}
