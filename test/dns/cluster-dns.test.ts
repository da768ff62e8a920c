import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumNetworkPolicy, KUBE_DNS, NODE_LOCAL_DNS, NetsecChart, NetsecError, NodeLocalDnsCache, NodeLocalDnsMode, NodeLocalDnsSettings, Target } from '../../src/index.js';
import { dnsResolversOf, nodeLocalDnsModeOf } from '../../src/dns/cluster-dns.js';

const target = (nodeLocalDns?: boolean | NodeLocalDnsSettings) => new Target({ name: 'a', kubernetes: '1.30', cilium: '1.17', cluster: nodeLocalDns === undefined ? {} : { nodeLocalDns } });
const chartOf = (t: Target, app = new App({ outdir: 'unused' }), id = 'test') => new NetsecChart(app, id, { target: t });

describe('cluster.nodeLocalDns on the target', () => {
  test.each([
    [undefined, undefined],
    [false, undefined],
    [true, { mode: NodeLocalDnsMode.LRP }],
    [{ mode: NodeLocalDnsMode.LRP }, { mode: NodeLocalDnsMode.LRP }],
    [{ mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.20.10', 'fe80::a'] }, { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.20.10', 'fe80::a'] }],
  ] as const)('%o resolves to %o (true stays LRP mode, as before modes existed)', (given, resolved) => {
    expect(target(given as boolean | NodeLocalDnsSettings | undefined).nodeLocalDns).toEqual(resolved);
  });

  test.each([
    [{ mode: 'hostnetwork' }, "target 'a': cluster.nodeLocalDns.mode is 'hostnetwork'; expected one of lrp, link-local (lrp: behind a Cilium Local Redirect Policy; link-local: on an address of each node, such as 169.254.20.10)."],
    [{ mode: 'lrp', addresses: ['169.254.20.10'] }, "target 'a': cluster.nodeLocalDns.addresses is set, but mode is 'lrp'; addresses name where a link-local cache listens. Remove addresses, or set mode: link-local."],
    [{ mode: 'link-local' }, "target 'a': cluster.nodeLocalDns has mode link-local but no addresses; name the addresses the cache listens on (e.g. addresses: [169.254.20.10]; AKS LocalDNS: [169.254.10.10, 169.254.10.11]). Cilium labels such an address entity host, or world where it is not a known node address, and only a rule for the address itself covers the second case."],
    [{ mode: 'link-local', addresses: [] }, "target 'a': cluster.nodeLocalDns.addresses is empty; name the addresses the cache listens on (e.g. [169.254.20.10]) or leave addresses out."],
    [{ mode: 'link-local', addresses: ['169.254.10.0/24'] }, "target 'a': cluster.nodeLocalDns.addresses has '169.254.10.0/24', which is not an IP address; expected the address the cache listens on, such as 169.254.20.10 (without a prefix length)."],
    [{ mode: 'link-local', addresses: ['node-local'] }, "target 'a': cluster.nodeLocalDns.addresses has 'node-local', which is not an IP address; expected the address the cache listens on, such as 169.254.20.10 (without a prefix length)."],
  ])('%o is refused', (given, message) => {
    let error: unknown;
    try {
      target(given as NodeLocalDnsSettings);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NetsecError);
    expect((error as NetsecError).code).toBe('CONFIG');
    expect((error as Error).message).toBe(message);
  });
});

