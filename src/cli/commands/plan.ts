import { Argv } from 'yargs';
import { NetsecError } from '../../core/errors.js';
import { ValidationFinding } from '../../core/validation/finding.js';
import { Diagnostic } from '../../core/diagnostics.js';
import { Plan, computePlan } from '../../plan/diff.js';
import { readPreviousOutput } from '../../plan/previous-output.js';
import { renderPlan } from '../../plan/render.js';
import { FLAG_VALUE_PROBLEM, NetsecCommand } from '../command.js';
import { renderError, terminalText } from '../errors.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';

export { computePlan, diffValues } from '../../plan/diff.js';
export type { FieldChange, FileChange, ObjectChange, Plan, PlanSummary } from '../../plan/diff.js';
export { renderPlan } from '../../plan/render.js';

/** Options of `netsec plan`. */
export interface PlanOptions {
  readonly config: string;
  /** A command that runs a TypeScript app building a NetsecApp (`node lib/main.js`); planned instead of `config`. */
  readonly app?: string;
  readonly out: string;
  readonly output: OutputFormat;
  /** Exit 0 without changes, 2 with changes, 1 on any error (as `terraform plan -detailed-exitcode`). */
  readonly detailedExitcode?: boolean;
  readonly verbose?: boolean;
  /** Positional words after `plan` (plan takes none). */
  readonly _?: ReadonlyArray<string | number>;
}

/** Exit codes of `plan --detailed-exitcode`: Terraform's three, and nothing else, so a pipeline can branch on them. */
export const DetailedExitCode = {
  NO_CHANGES: 0,
  ERROR: 1,
  CHANGES: 2,
} as const;

/** The exit codes as `--help` prints them (docs/egress-blocking.md says the same; a test checks both). */
export const PLAN_EXIT_CODES_HELP = [
  'Exit codes: 0 the plan was computed, with or without changes; 1 findings (the configuration fails validation); ' +
    '2 usage or config error (a flag, netsec.yaml, a feed, --out); 3 a bug in netsec.',
  'With --detailed-exitcode, as terraform plan -detailed-exitcode: 0 no changes; 2 changes present (synth would ' +
    'change --out); 1 any error: findings, usage, config, --out, even a bug (the message on stderr, or "error" with ' +
    '--output json, says which).',
].join('\n\n');

/** Flags yargs parsed that `plan` does not know, recorded by the builder's middleware (see `planCommand.builder`). */
const UNKNOWN_FLAGS = Symbol('netsec plan: unknown flags');

const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json'];

