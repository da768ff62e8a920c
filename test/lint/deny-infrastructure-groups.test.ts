import { describe, expect, test } from 'vitest';
import { Manifest, ManifestIndex, Target, lint } from '../../src/index.js';

/**
 * cilium/deny-cluster-infrastructure on a target that names no cluster ranges: a default route is the one refusal
 * left, and the rule judges it from the referenced groups' prefix sizes before parsing them (issue 14). The verdict
 * must be the one the full parse gives.
 */
function denyFindings(groups: string[][]): string[] {
  const objects: Record<string, unknown>[] = [
    ...groups.map((externalCIDRs, i) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: `g${i}`, labels: { block: 'geo' } }, spec: { externalCIDRs } })),
    { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'geo' }, spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { block: 'geo' } } }] }] } },
  ];
  const manifests: Manifest[] = objects.map((object) => ({ object: object as Manifest['object'], applied: true }));
  return lint(new ManifestIndex(new Target({ name: 't', kubernetes: '1.30', cilium: '1.18' }), manifests)).findings
    .filter((f) => f.ruleId === 'cilium/deny-cluster-infrastructure')
    .map((f) => f.message);
}

describe('cilium/deny-cluster-infrastructure without cluster ranges', () => {
  test('groups that together cover 0.0.0.0/0 are refused', () => {
    expect(denyFindings([['0.0.0.0/1'], ['128.0.0.0/2', '192.0.0.0/2']])).toEqual([
      "CiliumClusterwideNetworkPolicy 'geo' at spec.egressDeny[0]: denies egress to every IPv4 address (0.0.0.0/0) for every workload the endpointSelector selects (every pod, save excluded namespaces): deny wins over every allow, so they all lose it at once. Narrow the endpointSelector to the workloads meant, or remove those peers from the deny.",
    ]);
  });

  test('groups whose sizes add up to a family but leave a gap are accepted', () => {
    expect(denyFindings([['0.0.0.0/1'], ['0.0.0.0/2', '128.0.0.0/2']])).toEqual([]);
  });

  test('a geo-block that cannot cover a family is accepted', () => {
    expect(denyFindings([['192.0.2.0/24', '198.51.100.0/24'], ['2001:db8::/32']])).toEqual([]);
  });
});
