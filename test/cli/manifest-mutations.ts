import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';

/**
 * Manifests with fields of the wrong type or shape, for property tests of the commands that read manifests anyone
 * wrote (`validate`, `explain`): the committed dist/ objects of the bundled example (every kind netsec writes, so
 * every rule and evaluator path has something to read), each with a few fields replaced, removed, or added beside them.
 */

const ROOT = join(__dirname, '..', '..');

/** The dist/ folders: one per target of the bundled example. */
export const TARGET_FOLDERS = ['aks-cilium', 'onprem-calico', 'legacy-calico'] as const;
export type TargetFolder = (typeof TARGET_FOLDERS)[number];

/** Values of the wrong type or shape for most fields, and values rules treat specially (wildcards, default routes). */
const ODD: unknown[] = [
  null, 0, -1, 1.5, 1e20, '', 'x', '*', '0.0.0.0/0', '::/0', '1.2.3.4/33', 'Bad_Name', 'x'.repeat(300), true, [], {}, [null], [{}], [''], [1, 2],
  ['*'], { '': null }, { 'a.b/c': 1 }, 65536, '65536', 'ANY', '(', 'reserved:host', { matchLabels: null }, { matchExpressions: [{}] },
  { matchExpressions: [{ key: 'a', operator: 'In' }] }, { matchExpressions: [{ key: 'a', operator: 'Bogus', values: [1] }] },
];

/** One object of dist/, with the folder (target) and file it is in. */
export interface DistObject {
  readonly folder: TargetFolder;
  readonly file: string;
  readonly object: Record<string, unknown>;
}

/** Every object of the committed dist/. */
export const DIST_OBJECTS: readonly DistObject[] = TARGET_FOLDERS.flatMap((folder) =>
  readdirSync(join(ROOT, 'dist', folder)).filter((f) => f.endsWith('.yaml')).flatMap((file) =>
    parseAllDocuments(readFileSync(join(ROOT, 'dist', folder, file), 'utf8'))
      .map((d) => d.toJS() as Record<string, unknown> | null)
      .filter((o): o is Record<string, unknown> => o !== null && typeof o === 'object')
      .map((object) => ({ folder, file, object })),
  ),
);

/** Every path into `value` (lists: their first four items). */
function pathsOf(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (path.length) out.push(path);
  if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

/** One change to an object: the field at path number `at` (modulo the paths it has) is replaced, removed or given a sibling. */
export interface Edit {
  readonly at: number;
  readonly how: 'replace' | 'remove' | 'add';
  readonly value: unknown;
}

/** A copy of `object` with the edits made in turn. */
export function edited(object: Record<string, unknown>, edits: readonly Edit[]): Record<string, unknown> {
  const copy = structuredClone(object);
  for (const e of edits) {
    const paths = pathsOf(copy);
    if (!paths.length) break;
    const path = paths[e.at % paths.length]!;
    let parent: unknown = copy;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
    if (parent === null || typeof parent !== 'object') continue;
    const key = path[path.length - 1]!;
    const p = parent as Record<string | number, unknown>;
    if (e.how === 'remove' && !Array.isArray(p)) delete p[key];
    else if (e.how === 'add' && !Array.isArray(p)) p[`${String(key)}x`] = structuredClone(e.value);
    else p[key] = structuredClone(e.value);
  }
  return copy;
}

// Unbiased: fast-check favours small numbers, which would pick the first paths (apiVersion, kind, metadata) most.
const edit = fc.record({ at: fc.noBias(fc.nat({ max: 1_000_000 })), how: fc.constantFrom<Edit['how']>('replace', 'replace', 'replace', 'remove', 'add'), value: fc.constantFrom(...ODD) });

/** One edited dist/ object (`DIST_OBJECTS[index]`), the untouched objects to put beside it, and a choice of target flags. */
export const mutatedManifest = fc.record({
  index: fc.noBias(fc.nat({ max: DIST_OBJECTS.length - 1 })),
  edits: fc.array(edit, { minLength: 1, maxLength: 3 }),
  others: fc.array(fc.noBias(fc.nat({ max: DIST_OBJECTS.length - 1 })), { maxLength: 4 }),
  choice: fc.nat(),
});
