import { App, Chart } from 'cdk8s';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lint, RULES, suppressRules, Target } from '../../src/index.js';
import { ManifestIndex } from '../../src/lint/manifest-index.js';
import { parseSuppressAnnotation } from '../../src/validate/suppress-annotation.js';
import { run } from '../cli/run.js';
import { tempDir } from '../util.js';

// product.md: no two objects of a target share an identity, nothing the cluster owns is overwritten, and no option
// bypasses a refusal. A suppression is such an option.
const GUARDS = ['k8s/duplicate-object', 'k8s/cluster-owned-object', 'calico/reserved-tier', 'dns/kube-dns-label-taken'];

describe('the rules that guard identity and what the cluster owns cannot be suppressed', () => {
  test('exactly these rules are marked, and docs/rules.md says so for each', () => {
    expect(RULES.filter((r) => r.notSuppressible !== undefined).map((r) => r.id).sort()).toEqual([...GUARDS].sort());
  });

  test('netsec.yaml: a suppress: entry naming one is a located config error, and nothing is written', async () => {
    const dir = tempDir('netsec-not-suppressible-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, `targets:
  - { name: t, kubernetes: "1.30", cilium: "1.18", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }
egressBlocking:
  - name: blk
    cidrs: [203.0.113.7/32]
    suppress: [{ rule: k8s/duplicate-object, reason: "x" }]
ciliumPolicies:
  - name: blk
    kind: CiliumClusterwideNetworkPolicy
    endpointSelector: { matchLabels: { app: x } }
    egress: [{ to: { entities: [world] } }]
`);
    expect(await run('synth', '-c', config, '--out', join(dir, 'dist'))).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec.yaml:6:24: egressBlocking[0].suppress[0].rule is 'k8s/duplicate-object', which cannot be suppressed: applying both leaves only the one applied last, and netsec never writes or accepts that whatever it is told; fix the objects the finding names\n",
    });
  });

  test('a target-level suppress: entry is refused too', async () => {
    const dir = tempDir('netsec-not-suppressible-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, `targets:
  - name: t
    kubernetes: "1.30"
    calico: "3.30"
    suppress: [{ rule: calico/reserved-tier, reason: we manage the default tier }]
egressBlocking:
  - name: blk
    cidrs: [203.0.113.7/32]
`);
    const { code, stderr } = await run('synth', '-c', config, '--out', join(dir, 'dist'));
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "netsec.yaml:5:24: targets[0].suppress[0].rule is 'calico/reserved-tier', which cannot be suppressed: applying it replaces a tier Calico owns, and netsec never writes or accepts that whatever it is told; fix the objects the finding names\n",
    });
  });

  test('suppressRules() refuses one', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => suppressRules(chart, [{ id: 'k8s/cluster-owned-object', reason: 'we own CoreDNS' }])).toThrow(
      "[c] suppression id 'k8s/cluster-owned-object' cannot be suppressed: applying it replaces the cluster's own object, and netsec never writes or accepts that whatever it is told; fix the objects the finding names.",
    );
  });

  test('the netsec.io/suppress annotation naming one is a problem, not a suppression', () => {
    const object = { metadata: { annotations: { 'netsec.io/suppress': 'dns/kube-dns-label-taken: our cache; calico/ipset-size: big sets' } } };
    expect(parseSuppressAnnotation(object, RULES)).toEqual({
      suppressions: [{ id: 'calico/ipset-size', reason: 'big sets' }],
      problems: ["'dns/kube-dns-label-taken' cannot be suppressed: the kube-dns Service would send cluster DNS to them, and netsec never writes or accepts that whatever it is told; fix the objects the finding names"],
    });
  });

  test('netsec validate reports both the finding and the refused annotation', async () => {
    const dir = tempDir('netsec-not-suppressible-');
    const file = join(dir, 'tier.yaml');
    writeFileSync(file, `apiVersion: crd.projectcalico.org/v1
kind: Tier
metadata:
  name: default
  annotations:
    netsec.io/suppress: "calico/reserved-tier: we manage it"
spec:
  order: 1000000
  defaultAction: Pass
`);
    const { code, stdout } = await run('validate', file, '--calico', '3.30');
    expect(code).toBe(1);
    expect(stdout).toContain(`${file}:4:3: Tier 'default' at metadata.name: 'default' is a tier Calico creates and owns;`);
    expect(stdout).toContain(`${file}:6:5: Tier 'default' at metadata.annotations.netsec.io/suppress: 'calico/reserved-tier' cannot be suppressed:`);
  });

  test('lint() keeps the finding even when a suppression reaches it by another way', () => {
    const target = new Target({ name: 't', kubernetes: '1.30', cilium: '1.18' });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: {} };
    const index = new ManifestIndex(target, [{ object: cm, applied: true }]);
    const rules = RULES.filter((r) => r.id === 'k8s/cluster-owned-object');
    const result = lint(index, { rules, suppressionsOf: () => [{ id: 'k8s/cluster-owned-object', reason: 'forged' }] });
    expect(result.suppressed).toEqual([]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['k8s/cluster-owned-object']);
  });
});
