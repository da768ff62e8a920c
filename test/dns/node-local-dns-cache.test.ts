import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { NodeLocalDnsCache, NodeLocalDnsMode } from '../../src/index.js';
import { findOne, synthValid, targetChart } from '../util.js';

const cilium = (line = '1.17') => targetChart({ name: 'aks-cilium', kubernetes: '1.30', cilium: line });

/** Cilium's own example (examples/kubernetes-local-redirect), vendored byte-for-byte in upstream/. */
function ciliumExample(): Record<string, any>[] {
  const dir = join(packageRoot(), 'upstream', 'reference', 'cilium-lrp-nodelocaldns');
  return ['node-local-dns.yaml', 'node-local-dns-lrp.yaml'].flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS()));
}

describe("equal in meaning to Cilium's example and a NodeLocal DNSCache deployment on AKS behind an LRP", () => {
  const { app, chart } = cilium();
  const cache = new NodeLocalDnsCache(chart, 'Cache');
  const { objects } = synthValid(app);
  const upstream = ciliumExample();

  test('the DaemonSet runs node-cache without its own interface or iptables, off the host network', () => {
    const ds = findOne(objects, 'DaemonSet', 'node-local-dns');
    const theirs = findOne(upstream, 'DaemonSet', 'node-local-dns');
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    // The AKS deployment binds all addresses (-localip 0.0.0.0); Cilium's example lists 169.254.20.10 and the kube-dns IP, which a human fills in with sed.
    expect(container.args).toEqual(['-localip', '0.0.0.0', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false']);
    expect(theirs.spec.template.spec.containers[0].args.slice(2)).toEqual(container.args.slice(2));
    expect(pod.hostNetwork).toBe(false);
    expect(pod.dnsPolicy).toBe('Default');
    for (const field of ['priorityClassName', 'serviceAccountName', 'tolerations', 'volumes']) {
      expect(pod[field], field).toEqual(theirs.spec.template.spec[field]);
    }
    for (const field of ['ports', 'livenessProbe', 'volumeMounts', 'resources']) {
      expect(container[field], field).toEqual(theirs.spec.template.spec.containers[0][field]);
    }
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/health', port: 8080 }, timeoutSeconds: 5 });
    expect(container.image).toBe('registry.k8s.io/dns/k8s-dns-node-cache:1.26.4');
    expect(ds.spec.template.metadata).toEqual(theirs.spec.template.metadata);
    expect(ds.spec.updateStrategy).toEqual(theirs.spec.updateStrategy);
    expect(ds.spec.selector).toEqual(theirs.spec.selector);
  });

  test('the Corefile is the example one, with health on its own address spelled out', () => {
    const theirs = findOne(upstream, 'ConfigMap', 'node-local-dns').data.Corefile as string;
    expect(findOne(objects, 'ConfigMap', 'node-local-dns').data.Corefile).toBe(theirs.replace(/^(\s+)health$/m, '$1health :8080'));
    expect(cache.corefile).toContain('forward . __PILLAR__CLUSTER__DNS__ {');
    expect(cache.corefile).toContain('forward . __PILLAR__UPSTREAM__SERVERS__\n');
  });

  test('the kube-dns-upstream Service and the ServiceAccount are the example ones', () => {
    expect(findOne(objects, 'Service', 'kube-dns-upstream')).toEqual(findOne(upstream, 'Service', 'kube-dns-upstream'));
    expect(findOne(objects, 'ServiceAccount', 'node-local-dns')).toEqual(findOne(upstream, 'ServiceAccount', 'node-local-dns'));
  });

  test('the Local Redirect Policy is the example one (skipRedirectFromBackend left out, as there)', () => {
    const lrp = findOne(objects, 'CiliumLocalRedirectPolicy', 'nodelocaldns');
    const theirs = findOne(upstream, 'CiliumLocalRedirectPolicy', 'nodelocaldns');
    expect(lrp).toEqual(theirs);
    expect(lrp.spec.skipRedirectFromBackend).toBeUndefined();
    expect(cache.skipRedirectFromBackend).toBe(false);
    expect(cache.mode).toBe(NodeLocalDnsMode.LRP);
    // Backend port names match the container port names.
    const names = findOne(objects, 'DaemonSet').spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name);
    for (const p of lrp.spec.redirectBackend.toPorts) expect(names).toContain(p.name);
  });

  test('children are exposed', () => {
    expect([cache.daemonSet, cache.configMap, cache.service, cache.serviceAccount, cache.localRedirectPolicy].map((c) => c.kind)).toEqual([
      'DaemonSet', 'ConfigMap', 'Service', 'ServiceAccount', 'CiliumLocalRedirectPolicy',
    ]);
  });
});

test.each([
  ['1.17', 'localRedirectPolicy: true\n'],
  ['1.18', 'localRedirectPolicies:\n  enabled: true\n'],
])('the Cilium Helm key flips at 1.18 (Cilium %s)', (line, values) => {
  const { app, chart } = cilium(line);
  new NodeLocalDnsCache(chart, 'Cache');
  const file = synthValid(app).files.find((f) => f.path === 'aks-cilium/cilium-values.yaml')!;
  expect(file.content.split('\n').filter((l) => !l.startsWith('#')).join('\n')).toBe(values);
});

test.each(['1.16', '1.17', '1.18', '1.19', '1.20'])('skipRedirectFromBackend is off by default on Cilium %s, and on only when asked', (line) => {
  const off = cilium(line);
  new NodeLocalDnsCache(off.chart, 'Cache', { noTrackPort: false });
  const { objects } = synthValid(off.app);
  expect(findOne(objects, 'CiliumLocalRedirectPolicy').spec.skipRedirectFromBackend).toBeUndefined();
  expect(findOne(objects, 'DaemonSet').spec.template.metadata.annotations['policy.cilium.io/no-track-port']).toBeUndefined();
  const on = cilium(line);
  new NodeLocalDnsCache(on.chart, 'Cache', { skipRedirectFromBackend: true });
  expect(findOne(synthValid(on.app).objects, 'CiliumLocalRedirectPolicy').spec.skipRedirectFromBackend).toBe(true);
});

test('typed Corefile options: domain, cache sizes and TTLs, stub domains, upstream servers, ports (snapshot)', async () => {
  const { app, chart } = targetChart({ name: 'onprem', kubernetes: '1.31', cilium: '1.19', cluster: { clusterDomain: 'corp.internal' } });
  const cache = new NodeLocalDnsCache(chart, 'Cache', {
    cache: { successCapacity: 20000, successTtl: Duration.minutes(1), denialCapacity: 5000, denialTtl: Duration.seconds(10), otherZonesTtl: Duration.seconds(15) },
    stubDomains: { 'k8s.intra': ['10.0.0.53', '10.0.0.54:5353'] },
    upstreamServers: ['1.1.1.1', '9.9.9.9'],
    forceTcpToClusterDns: false,
    healthPort: 8081,
    metricsPort: 9254,
  });
  expect(cache.clusterDomain).toBe('corp.internal');
  const ds = findOne(synthValid(app).objects, 'DaemonSet');
  expect(ds.spec.template.spec.containers[0].livenessProbe.httpGet.port).toBe(8081);
  expect(ds.spec.template.metadata.annotations['prometheus.io/port']).toBe('9254');
  await expect(cache.corefile).toMatchFileSnapshot('__snapshots__/corefile-custom.txt');
});

describe('bad input is refused', () => {
  test.each([
    [{ image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.15.13' }, "NodeLocalDnsCache 'kube-system/node-local-dns': image 'registry.k8s.io/dns/k8s-dns-node-cache:1.15.13' is node-cache 1.15.13, but running behind a Local Redirect Policy needs 1.15.16 or later (the first with -setupinterface=false)."],
    [{ localIps: ['169.254.20.10', '__PILLAR__DNS__SERVER__'] }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'localIps' contains '__PILLAR__DNS__SERVER__', a placeholder the node-cache binary does not substitute; give the address itself."],
    [{ upstreamServers: ['__PILLAR__CLUSTER__DNS__'] }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'upstreamServers' contains '__PILLAR__CLUSTER__DNS__', a placeholder the node-cache binary does not substitute; give the address itself or one of __PILLAR__UPSTREAM__SERVERS__."],
    [{ upstreamServers: ['dns.google'] }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'upstreamServers' entry 'dns.google' is not an IP address (optionally with ':port')."],
    [{ localIps: [] }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'localIps' must name at least one address (e.g. '0.0.0.0')."],
    [{ upstreamServers: [] }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'upstreamServers' must name at least one server; leave it out to use the node's resolvers."],
    [{ clusterDomain: 'Cluster.Local.' }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'clusterDomain' 'Cluster.Local.' is not a DNS zone name (lowercase labels separated by dots, no final dot)."],
    [{ stubDomains: { 'cluster.local': ['10.0.0.53'] } }, "NodeLocalDnsCache 'kube-system/node-local-dns': stub domain 'cluster.local' is already a zone of the Corefile."],
    [{ stubDomains: { 'k8s.intra': [] } }, "NodeLocalDnsCache 'kube-system/node-local-dns': stub domain 'k8s.intra' needs at least one server."],
    [{ cache: { successCapacity: 0 } }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'cache.successCapacity' must be a positive whole number (got 0)."],
    [{ healthPort: 53 }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'healthPort' must be 1-65535 and not 53 (got 53)."],
    [{ healthPort: 9253 }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'healthPort' and 'metricsPort' must differ (both 9253)."],
    [{ upstreamServiceName: 'kube-dns' }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'upstreamServiceName' must differ from 'clusterDnsService' ('kube-dns'): the LRP redirects that Service, so cache misses would loop back to the cache."],
    [{ clusterDnsService: 'Kube_DNS' }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'clusterDnsService' 'Kube_DNS' must be a Service name (a DNS-1035 label)."],
    [{ clusterDnsLabels: {} }, "NodeLocalDnsCache 'kube-system/node-local-dns': 'clusterDnsLabels' must select the CoreDNS pods (e.g. { 'k8s-app': 'kube-dns' })."],
    [{ name: 'Node_Local' }, "NodeLocalDnsCache 'kube-system/Node_Local': 'name' 'Node_Local' must be a DNS-1123 label."],
  ])('%o', (props, message) => {
    expect(() => new NodeLocalDnsCache(cilium().chart, 'Cache', props)).toThrow(message);
  });

  test('a target without Cilium has no Local Redirect Policy', () => {
    const { chart } = targetChart({ name: 'onprem-calico', kubernetes: '1.31', calico: '3.30' });
    expect(() => new NodeLocalDnsCache(chart, 'Cache')).toThrow(
      "NodeLocalDnsCache 'kube-system/node-local-dns' (it redirects DNS with a CiliumLocalRedirectPolicy): needs Cilium, but target 'onprem-calico' names no Cilium version.",
    );
  });
});

test('escape hatch: patch a child through its public field', () => {
  const { app, chart } = cilium();
  const cache = new NodeLocalDnsCache(chart, 'Cache');
  cache.daemonSet.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { 'kubernetes.io/os': 'linux' }));
  expect(findOne(synthValid(app).objects, 'DaemonSet').spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
});

test('the header notes the immutable LRP spec, and that turning skipRedirectFromBackend on later means re-creating the LRP', () => {
  const { app, chart } = cilium();
  new NodeLocalDnsCache(chart, 'Cache');
  expect(synthValid(app).diagnostics.map((d) => d.message)).toEqual([
    'CiliumLocalRedirectPolicy kube-system/nodelocaldns: its spec is immutable; to change it, delete and re-create it (for Argo CD, sync with Replace=true).',
    "CiliumLocalRedirectPolicy kube-system/nodelocaldns leaves skipRedirectFromBackend off: the kube-dns-upstream Service already keeps the cache's own queries from looping back to it. The field is immutable, so turning it on later (it needs Linux 5.12 or later on every node) means deleting and re-creating the LRP and the node-local-dns pods.",
  ]);
});

test('with skipRedirectFromBackend on, the header names the kernel it needs', () => {
  const { app, chart } = cilium();
  new NodeLocalDnsCache(chart, 'Cache', { name: 'nodelocaldns', skipRedirectFromBackend: true });
  expect(synthValid(app).diagnostics.map((d) => d.message)).toEqual([
    'CiliumLocalRedirectPolicy kube-system/nodelocaldns: its spec is immutable; to change it, delete and re-create it (for Argo CD, sync with Replace=true).',
    'CiliumLocalRedirectPolicy kube-system/nodelocaldns sets skipRedirectFromBackend, which needs Linux 5.12 or later on every node; LRPs and nodelocaldns pods created before it was set must be re-created.',
  ]);
});

test('a target whose cache is link-local cannot also have one behind a Local Redirect Policy', () => {
  const { chart } = targetChart({ name: 'aks', kubernetes: '1.30', cilium: '1.17', cluster: { nodeLocalDns: { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.10.10', '169.254.10.11'] } } });
  expect(() => new NodeLocalDnsCache(chart, 'Cache')).toThrow(
    "NodeLocalDnsCache 'kube-system/node-local-dns': target 'aks' says NodeLocal DNSCache listens on an address of each node (cluster.nodeLocalDns mode link-local), but this construct runs it behind a Cilium Local Redirect Policy, where DNS rules must select the cache pods instead. Set cluster.nodeLocalDns to mode lrp (or leave it out), or remove this cache.",
  );
});

describe('metadata (labels and annotations)', () => {
  const WAVE = { 'argocd.argoproj.io/sync-wave': '-5' };

  test('go on every object the cache renders, beside their own labels; not on the pod template', () => {
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache', { metadata: { labels: { team: 'net' }, annotations: WAVE } });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'ServiceAccount').metadata).toEqual({ name: 'node-local-dns', namespace: 'kube-system', labels: { team: 'net' }, annotations: WAVE });
    expect(findOne(objects, 'ConfigMap').metadata).toEqual({ name: 'node-local-dns', namespace: 'kube-system', labels: { team: 'net' }, annotations: WAVE });
    expect(findOne(objects, 'Service').metadata).toEqual({
      name: 'kube-dns-upstream',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'KubeDNSUpstream', team: 'net' },
      annotations: WAVE,
    });
    const daemonSet = findOne(objects, 'DaemonSet');
    expect(daemonSet.metadata).toEqual({ name: 'node-local-dns', namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns', team: 'net' }, annotations: WAVE });
    expect(daemonSet.spec.template.metadata.labels).toEqual({ 'k8s-app': 'node-local-dns' });
    expect(daemonSet.spec.template.metadata.annotations).not.toHaveProperty('argocd.argoproj.io/sync-wave');
    expect(findOne(objects, 'CiliumLocalRedirectPolicy').metadata).toEqual({ name: 'nodelocaldns', namespace: 'kube-system', labels: { team: 'net' }, annotations: WAVE });
  });

  test("a label the cache's objects carry themselves keeps its value (k8s-app selects the cache and CoreDNS pods)", () => {
    expect(() => new NodeLocalDnsCache(cilium().chart, 'Cache', { metadata: { labels: { 'k8s-app': 'dns' } } })).toThrow(
      "NodeLocalDnsCache 'kube-system/node-local-dns': metadata.labels 'k8s-app' is 'dns', but netsec sets it to 'kube-dns' on Service kube-system/kube-dns-upstream; leave it out of metadata.labels.",
    );
    expect(() => new NodeLocalDnsCache(cilium().chart, 'Cache', { metadata: { labels: { 'kubernetes.io/name': 'KubeDNSUpstream' } } })).not.toThrow();
    expect(() => new NodeLocalDnsCache(cilium().chart, 'Cache', { metadata: { labels: { 'kubernetes.io/name': 'CoreDNS' } } })).toThrow(
      "NodeLocalDnsCache 'kube-system/node-local-dns': metadata.labels 'kubernetes.io/name' is 'CoreDNS', but netsec sets it to 'KubeDNSUpstream' on Service kube-system/kube-dns-upstream; leave it out of metadata.labels.",
    );
  });

  test('netsec.io/ keys are refused, naming the cache', () => {
    expect(() => new NodeLocalDnsCache(cilium().chart, 'Cache', { metadata: { labels: { 'netsec.io/egress-block': 'x' } } })).toThrow(
      "NodeLocalDnsCache 'kube-system/node-local-dns': metadata.labels key 'netsec.io/egress-block' is netsec's own: netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead.",
    );
  });
});

describe('container resources', () => {
  test('quantities as strings or as cdk8s-plus Quantity objects render the same wire values', async () => {
    const { Quantity } = await import('cdk8s-plus-28/lib/imports/k8s.js');
    const rendered = (resources: ConstructorParameters<typeof NodeLocalDnsCache>[2] extends infer P ? P extends { resources?: infer R } ? R : never : never) => {
      const { app, chart } = cilium();
      new NodeLocalDnsCache(chart, 'Cache', { resources });
      return findOne(synthValid(app).objects, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0].resources;
    };
    const expected = { requests: { cpu: '50m', memory: '16Mi' }, limits: { memory: '64Mi' } };
    expect(rendered({ requests: { cpu: '50m', memory: '16Mi' }, limits: { memory: '64Mi' } })).toEqual(expected);
    expect(rendered({ requests: { cpu: Quantity.fromString('50m'), memory: Quantity.fromString('16Mi') }, limits: { memory: Quantity.fromString('64Mi') } })).toEqual(expected);
  });

  test("a quantity Kubernetes cannot read is refused at synth, at the DaemonSet's field", async () => {
    const { synthesize } = await import('../../src/index.js');
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache', { resources: { requests: { cpu: 'lots' } } });
    const messages = synthesize(app).findings.map((f) => `${f.path}: ${f.message}`);
    expect(messages).toEqual(['spec.template.spec.containers[0].resources.requests.cpu: expected number or format \'quantity\' (got "lots")']);
  });

  // kubernetes pkg/apis/core/validation ValidateResourceRequirements: ValidateNonnegativeQuantity, and "must be less
  // than or equal to %s limit"; ValidatePodSpec checks priorityClassName as a DNS-1123 subdomain.
  test('a negative quantity, a request above its limit and a bad priorityClassName are refused (the API server refuses the DaemonSet)', () => {
    const build = (props: Record<string, unknown>) => () => new NodeLocalDnsCache(cilium().chart, 'Cache', props);
    expect(build({ resources: { requests: { cpu: '-1' } } })).toThrow("NodeLocalDnsCache 'kube-system/node-local-dns': 'resources.requests.cpu' is '-1'; the API server refuses a negative quantity (\"must be greater than or equal to 0\").");
    expect(build({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } })).toThrow("NodeLocalDnsCache 'kube-system/node-local-dns': 'resources.requests.memory' is above 'resources.limits.memory'; the API server refuses the DaemonSet (\"must be less than or equal to memory limit\"). Raise the limit or lower the request.");
    // 1Gi is 1073741824 bytes, more than 1G (10^9): binary and decimal units compare by value.
    expect(build({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1G' } } })).toThrow("'resources.requests.memory' is above 'resources.limits.memory'");
    expect(build({ resources: { requests: { cpu: '500m', memory: '1G' }, limits: { cpu: '0.5', memory: '1Gi' } } })).not.toThrow();
    expect(build({ priorityClassName: 'Not Valid' })).toThrow("NodeLocalDnsCache 'kube-system/node-local-dns': 'priorityClassName' 'Not Valid' is not a PriorityClass name; the API server refuses the DaemonSet unless it is a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'), e.g. 'system-node-critical'.");
  });
});
