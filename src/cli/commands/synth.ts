import { createHash } from 'node:crypto';
import { writeOutput } from '../../core/output.js';
import { NetsecCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';

/** Options of `netsec synth`. */
export interface SynthOptions {
  readonly config: string;
  readonly out: string;
  readonly output: OutputFormat;
}

/**
 * Synthesizes netsec.yaml into `out`. Validation findings print and exit 1 with the previous output untouched;
 * otherwise the output folder is replaced atomically.
 */
export async function runSynth(opts: SynthOptions, io: CliIo): Promise<ExitCode> {
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
  writeOutput(result.files, opts.out);
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
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the report on stdout' }),
  run: runSynth,
};
