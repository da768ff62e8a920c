import { App, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { CiliumNetworkPolicy, EndpointSelector, NetsecChart, NodeLocalDnsCache, Peer, Port, Target } from '../../src/index.js';
import { synthValid } from '../util.js';

const CONFIG = `targets:
  - name: aks-cilium
    kubernetes: "1.30"
    cilium: "1.18"
  - name: onprem-calico
    kubernetes: "1.31"
    calico: "3.30"
nodeLocalDns:
  - image: registry.k8s.io/dns/k8s-dns-node-cache:1.26.8
    cache: { successCapacity: 20000, successTtlSeconds: 60, denialTtlSeconds: 10 }
    stubDomains: { k8s.intra: [10.0.0.53] }
    resources: { requests: { cpu: 50m, memory: 16Mi }, limits: { memory: 64Mi } }
    skipRedirectFromBackend: false
ciliumPolicies:
  - name: secure-workload-policy
    endpointSelector: { matchLabels: { app: critical-workload } }
    egress:
      - to: { fqdns: [{ matchName: api.example.com }] }
        ports: [{ port: 443, protocol: TCP }]
`;

test('nodeLocalDns in netsec.yaml builds exactly what the TypeScript API builds, and policies pick it up', async () => {
  const fromYaml = synthValid(await buildApp(parseConfig(CONFIG, 'netsec.yaml')));
  const app = new App({ outdir: 'unused' });
  const target = new Target({ name: 'aks-cilium', kubernetes: '1.30', cilium: '1.18' });
  new NodeLocalDnsCache(new NetsecChart(app, 'aks-cilium-node-local-dns', { target, component: 'node-local-dns' }), 'Cache', {
    image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.8',
    cache: { successCapacity: 20000, successTtl: Duration.seconds(60), denialTtl: Duration.seconds(10) },
    stubDomains: { 'k8s.intra': ['10.0.0.53'] },
    resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('16Mi') }, limits: { memory: k8s.Quantity.fromString('64Mi') } },
    skipRedirectFromBackend: false,
  });
  new CiliumNetworkPolicy(new NetsecChart(app, 'aks-cilium-cilium-policies', { target, component: 'cilium-policies' }), 'SecureWorkloadPolicy', {
    endpointSelector: EndpointSelector.labels({ app: 'critical-workload' }),
  }).allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
  const fromTs = synthValid(app);
  expect(fromYaml.files.map((f) => f.path)).toEqual(fromTs.files.map((f) => f.path));
  for (const f of fromTs.files) expect(fromYaml.files.find((y) => y.path === f.path)?.content, f.path).toBe(f.content);
  expect(fromYaml.files.find((f) => f.path === 'aks-cilium/cilium-policies.yaml')?.content).toContain('k8s:k8s-app: node-local-dns');
  expect(fromYaml.files.find((f) => f.path === 'aks-cilium/cilium-values.yaml')?.content).toContain('localRedirectPolicies:\n  enabled: true\n');
});

test('an error in an entry names the file and the entry', async () => {
  const bad = 'targets:\n  - name: a\n    cilium: "1.17"\nnodeLocalDns:\n  - localIps: [__PILLAR__LOCAL__DNS__]\n';
  await expect(buildApp(parseConfig(bad, 'netsec.yaml'))).rejects.toThrow(
    "netsec.yaml:5:5: NodeLocalDnsCache 'kube-system/node-local-dns': 'localIps' contains '__PILLAR__LOCAL__DNS__', a placeholder the node-cache binary does not substitute; give the address itself.",
  );
});

test('cluster.nodeLocalDns mode link-local in netsec.yaml: DNS rules allow entity host and the addresses instead of the cache pods', async () => {
  const config = `targets:
  - name: aks
    kubernetes: "1.30"
    cilium: "1.17"
    cluster:
      nodeLocalDns: { mode: link-local, addresses: [169.254.10.10, 169.254.10.11] }
ciliumPolicies:
  - name: secure-workload-policy
    endpointSelector: { matchLabels: { app: critical-workload } }
    egress:
      - to: { fqdns: [{ matchName: api.example.com }] }
        ports: [{ port: 443, protocol: TCP }]
`;
  const policies = synthValid(await buildApp(parseConfig(config, 'netsec.yaml'))).files.find((f) => f.path === 'aks/cilium-policies.yaml')!.content;
  expect(policies).toContain('\n    - toEntities:\n        - host\n      toPorts:\n');
  expect(policies).toContain('\n    - toCIDRSet:\n        - cidr: 169.254.10.10/32\n        - cidr: 169.254.10.11/32\n      toPorts:\n');
  expect(policies).not.toContain('node-local-dns');
});

test('a cluster.nodeLocalDns mode that does not exist is refused by the schema, with its place', () => {
  const config = 'targets:\n  - name: a\n    cilium: "1.17"\n    cluster:\n      nodeLocalDns: { mode: hostnetwork }\n';
  expect(() => parseConfig(config, 'netsec.yaml')).toThrow('netsec.yaml:5:29: targets[0].cluster.nodeLocalDns.mode is "hostnetwork"; expected one of: "lrp", "link-local"; use one of them');
});

test('cluster.nodeLocalDns mode link-local without addresses is refused by the schema, with its place', () => {
  const config = 'targets:\n  - name: a\n    cilium: "1.17"\n    cluster:\n      nodeLocalDns: { mode: link-local }\n';
  expect(() => parseConfig(config, 'netsec.yaml')).toThrow("netsec.yaml:5:21: targets[0].cluster.nodeLocalDns has no 'addresses'; expected addresses: to be given; add it");
});

test('cluster.nodeLocalDns addresses without mode link-local are refused', async () => {
  const config = 'targets:\n  - name: a\n    cilium: "1.17"\n    cluster:\n      nodeLocalDns: { mode: lrp, addresses: [169.254.20.10] }\n';
  await expect(async () => buildApp(parseConfig(config, 'netsec.yaml'))).rejects.toThrow(
    "target 'a': cluster.nodeLocalDns.addresses is set, but mode is 'lrp'; addresses name where a link-local cache listens. Remove addresses, or set mode: link-local.",
  );
});
