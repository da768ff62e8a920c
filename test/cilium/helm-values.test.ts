import { expect, test } from 'vitest';
import {
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  DnsAccess,
  EndpointSelector,
  HelmValues,
  LabelOperator,
  NetsecChart,
  Peer,
  PolicyDefault,
  Port,
  synthesize,
} from '../../src/index.js';
import { synthValid, targetChart } from '../util.js';

const cilium = (line: string) => targetChart({ name: 'aks-cilium', kubernetes: '1.30', cilium: line });

const REASON =
  '# - enableNonDefaultDenyPolicies: policies here set enableDefaultDeny to false (egressDefault or ingressDefault: allow, PolicyDefault.ALLOW; the shape of an egress block list) so that they drop only what they deny. With the agent flag off, Cilium ignores that field and forces default-deny: the pods they select lose all traffic no rule allows, and a cluster-wide block list becomes a cluster-wide egress outage. The chart default is true; this pins it.';

/** The egress-block shape: deny a block list, leave all other egress alone. */
function geoBlock(chart: NetsecChart, id = 'GeoBlock') {
  return new CiliumClusterwideNetworkPolicy(chart, id, {
    endpointSelector: EndpointSelector.of({ expressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: LabelOperator.NOT_IN, values: ['kube-system'] }] }),
    egressDefault: PolicyDefault.ALLOW,
  }).denyEgress({ to: [Peer.cidr('192.0.2.0/24')] });
}

function ciliumValues(files: { path: string; content: string }[]): string | undefined {
  return files.find((f) => f.path === 'aks-cilium/cilium-values.yaml')?.content;
}

test.each(['1.17', '1.18', '1.19', '1.20'])('Cilium %s: a policy relying on enableDefaultDeny: false pins enableNonDefaultDenyPolicies: true, and says why', (line) => {
  const { app, chart } = cilium(line);
  const policy = geoBlock(chart);
  const content = ciliumValues(synthValid(app).files)!;
  expect(content.split('\n').filter((l) => !l.startsWith('#')).join('\n')).toBe('enableNonDefaultDenyPolicies: true\n');
  expect(content.split('\n')).toContain(REASON);
  expect(policy.helmValues?.values).toEqual({ enableNonDefaultDenyPolicies: true });
});

test('ingress ALLOW relies on the same flag', () => {
  const { app, chart } = cilium('1.18');
  new CiliumNetworkPolicy(chart, 'NoScanners', { namespace: 'shop', ingressDefault: PolicyDefault.ALLOW }).denyIngress({ from: [Peer.cidr('192.0.2.0/24')] });
  expect(ciliumValues(synthValid(app).files)).toContain('\nenableNonDefaultDenyPolicies: true\n');
});

test('Cilium 1.16 has no such flag (enableDefaultDeny is always honored there): no Helm values', () => {
  const { app, chart } = cilium('1.16');
  const policy = geoBlock(chart);
  expect(policy.helmValues).toBeUndefined();
  expect(ciliumValues(synthValid(app).files)).toBeUndefined();
});

test('policies that do not rely on enableDefaultDeny: false set nothing', () => {
  const { app, chart } = cilium('1.18');
  const denyAll = new CiliumNetworkPolicy(chart, 'DenyAll', { egressDefault: PolicyDefault.DENY, dns: DnsAccess.NONE });
  const web = new CiliumNetworkPolicy(chart, 'Web').allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
  expect([denyAll.helmValues, web.helmValues]).toEqual([undefined, undefined]);
  expect(ciliumValues(synthValid(app).files)).toBeUndefined();
});

test('many such policies give one value and one reason line', () => {
  const { app, chart } = cilium('1.18');
  geoBlock(chart, 'GeoBlockA');
  geoBlock(chart, 'GeoBlockB');
  const content = ciliumValues(synthValid(app).files)!;
  expect(content.split('\n').filter((l) => l === REASON)).toHaveLength(1);
  expect(content.match(/^enableNonDefaultDenyPolicies: true$/gm)).toHaveLength(1);
});

test('values that turn the flag off are refused, naming both sources', () => {
  const { app, chart } = cilium('1.18');
  geoBlock(chart);
  new HelmValues(chart, 'Mine', { release: 'cilium', values: { enableNonDefaultDenyPolicies: false }, reason: 'site policy' });
  expect(() => synthesize(app)).toThrow("Helm value 'enableNonDefaultDenyPolicies' is set to true by 'test/GeoBlock/CiliumValues' and to false by 'test/Mine'; they must agree.");
});