describe('dnsResolversOf: the resolvers a target\'s pods talk to', () => {
  test.each([
    ['off', undefined, [KUBE_DNS], undefined],
    ['lrp (true)', true, [KUBE_DNS, NODE_LOCAL_DNS], NodeLocalDnsMode.LRP],
    [
      'link-local (AKS LocalDNS)',
      { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.10.10', '169.254.10.11'] },
      [KUBE_DNS, { kind: 'host', name: 'node-local-dns', addresses: ['169.254.10.10', '169.254.10.11'] }],
      NodeLocalDnsMode.LINK_LOCAL,
    ],
  ] as const)('%s', (_title, nodeLocalDns, resolvers, mode) => {
    const chart = chartOf(target(nodeLocalDns as boolean | NodeLocalDnsSettings | undefined));
    expect(dnsResolversOf(chart)).toEqual(resolvers);
    expect(nodeLocalDnsModeOf(chart)).toBe(mode);
  });

  test('a NodeLocalDnsCache is found in the construct tree wherever it is built: before or after, in any chart of the target', () => {
    const t = target();
    const app = new App({ outdir: 'unused' });
    const policies = chartOf(t, app, 'policies');
    const before = dnsResolversOf(policies);
    new NodeLocalDnsCache(chartOf(t, app, 'dns'), 'Cache', { namespace: 'dns-system', name: 'nodelocaldns', clusterDnsLabels: { 'k8s-app': 'coredns' } });
    expect(before).toEqual([KUBE_DNS]);
    expect(dnsResolversOf(policies)).toEqual([
      { kind: 'pods', name: 'kube-dns', namespace: 'dns-system', labels: { 'k8s-app': 'coredns' } },
      { kind: 'pods', name: 'nodelocaldns', namespace: 'dns-system', labels: { 'k8s-app': 'nodelocaldns' } },
    ]);
    expect(nodeLocalDnsModeOf(policies)).toBe(NodeLocalDnsMode.LRP);
  });

  test('no state outside the construct tree: a cache in another app, even with the same Target object, changes nothing', () => {
    const t = target();
    new NodeLocalDnsCache(chartOf(t, new App({ outdir: 'unused' })), 'Cache');
    const elsewhere = chartOf(t);
    const policy = new CiliumNetworkPolicy(elsewhere, 'Web');
    expect(dnsResolversOf(policy)).toEqual([KUBE_DNS]);
    expect(nodeLocalDnsModeOf(policy)).toBeUndefined();
  });

  test('two caches of one target give each resolver once', () => {
    const t = target();
    const app = new App({ outdir: 'unused' });
    new NodeLocalDnsCache(chartOf(t, app, 'one'), 'Cache');
    new NodeLocalDnsCache(chartOf(t, app, 'two'), 'Cache', { localRedirectPolicyName: 'nodelocaldns-2' });
    expect(dnsResolversOf(chartOf(t, app, 'policies'))).toEqual([KUBE_DNS, NODE_LOCAL_DNS]);
  });
});

describe('dnsResolversOf: the caches kept on the root construct (issue 14: no tree walk per policy)', () => {
  const cache = (namespace: string) => ({ namespace, name: `cache-${namespace}`, clusterDnsLabels: { 'k8s-app': `dns-${namespace}` } });

  test('caches come in construct-tree order, not build order', () => {
    const t = target();
    const app = new App({ outdir: 'unused' });
    const first = chartOf(t, app, 'first');
    const second = chartOf(t, app, 'second');
    new NodeLocalDnsCache(second, 'Cache', cache('b'));
    new NodeLocalDnsCache(first, 'Cache', cache('a'));
    expect(dnsResolversOf(first).map((r) => (r.kind === 'pods' ? `${r.namespace}/${r.name}` : r.name))).toEqual(['a/kube-dns', 'b/kube-dns', 'a/cache-a', 'b/cache-b']);
  });

  test('a cache removed from the tree no longer counts', () => {
    const t = target();
    const app = new App({ outdir: 'unused' });
    const policies = chartOf(t, app, 'policies');
    const dns = chartOf(t, app, 'dns');
    new NodeLocalDnsCache(dns, 'Cache', cache('a'));
    expect(nodeLocalDnsModeOf(policies)).toBe(NodeLocalDnsMode.LRP);
    app.node.tryRemoveChild('dns');
    expect(dnsResolversOf(policies)).toEqual([KUBE_DNS]);
    expect(nodeLocalDnsModeOf(policies)).toBeUndefined();
  });
});
