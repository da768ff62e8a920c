import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, expect, test } from 'vitest';
import { run } from './run.js';

/**
 * `netsec validate` reads manifests anyone wrote. Whatever a manifest holds where its schema expects something else,
 * the run ends in findings or a usage error (exit 0, 1 or 2), never in "a bug in netsec" (exit 3). The manifests are
 * the committed dist/ objects of the bundled example (every kind netsec writes, and so every lint rule has something
 * to read), each with a few fields replaced by values of the wrong type or shape, removed, or added beside them.
 */

const ROOT = join(__dirname, '..', '..');
/** Each dist/ folder's target, as validate's flags, on several lines of each product. */
const FLAGS: Record<string, string[][]> = {
  'aks-cilium': [
    ['--kubernetes', '1.30', '--cilium', '1.17', '--istio', '1.23'],
    ['--kubernetes', '1.29', '--cilium', '1.14', '--istio', '1.20'],
    ['--kubernetes', '1.33', '--cilium', '1.19', '--istio', '1.27'],
  ],
  'onprem-calico': [['--kubernetes', '1.31', '--calico', '3.30'], ['--kubernetes', '1.31', '--calico', '3.32']],
  'legacy-calico': [['--kubernetes', '1.29', '--calico', '3.28']],
};
/** Values of the wrong type or shape for most fields, and values rules treat specially (wildcards, default routes). */
const ODD: unknown[] = [
  null, 0, -1, 1.5, 1e20, '', 'x', '*', '0.0.0.0/0', '::/0', '1.2.3.4/33', 'Bad_Name', 'x'.repeat(300), true, [], {}, [null], [{}], [''], [1, 2],
  ['*'], { '': null }, { 'a.b/c': 1 }, 65536, '65536', 'ANY', '(', 'reserved:host', { matchLabels: null }, { matchExpressions: [{}] },
  { matchExpressions: [{ key: 'a', operator: 'In' }] }, { matchExpressions: [{ key: 'a', operator: 'Bogus', values: [1] }] },
];

interface Doc { readonly folder: string; readonly file: string; readonly object: Record<string, unknown> }
const DOCS: Doc[] = Object.keys(FLAGS).flatMap((folder) =>
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

type Edit = { readonly at: number; readonly how: 'replace' | 'remove' | 'add'; readonly value: unknown };
function edited(object: Record<string, unknown>, edits: readonly Edit[]): Record<string, unknown> {
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

const dir = mkdtempSync(join(tmpdir(), 'netsec-validate-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Unbiased: fast-check favours small numbers, which would pick the first paths (apiVersion, kind, metadata) most.
const edit = fc.record({ at: fc.noBias(fc.nat({ max: 1_000_000 })), how: fc.constantFrom<Edit['how']>('replace', 'replace', 'replace', 'remove', 'add'), value: fc.constantFrom(...ODD) });
const kase = fc.record({
  doc: fc.noBias(fc.nat({ max: DOCS.length - 1 })),
  edits: fc.array(edit, { minLength: 1, maxLength: 3 }),
  // Other objects of the same target beside it, untouched: rules judge objects together.
  others: fc.array(fc.noBias(fc.nat({ max: DOCS.length - 1 })), { maxLength: 4 }),
  flags: fc.nat(),
});

test('validate never fails with a bug on manifests whose fields have the wrong type or shape', async () => {
  expect(DOCS.length).toBeGreaterThan(20);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(kase, async ({ doc, edits, others, flags }) => {
      const d = DOCS[doc]!;
      const values = /(^|-)values\.yaml$|^kustomization\.yaml$/.test(d.file);
      const objects = [edited(d.object, edits), ...(values ? [] : others.map((i) => DOCS[i]!).filter((o) => o.folder === d.folder && o.file === d.file).map((o) => o.object))];
      // Values files and kustomizations are recognised by their names: keep the name.
      const file = join(dir, `${n++}-${values ? d.file : 'manifests.yaml'}`);
      writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      const choices = FLAGS[d.folder]!;
      const { code, stderr } = await run('validate', file, ...choices[flags % choices.length]!);
      expect({ code, bug: code === 3 ? stderr : '' }).toEqual({ code: expect.toBeOneOf([0, 1, 2]), bug: '' });
    }),
    { numRuns: 200 },
  );
});
