import { parseAllDocuments } from 'yaml';
import { readOutput } from '../../core/output.js';
import { NetsecCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';

/** Options of `netsec plan`. */
export interface PlanOptions {
  readonly config: string;
  readonly out: string;
  readonly output: OutputFormat;
}

/** One changed field inside an object. Lists of scalars (CIDRs, FQDNs) are summarized as added/removed entries. */
export interface FieldChange {
  readonly path: string;
  readonly added?: number;
  readonly removed?: number;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** What happens to one object. */
export interface ObjectChange {
  readonly action: 'add' | 'remove' | 'change';
  readonly object: string;
  readonly fields: FieldChange[];
}

/** What happens to one file of the output tree. */
export interface FileChange {
  readonly path: string;
  readonly action: 'add' | 'remove' | 'change';
  readonly objects: ObjectChange[];
}

/** The whole plan: what `synth` would change in the committed output, as `terraform plan` does. */
export interface Plan {
  readonly files: FileChange[];
  readonly unchanged: number;
  readonly entriesAdded: number;
  readonly entriesRemoved: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function objectsOf(yamlText: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const doc of parseAllDocuments(yamlText)) {
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (!obj || typeof obj !== 'object') continue;
    const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : '';
    out.set(obj.kind && obj.metadata?.name ? `${obj.kind} ${ns}${obj.metadata.name}` : `document ${out.size}`, obj as Json);
  }
  return out;
}

function isScalar(x: Json): boolean {
  return x === null || typeof x !== 'object';
}

/** Field-level differences between two versions of an object. */
export function diffValues(before: Json, after: Json, path = ''): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (Array.isArray(before) && Array.isArray(after) && before.every(isScalar) && after.every(isScalar)) {
    const b = new Set(before.map((x) => JSON.stringify(x)));
    const a = new Set(after.map((x) => JSON.stringify(x)));
    const added = [...a].filter((x) => !b.has(x)).length;
    const removed = [...b].filter((x) => !a.has(x)).length;
    return [{ path, added, removed }];
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffValues(b, after[i], `${path}[${i}]`));
  }
  if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k] ?? null, after[k] ?? null, path ? `${path}.${k}` : k));
  }
  return [{ path, before, after }];
}

/** Compares the files synthesis would write with those in the output folder. */
export function computePlan(previous: Map<string, string>, next: ReadonlyArray<{ path: string; content: string }>): Plan {
  const files: FileChange[] = [];
  let unchanged = 0;
  const nextPaths = new Set(next.map((f) => f.path));
  for (const f of next) {
    const old = previous.get(f.path);
    if (old === f.content) {
      unchanged++;
      continue;
    }
    files.push({ path: f.path, action: old === undefined ? 'add' : 'change', objects: diffObjects(old ?? '', f.content) });
  }
  for (const [path, old] of previous) {
    if (!nextPaths.has(path)) files.push({ path, action: 'remove', objects: diffObjects(old, '') });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const fields = files.flatMap((f) => f.objects.flatMap((o) => o.fields));
  return {
    files,
    unchanged,
    entriesAdded: fields.reduce((n, c) => n + (c.added ?? 0), 0),
    entriesRemoved: fields.reduce((n, c) => n + (c.removed ?? 0), 0),
  };
}

function diffObjects(oldText: string, newText: string): ObjectChange[] {
  const before = objectsOf(oldText);
  const after = objectsOf(newText);
  const changes: ObjectChange[] = [];
  for (const [key, obj] of after) {
    const old = before.get(key);
    if (old === undefined) changes.push({ action: 'add', object: key, fields: [] });
    else {
      const fields = diffValues(old, obj);
      if (fields.length) changes.push({ action: 'change', object: key, fields });
    }
  }
  for (const [key] of before) if (!after.has(key)) changes.push({ action: 'remove', object: key, fields: [] });
  return changes;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Renders a plan as text. */
export function renderPlan(plan: Plan, out: string): string {
  const lines: string[] = [];
  const sign = { add: '+', remove: '-', change: '~' } as const;
  for (const f of plan.files) {
    lines.push(`${sign[f.action]} ${out}/${f.path}`);
    for (const o of f.objects) {
      lines.push(`    ${sign[o.action]} ${o.object}`);
      for (const c of o.fields.slice(0, 20)) {
        lines.push(
          c.added !== undefined
            ? `        ${c.path}: +${fmt(c.added)} / -${fmt(c.removed ?? 0)} entries`
            : `        ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`,
        );
      }
      if (o.fields.length > 20) lines.push(`        ... and ${o.fields.length - 20} more fields`);
    }
  }
  const count = (a: FileChange['action']): number => plan.files.filter((f) => f.action === a).length;
  lines.push(
    plan.files.length === 0
      ? `No changes: ${out}/ matches the configuration (${plan.unchanged} files).`
      : `Plan: ${count('add')} file(s) to add, ${count('change')} to change, ${count('remove')} to remove; list entries +${fmt(plan.entriesAdded)} / -${fmt(plan.entriesRemoved)}.`,
  );
  return lines.join('\n') + '\n';
}

/** `netsec plan`: what `synth` would change in the output folder. Writes nothing. */
export async function runPlan(opts: PlanOptions, io: CliIo): Promise<ExitCode> {
  // Loaded here, not at the top: cdk8s and the config machinery are not needed by `netsec cidrs` or `--help`.
  const { printWarnings, problemsOf, synthesizeConfig } = await import('../pipeline.js');
  const result = await synthesizeConfig(opts.config, io);
  printWarnings(io, result.diagnostics);
  const problems = problemsOf(result);
  if (problems.length) {
    for (const p of problems) io.stderr(`error: ${p}\n`);
    return ExitCode.FINDINGS;
  }
  const plan = computePlan(readOutput(opts.out), result.files);
  if (opts.output === 'json') printJson(io, plan);
  else io.stdout(renderPlan(plan, opts.out));
  return ExitCode.OK;
}

export const planCommand: NetsecCommand<PlanOptions> = {
  command: 'plan',
  describe: 'Show what synth would change in the output folder (objects, fields, +/- list entries); writes nothing',
  builder: (y) =>
    y
      .option('config', { alias: 'c', type: 'string', default: 'netsec.yaml', describe: 'The netsec.yaml to read' })
      .option('out', { type: 'string', default: 'dist', describe: 'The output folder to compare with' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the plan on stdout' }),
  run: runPlan,
};
