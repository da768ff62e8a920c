import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { Target } from '../../src/core/target.js';
import { CILIUM_CHART_VALUES, HelmValueType, checkHelmValues, helmReleaseOfFile } from '../../src/validate/helm-values.js';

const EXCERPTS = join(__dirname, '..', '..', 'upstream', 'reference', 'cilium-helm-values');

/** Every leaf of an excerpt with the type of its default; a map of user keys (nodeSelector) is one 'object' value. */
function leaves(node: unknown, prefix = '', out: Record<string, HelmValueType> = {}): Record<string, HelmValueType> {
  if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length && !prefix.endsWith('.nodeSelector')) {
    for (const [k, v] of Object.entries(node)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = Array.isArray(node) ? 'array' : node === null ? 'any' : typeof node === 'object' ? 'object' : (typeof node as HelmValueType);
  }
  return out;
}

describe('Cilium chart values', () => {
  test.each(Object.keys(CILIUM_CHART_VALUES))('Cilium %s: the table is what the vendored values.yaml excerpt gives', (line) => {
    const excerpt = leaves(parse(readFileSync(join(EXCERPTS, `${line}.yaml`), 'utf8')));
    expect(Object.entries(CILIUM_CHART_VALUES[line]!).sort()).toEqual(Object.entries(excerpt).sort());
  });

  test('a values file is named <release>-values.yaml', () => {
    expect(helmReleaseOfFile('dist/aks/cilium-values.yaml')).toBe('cilium');
    expect(helmReleaseOfFile('istiod-values.yml')).toBe('istiod');
    expect(helmReleaseOfFile('dist/aks/cilium-policies.yaml')).toBeUndefined();
  });

  test('unknown top-level keys, unknown nested keys (with the right key of that line) and wrong types', () => {
    const target = new Target({ name: 't', cilium: '1.18' });
    const values = {
      enableNonDefaultDenyPolicies: 'true',
      operator: { replicas: 1 },
      hubble: { enabled: true, export: { fileMaxSizeMb: 10, dynamic: { enabled: true } } },
      localRedirectPolicies: true,
    };
    expect(checkHelmValues('cilium', values, target)).toEqual({
      problems: [
        { path: 'enableNonDefaultDenyPolicies', message: 'is "true" (a string); the Cilium 1.18 chart expects a boolean' },
        {
          path: 'operator',
          message:
            "is not a Helm value netsec writes for the Cilium 1.18 chart; expected one of: hubble, l7Proxy, localRedirectPolicy, dnsProxy, localRedirectPolicies, preflight, enableNonDefaultDenyPolicies; this file is netsec's output: set other values in your own values file (helm upgrade -f yours.yaml -f this one)",
        },
        { path: 'hubble.export.fileMaxSizeMb', message: "is not a value of the Cilium 1.18 chart; expected one of: static, dynamic under hubble.export; did you mean 'hubble.export.static.fileMaxSizeMb'?" },
        { path: 'localRedirectPolicies', message: 'is true (a boolean); the Cilium 1.18 chart expects a map here (keys: enabled, addressMatcherCIDRs)' },
      ],
    });
  });

  test('enableNonDefaultDenyPolicies is not a value before Cilium 1.17', () => {
    expect(checkHelmValues('cilium', { enableNonDefaultDenyPolicies: true }, new Target({ name: 't', cilium: '1.16' })).problems.map((p) => p.path)).toEqual(['enableNonDefaultDenyPolicies']);
    expect(checkHelmValues('cilium', { enableNonDefaultDenyPolicies: true }, new Target({ name: 't', cilium: '1.17' })).problems).toEqual([]);
  });

  test('values for a product the target does not run, and for a release netsec does not write', () => {
    const target = new Target({ name: 'calico-only', calico: '3.30' });
    expect(checkHelmValues('cilium', {}, target)).toEqual({
      problems: [{ path: '', message: "Helm values for the cilium chart, but target 'calico-only' names no Cilium version; validate with --cilium LINE or a --target that runs Cilium" }],
    });
    expect(checkHelmValues('ingress-nginx', { controller: {} }, target)).toEqual({ problems: [], note: "Helm values for release 'ingress-nginx' not checked: netsec writes values for the cilium and istiod releases only" });
  });
});