/** `detailedExitcode` -> `detailed-exitcode` (yargs adds the camel-case twin of every dashed flag). */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Unknown flags in parsed arguments, given the keys and aliases yargs knows (this command's and the global ones). */
export function unknownFlags(args: Record<string, unknown>, known: { key?: Record<string, unknown>; alias?: Record<string, readonly string[]> }): string[] {
  const names = new Set<string>(['_', '$0', ...Object.keys(known.key ?? {})]);
  for (const [k, aliases] of Object.entries(known.alias ?? {})) for (const a of [k, ...aliases]) names.add(a);
  const unknown = Object.keys(args).filter((k) => !names.has(k) && !names.has(kebab(k)));
  // yargs also adds the camel-case twin of an unknown dashed flag; name each flag once, as typed.
  return unknown.filter((k) => kebab(k) === k || !unknown.includes(kebab(k)));
}

/**
 * Cross-flag and flag-value rules. `plan` turns off yargs' strict mode and checks here instead, so that a usage error
 * also reaches plan's own reporting (a JSON object with --output json; exit 1 with --detailed-exitcode, where yargs'
 * exit 2 would read as "changes present"). Returns an error message, or undefined when the flags are fine.
 */
export function checkPlanOptions(opts: PlanOptions, unknown: readonly string[] = []): string | undefined {
  const flagValue = (opts as unknown as Record<symbol, string | undefined>)[FLAG_VALUE_PROBLEM];
  if (flagValue) return flagValue;
  if (unknown.length) {
    const hint = unknown.some((k) => /detail|exitcode|exit-code/i.test(k)) ? ' Did you mean --detailed-exitcode?' : '';
    return `Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `--${k}`).join(', ')}; expected --config, --app, --out, --output or --detailed-exitcode.${hint} Run 'netsec plan --help' for usage.`;
  }
  const extra = (opts._ ?? []).slice(1);
  if (extra.length) return `'netsec plan' takes no positional arguments (got ${extra.map((x) => `'${x}'`).join(' ')}); name the config with --config and the output folder with --out.`;
  if (!OUTPUT_FORMATS.includes(opts.output)) return `--output is '${String(opts.output)}'; expected one of: text, json.`;
  if (opts.app !== undefined && typeof opts.app !== 'string') {
    return `--app ${Array.isArray(opts.app) ? 'is given more than once' : 'needs a command'}; expected the command that runs your app, e.g. --app "node lib/main.js", or --app alone to use cdk8s.yaml's app:.`;
  }
  for (const [flag, v] of [['--config', opts.config], ['--out', opts.out]] as const) {
    if (typeof v !== 'string' || v === '') return `${flag} ${Array.isArray(v) ? 'is given more than once' : 'needs a value'}; expected one path, e.g. ${flag === '--out' ? '--out dist' : '--config netsec.yaml'}.`;
  }
  return undefined;
}

/**
 * Whether the user asked for detailed exit codes, even with a misspelled flag or a value that is not a boolean (then
 * an error must not exit 2, which reads as "changes present").
 */
function wantsDetailed(opts: PlanOptions, unknown: readonly string[]): boolean {
  const flagValue = (opts as unknown as Record<symbol, string | undefined>)[FLAG_VALUE_PROBLEM];
  return opts.detailedExitcode === true || unknown.some((k) => /detail|exitcode|exit-code/i.test(k)) || /DETAILED_EXITCODE|detailed-exitcode/.test(flagValue ?? '');
}

/** What a failed plan prints: the error as the CLI renders every error, and as JSON. */
interface Failure {
  readonly code: ExitCode;
  /** What stderr gets. */
  readonly text: string;
  /** The `error` object of the JSON document. */
  readonly error: Record<string, unknown>;
  /** More members of the JSON document (the findings). */
  readonly details?: Record<string, unknown>;
}

function failureOf(err: unknown, verbose: boolean): Failure {
  const text = renderError(err, verbose);
  if (err instanceof NetsecError) {
    return {
      code: exitCodeOf(err),
      text,
      error: {
        code: err.code,
        message: err.message,
        ...(err.location ? { location: err.location } : {}),
        ...(err.problems.length > 1 ? { problems: err.problems } : {}),
        ...(err.summary ? { summary: err.summary } : {}),
      },
    };
  }
  return { code: ExitCode.INTERNAL, text, error: { code: 'INTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` } };
}

function report(io: CliIo, opts: PlanOptions, detailed: boolean, f: Failure): ExitCode {
  const exit = detailed ? DetailedExitCode.ERROR : f.code;
  io.stderr(f.text);
  if (opts.output === 'json') printJson(io, { ok: false, exitCode: exit, error: f.error, ...f.details });
  return exit;
}

/**
 * `netsec plan`: what `synth` would change in the output folder; writes nothing. Every outcome, errors included,
 * prints a whole JSON document with `--output json`; exit codes are in PLAN_EXIT_CODES_HELP.
 */
export async function runPlan(opts: PlanOptions, io: CliIo): Promise<ExitCode> {
  const unknown = ((opts as unknown as Record<symbol, string[] | undefined>)[UNKNOWN_FLAGS] ?? []);
  const detailed = wantsDetailed(opts, unknown);
  try {
    const problem = checkPlanOptions(opts, unknown);
    if (problem) throw new NetsecError('USAGE', problem);
    if (opts.app !== undefined) {
      // The app validates and prints its own warnings and refusals; its output goes to stderr, as plan's warnings do.
      const { appCommandOfCdk8sYaml, synthesizeAppCommand } = await import('../../core/netsec-app.js');
      const command = opts.app.trim() || appCommandOfCdk8sYaml('cdk8s.yaml');
      const files = synthesizeAppCommand(command, { onOutput: (text) => io.stderr(terminalText(text)) });
      return printPlan(io, opts, detailed, computePlan(readPreviousOutput(opts.out), files), []);
    }
    // Loaded here, not at the top: cdk8s and the config machinery are not needed by `netsec cidrs` or `--help`.
    const { printWarnings, problemsOf, synthesizeConfig } = await import('../pipeline.js');
    const result = await synthesizeConfig(opts.config, io);
    printWarnings(io, result.diagnostics);
    const problems = problemsOf(result);
    if (problems.length) {
      const summary = `netsec plan: ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix the configuration and run plan again.`;
      return report(io, opts, detailed, {
        code: ExitCode.FINDINGS,
        // The same lines synth prints for findings.
        text: [...problems.map((p) => `error: ${p}`), summary].map((l) => `${l}\n`).join(''),
        error: { code: 'FINDINGS', message: summary },
        details: { problems, findings: result.findings as ValidationFinding[], constructErrors: result.constructErrors },
      });
    }
    return printPlan(io, opts, detailed, computePlan(readPreviousOutput(opts.out), result.files), result.diagnostics.filter((d) => d.level === 'warning'));
  } catch (err) {
    return report(io, opts, detailed, failureOf(err, opts.verbose === true));
  }
}

function printPlan(io: CliIo, opts: PlanOptions, detailed: boolean, plan: Plan, warnings: readonly Diagnostic[]): ExitCode {
  // Rendered completely before anything is written, so stdout is never left half-written.
  const text = opts.output === 'json' ? `${JSON.stringify({ ok: true, out: opts.out, ...plan, warnings }, null, 2)}\n` : renderPlan(plan, opts.out);
  io.stdout(text);
  if (!detailed) return ExitCode.OK;
  return plan.changes ? DetailedExitCode.CHANGES : DetailedExitCode.NO_CHANGES;
}

export const planCommand: NetsecCommand<PlanOptions> = {
  command: 'plan',
  describe: 'Show what synth would change in the output folder (objects, fields, +/- prefixes per block); writes nothing',
  builder: (y) =>
    (y as Argv)
      // Not strict and no `choices`: yargs would report those errors before plan runs (exit 2, no JSON); see checkPlanOptions.
      .strict(false)
      .option('config', { alias: 'c', type: 'string', default: 'netsec.yaml', describe: 'The netsec.yaml to read' })
      .option('app', { type: 'string', describe: 'Plan a TypeScript app instead: the command that runs it (alone: the app: of ./cdk8s.yaml); it must build a NetsecApp' })
      .option('out', { type: 'string', default: 'dist', describe: 'The output folder to compare with' })
      .option('output', { type: 'string', default: 'text' as OutputFormat, describe: 'Format of the plan on stdout: text or json (errors too)' })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 0 when there are no changes, 2 when there are, 1 on any error (as terraform plan)',
      })
      .middleware((args, yargs?: unknown) => {
        // yargs passes itself to middleware; its getOptions() holds every flag and alias it knows, global ones included.
        const known = (yargs as { getOptions?: () => { key?: Record<string, unknown>; alias?: Record<string, string[]> } } | undefined)?.getOptions?.();
        (args as unknown as Record<symbol, string[]>)[UNKNOWN_FLAGS] = known ? unknownFlags(args, known) : [];
      })
      .example('$0 plan', 'What synth would change in dist/')
      .example('$0 plan --detailed-exitcode --output json', 'In CI: exit 2 when dist/ is out of date, the plan as JSON')
      .example('$0 plan --app "node lib/main.js"', 'What cdk8s synth of a NetsecApp would change in dist/')
      .epilogue(PLAN_EXIT_CODES_HELP) as unknown as Argv<PlanOptions>,
  run: runPlan,
  valueOptional: ['app'],
};
