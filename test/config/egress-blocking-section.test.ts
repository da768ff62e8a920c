import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, test } from 'vitest';
import { readOutput } from '../../src/core/output.js';
import { run } from '../cli/run.js';
import { TWO_CLUSTERS } from '../util.js';

const TARGETS = TWO_CLUSTERS;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function synth(config: string): Promise<{ code: number; stderr: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-egress-section-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'netsec.yaml'), config);
  const out = join(dir, 'dist');
  const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
  return { code, stderr, out };
}

function objectsIn(out: string, file: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(join(out, file), 'utf8')).map((d) => d.toJS());
}

describe('egressBlocking: endpointSelector', () => {
  test('scopes the block on Cilium and Calico alike', async () => {
    const { code, stderr, out } = await synth(`${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    endpointSelector:
      matchLabels: { app: legacy }
      matchExpressions: [{ key: io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system] }]
`);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const ccnp = objectsIn(out, 'a/egress-blocking.yaml').find((o) => o.kind === 'CiliumClusterwideNetworkPolicy')!;
    expect(ccnp.spec.endpointSelector).toEqual({ matchLabels: { app: 'legacy' }, matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] });
    const gnp = objectsIn(out, 'c/egress-blocking.yaml').find((o) => o.kind === 'GlobalNetworkPolicy')!;
    expect(gnp.spec.selector).toBe("app == 'legacy' && projectcalico.org/namespace not in {'kube-system'}");
  });

  test('cilium.endpointSelector on an entry that lands on a Calico target is refused at the key, nothing written', async () => {
    const { code, stderr, out } = await synth(`${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    cilium:
      endpointSelector: { matchLabels: { app: legacy } }
`);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "netsec.yaml:12:7: egressBlocking[0].cilium.endpointSelector scopes the block on Cilium only, but target 'c' runs Calico, where the block would cover every endpoint; expected the scope for both products; move it to egressBlocking[0].endpointSelector\n",
    });
    expect(readOutput(out).size).toBe(0);
  });
});

describe('suppress:', () => {
  const HUGE = `${TARGETS.replace('  - name: c\n    calico: "3.30"\n    cluster: { podCidrs: [192.168.0.0/16], serviceCidrs: [10.96.0.0/12] }\n', '')}egressBlocking:
  - name: geo
    cidrs: [0.0.0.0/0]
    allowDefaultRoute: true
    allowHugeBlock: true
    allowClusterOverlap: true
`;
  test('an explicit allow* is shown in the header as a suppression of the cluster-safety rule, with the entry line', async () => {
    const { code, out } = await synth(HUGE);
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'a/egress-blocking.yaml'), 'utf8')).toContain(
      "# Note: cilium/deny-cluster-infrastructure suppressed (allowDefaultRoute, allowClusterOverlap, allowHugeBlock set on CiliumEgressBlock 'geo'): CiliumClusterwideNetworkPolicy 'geo' at spec.egressDeny[0]: denies egress to every IPv4 address (0.0.0.0/0) for every workload",
    );
  });

  test('an entry suppresses a rule with a reason; the reason reaches the header (without its line: edits above it do not change the output)', async () => {
    const config = `targets:
  - name: a
    cilium: "1.16"
    cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] }
egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    suppress:
      - { rule: cilium/cidr-identity-cost, reason: bpf-policy-map-max raised to 65536 }
`;
    const { code, out } = await synth(config);
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'a/egress-blocking.yaml'), 'utf8')).toContain(
      "# Note: cilium/cidr-identity-cost suppressed (bpf-policy-map-max raised to 65536): CiliumClusterwideNetworkPolicy 'geo': uses 1 CIDRs",
    );
  });

  test('a target suppresses a rule for everything written to it', async () => {
    const config = `targets:
  - name: a
    cilium: "1.16"
    cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] }
    suppress: [{ rule: cilium/cidr-identity-cost, reason: accepted for the lab cluster }]
egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
`;
    const { code, out } = await synth(config);
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'a/egress-blocking.yaml'), 'utf8')).toContain('cilium/cidr-identity-cost suppressed (accepted for the lab cluster)');
  });

  test('an unknown rule id and a missing reason are located errors', async () => {
    const { code, stderr } = await synth(`${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    suppress:
      - { rule: cilium/cidr-identity-costs, reason: typo }
`);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "netsec.yaml:12:17: egressBlocking[0].suppress[0].rule is 'cilium/cidr-identity-costs', which is not a netsec lint rule; expected a rule id from docs/rules.md; did you mean 'cilium/cidr-identity-cost'?\n",
    });
    const missing = await synth(`${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    suppress: [{ rule: cilium/cidr-identity-cost }]
`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("egressBlocking[0].suppress[0] has no 'reason'; expected reason: to be given; add it");
  });
});
