import { createHash } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { NetsecError } from '../../core/errors.js';
import { DEFAULT_LOCK_WAIT_MS, OutputLockedError, WriteOutputResult, recoverOutput, writeOutputAsync } from '../../core/output.js';
import { OutputFile } from '../../core/synth.js';
import { NetsecCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';

/** Options of `netsec synth`. */
export interface SynthOptions {
  readonly config: string;
  readonly out: string;
  readonly output: OutputFormat;
  /** Seconds to wait while another netsec run writes the same `out`. @default 15 */
  readonly lockTimeout?: number;
}

/**
 * Synthesizes netsec.yaml into `out`. Validation findings print and exit 1 with the previous output untouched;
 * otherwise the output folder is replaced atomically.
 */
export async function runSynth(opts: SynthOptions, io: CliIo): Promise<ExitCode> {
  const lockWaitMs = lockWaitOf(opts);
  // Before anything else: a run killed mid-swap must not leave the folder missing even if this run then fails.
  for (const note of recoverOutput(opts.out).notes) io.stderr(`warning: ${note}\n`);
  // Loaded here, not at the top: cdk8s and the config machinery are not needed by `netsec cidrs` or `--help`.
  const { printWarnings, problemsOf, synthesizeConfig } = await import('../pipeline.js');
  const result = await synthesizeConfig(opts.config, io);
  const problems = problemsOf(result);
  printWarnings(io, result.diagnostics);
  if (problems.length) {
    if (opts.output === 'json') printJson(io, { ok: false, problems, findings: result.findings, constructErrors: result.constructErrors });
    for (const p of problems) io.stderr(`error: ${p}\n`);
    io.stderr(`netsec synth: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written, ${opts.out}/ is unchanged.\n`);
    return ExitCode.FINDINGS;
  }
  for (const note of (await writeStoppable(result.files, opts, lockWaitMs, io)).notes) io.stderr(`warning: ${note}\n`);
  if (opts.output === 'json') {
    printJson(io, {
      ok: true,
      out: opts.out,
      targets: result.targets.map((t) => ({ name: t.name, versions: t.describe() })),
      files: result.files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content), sha256: createHash('sha256').update(f.content).digest('hex') })),
      warnings: result.diagnostics.filter((d) => d.level === 'warning'),
    });
  } else {
    for (const t of result.targets) {
      const files = result.files.filter((f) => f.path.startsWith(`${t.name}/`));
      io.stdout(`${opts.out}/${t.name}/ (${t.describe()}): ${files.map((f) => f.path.slice(t.name.length + 1)).join(', ')}\n`);
    }
  }
  return ExitCode.OK;
}

export const synthCommand: NetsecCommand<SynthOptions> = {
  command: 'synth',
  describe: 'Synthesize netsec.yaml into versioned, schema-valid YAML (one folder per target)',
  builder: (y) =>
    y
      .option('config', { alias: 'c', type: 'string', default: 'netsec.yaml', describe: 'The netsec.yaml to read' })
      .option('out', { type: 'string', default: 'dist', describe: 'Output folder (replaced as a whole)' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the report on stdout' })
      .option('lock-timeout', {
        type: 'number',
        default: DEFAULT_LOCK_WAIT_MS / 1000,
        describe: 'Seconds to wait while another netsec run writes the same --out (0: fail at once)',
      }),
  run: runSynth,
};

function lockWaitOf(opts: SynthOptions): number {
  const seconds = opts.lockTimeout ?? DEFAULT_LOCK_WAIT_MS / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new NetsecError('USAGE', `--lock-timeout is ${seconds}; expected a number of seconds, 0 or more; for example --lock-timeout 30`);
  }
  return seconds * 1000;
}

/**
 * Writes with SIGINT and SIGTERM turned into an abort: the write stops and leaves no debris (the previous tree stays,
 * the lock is released; see `writeOutputAsync`), then netsec exits with 128 + the signal's number, as a shell reports
 * a process that signal ended (130, 143). A signal during synthesis needs no handler: nothing is on disk yet.
 */
async function writeStoppable(files: readonly OutputFile[], opts: SynthOptions, lockWaitMs: number, io: CliIo): Promise<WriteOutputResult> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => controller.abort(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await writeOutputAsync(files, opts.out, { lockWaitMs, signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted && err === controller.signal.reason) {
      io.stderr(`netsec synth: stopped by ${String(err)}; nothing was written, ${opts.out}/ is unchanged.\n`);
    } else if (err instanceof OutputLockedError) {
      throw new NetsecError('ENVIRONMENT', `${err.message}; raise --lock-timeout to wait longer`);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (controller.signal.aborted) process.exit(128 + osConstants.signals[controller.signal.reason as NodeJS.Signals]);
  }
}
