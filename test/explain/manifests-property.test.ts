import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, expect, test } from 'vitest';
import { DIST_OBJECTS, TARGET_FOLDERS, TargetFolder, edited, mutatedManifest } from '../cli/manifest-mutations.js';
import { run } from '../cli/run.js';

/**
 * `netsec explain` judges flows against manifests anyone wrote. With one object of a target's manifests given a field
 * of the wrong type or shape, it judges the flows or refuses the object at its field (exit 0 or 2), never fails with
 * "a bug in netsec" (exit 3). The flows are those of the bundled scenarios for that target.
 */

const SCENARIOS = join(__dirname, '..', '..', 'examples', 'scenarios');
/** The versions of each target of the bundled example, as a scenario's `target:` gives them. */
const VERSIONS: Record<TargetFolder, Record<string, string>> = {
  'aks-cilium': { kubernetes: '1.30', cilium: '1.17', istio: '1.23' },
  'onprem-calico': { kubernetes: '1.31', calico: '3.30' },
  'legacy-calico': { kubernetes: '1.29', calico: '3.28' },
};
/** The bundled scenarios of each target, parsed. */
const BY_TARGET = new Map<string, Record<string, unknown>[]>(TARGET_FOLDERS.map((t) => [t, []]));
for (const f of readdirSync(SCENARIOS)) {
  const s = parse(readFileSync(join(SCENARIOS, f), 'utf8')) as Record<string, unknown>;
  BY_TARGET.get(String(s.target))?.push(s);
}

/** The objects the evaluator reads (policies, Services, Local Redirect Policies): the ones worth breaking. */
const JUDGED = DIST_OBJECTS.filter((o) => /Policy$|^Service$/.test(String(o.object.kind)));

const dir = mkdtempSync(join(tmpdir(), 'netsec-explain-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('explain never fails with a bug on manifests whose fields have the wrong type or shape', async () => {
  for (const t of TARGET_FOLDERS) expect(BY_TARGET.get(t)!.length, t).toBeGreaterThan(0);
  expect(JUDGED.length).toBeGreaterThan(10);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(mutatedManifest, async ({ index, edits, choice }) => {
      const d = JUDGED[index % JUDGED.length]!;
      const objects = DIST_OBJECTS.filter((o) => o.folder === d.folder && !/values\.yaml$|^kustomization\.yaml$/.test(o.file)).map((o) => (o === d ? edited(d.object, edits) : o.object));
      const scenarios = BY_TARGET.get(d.folder)!;
      const { config: _, ...scenario } = scenarios[choice % scenarios.length]!;
      const at = join(dir, String(n++));
      mkdirSync(at);
      writeFileSync(join(at, 'manifests.yaml'), objects.map((o) => stringify(o)).join('---\n'));
      writeFileSync(join(at, 's.yaml'), stringify({ ...scenario, target: VERSIONS[d.folder], manifests: ['manifests.yaml'] }));
      const { code, stderr } = await run('explain', join(at, 's.yaml'));
      expect({ code, bug: code === 3 ? stderr : '' }).toEqual({ code: expect.toBeOneOf([0, 2]), bug: '' });
    }),
    { numRuns: 300 },
  );
});
