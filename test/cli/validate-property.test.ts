import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, expect, test } from 'vitest';
import { DIST_OBJECTS, TargetFolder, edited, mutatedManifest } from './manifest-mutations.js';
import { run } from './run.js';

/**
 * `netsec validate` reads manifests anyone wrote. Whatever a manifest holds where its schema expects something else,
 * the run ends in findings or a usage error (exit 0, 1 or 2), never in "a bug in netsec" (exit 3).
 */

/** Each dist/ folder's target, as validate's flags, on several lines of each product. */
const FLAGS: Record<TargetFolder, string[][]> = {
  'aks-cilium': [
    ['--kubernetes', '1.30', '--cilium', '1.17', '--istio', '1.23'],
    ['--kubernetes', '1.29', '--cilium', '1.14', '--istio', '1.20'],
    ['--kubernetes', '1.33', '--cilium', '1.19', '--istio', '1.27'],
  ],
  'onprem-calico': [['--kubernetes', '1.31', '--calico', '3.30'], ['--kubernetes', '1.31', '--calico', '3.32']],
  'legacy-calico': [['--kubernetes', '1.29', '--calico', '3.28']],
};

const dir = mkdtempSync(join(tmpdir(), 'netsec-validate-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('validate never fails with a bug on manifests whose fields have the wrong type or shape', async () => {
  expect(DIST_OBJECTS.length).toBeGreaterThan(20);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(mutatedManifest, async ({ index, edits, others, choice }) => {
      const d = DIST_OBJECTS[index]!;
      // Values files and kustomizations are recognised by their names: they keep theirs, and stand alone.
      const named = /(^|-)values\.yaml$|^kustomization\.yaml$/.test(d.file);
      const beside = named ? [] : others.map((i) => DIST_OBJECTS[i]!).filter((o) => o.folder === d.folder && o.file === d.file);
      const file = join(dir, `${n++}-${named ? d.file : 'manifests.yaml'}`);
      writeFileSync(file, [edited(d.object, edits), ...beside.map((o) => o.object)].map((o) => stringify(o)).join('---\n'));
      const flags = FLAGS[d.folder];
      const { code, stderr } = await run('validate', file, ...flags[choice % flags.length]!);
      expect({ code, bug: code === 3 ? stderr : '' }).toEqual({ code: expect.toBeOneOf([0, 1, 2]), bug: '' });
    }),
    { numRuns: 200 },
  );
});
