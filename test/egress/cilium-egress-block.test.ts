import { ApiObject, JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CidrGroupReference, CiliumCidrGroup, CiliumEgressBlock, EndpointSelector, NetsecError, TargetProps, suppressRules, synthesize } from '../../src/index.js';
import { findAll, findOne, synthValid, targetChart } from '../util.js';

const CLUSTER = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.0.0.0/16'] };
const OWNED = (name: string) => ({ policy: name, 'netsec.io/egress-block': name });

const BLOCK_LIST = ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'];
const aks = (cilium: string, extra: Partial<TargetProps> = {}): TargetProps => ({ name: 'aks', kubernetes: '1.30', cilium, ...extra });

/** `n` distinct /24s starting at 11.0.0.0 (never adjacent: every other /24, so they do not merge). */
function spreadPrefixes(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const x = 11 * 2 ** 24 + i * 512;
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.0/24`;
  });
}

describe('CiliumEgressBlock', () => {
  test('writes a CiliumCIDRGroup and a CiliumClusterwideNetworkPolicy with egressDeny on Cilium 1.17 (egress blocking on AKS)', () => {
    const { app, chart } = targetChart(aks('1.17', { cluster: CLUSTER }));
    new CiliumEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: BLOCK_LIST });
    const { objects, diagnostics } = synthValid(app);
    expect(diagnostics).toEqual([]);
    expect(findOne(objects, 'CiliumCIDRGroup')).toEqual({
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumCIDRGroup',
      metadata: { name: 'egress-traffic-blocking', labels: OWNED('egress-traffic-blocking') },
      spec: { externalCIDRs: ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'] },
    });
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy')).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'egress-traffic-blocking', labels: OWNED('egress-traffic-blocking') },
      spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'egress-traffic-blocking' }] }] },
    });
  });

  test('the CIDR group apiVersion flips to cilium.io/v2 at Cilium 1.18', () => {
    for (const [line, apiVersion] of [['1.17', 'cilium.io/v2alpha1'], ['1.18', 'cilium.io/v2']]) {
      const { app, chart } = targetChart(aks(line));
      new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST });
      expect(findOne(synthValid(app).objects, 'CiliumCIDRGroup').apiVersion).toBe(apiVersion);
    }
  });

  test('a large list is sharded under the client-side apply budget; the policy lists exactly its groups by name', () => {
    const { app, chart } = targetChart(aks('1.17'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000) });
    const { objects } = synthValid(app);
    const groups = findAll(objects, 'CiliumCIDRGroup');
    expect(groups.length).toBeGreaterThan(1);
    // What client-side apply really stores: the object's JSON in the last-applied annotation (apimachinery's cap).
    for (const g of groups) expect(Buffer.byteLength('kubectl.kubernetes.io/last-applied-configuration') + Buffer.byteLength(JSON.stringify(g)) + 1).toBeLessThanOrEqual(262_144);
    expect(groups.flatMap((g) => g.spec.externalCIDRs)).toHaveLength(40_000);
    expect(groups.every((g) => /^geo-v4-\d{3}-\d{3}-\d{3}-\d{3}$/.test(g.metadata.name))).toBe(true);
    expect(block.reference).toBe(CidrGroupReference.REF);
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy').spec.egressDeny).toEqual([{ toCIDRSet: groups.map((g) => ({ cidrGroupRef: g.metadata.name })) }]);
  });

  test('reference: selector selects by the owner label alone, so the policy does not change as shards come and go', () => {
    const policyFor = (n: number) => {
      const { app, chart } = targetChart(aks('1.17'));
      new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(n), reference: CidrGroupReference.SELECTOR });
      return findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy');
    };
    const one = policyFor(10);
    expect(one.spec.egressDeny).toEqual([{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { 'netsec.io/egress-block': 'geo' } } }] }]);
    expect(policyFor(40_000)).toEqual(one);
  });

  test('labels cannot set the owner label', () => {
    const { chart } = targetChart(aks('1.17'));
    expect(() => new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: BLOCK_LIST, labels: { 'netsec.io/egress-block': 'imds' } })).toThrow(
      "CiliumEgressBlock 'geo': labels sets 'netsec.io/egress-block', which netsec sets itself to 'geo' so the policy selects only this block's sets; remove it from labels.",
    );
  });

  test('labels follow the Kubernetes label grammar and keep off netsec.io/, as metadata.labels do', () => {
    const { chart } = targetChart(aks('1.17'));
    const block = (labels: Record<string, string>) => () => new CiliumEgressBlock(chart, `Block${Object.keys(labels)[0]!.length}`, { name: 'geo', cidrs: BLOCK_LIST, labels });
    expect(block({ team: 'net ops' })).toThrow(
      "CiliumEgressBlock 'geo': labels 'team' is 'net ops', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.",
    );
    expect(block({ 'bad key!': 'x' })).toThrow("CiliumEgressBlock 'geo': labels key 'bad key!' is not a valid label key; expected [prefix/]name");
    expect(block({ 'netsec.io/team': 'x' })).toThrow("CiliumEgressBlock 'geo': labels key 'netsec.io/team' is under 'netsec.io/', the prefix netsec keeps for its own labels and annotations");
  });

  test('the policy is a CiliumClusterwideNetworkPolicy construct, so its endpointSelector is checked like any other', () => {
    const { app, chart } = targetChart(aks('1.17'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: BLOCK_LIST, endpointSelector: EndpointSelector.labels({ app: 'legacy' }) });
    expect(block.policy.egressDefaultDeny).toBe(false);
    expect(findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').spec.endpointSelector).toEqual({ matchLabels: { app: 'legacy' } });
  });

  test('server-side apply allows bigger shards', () => {
    const count = (applyMode: 'client-side' | 'server-side') => {
      const { chart } = targetChart(aks('1.18', { applyMode: applyMode as never }));
      return new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000) }).groups.length;
    };
    expect(count('server-side')).toBeLessThan(count('client-side'));
  });

  test('Cilium 1.16: a block over the policy map size is refused (one identity per CIDR), unless suppressed with a reason', () => {
    const { app, chart } = targetChart(aks('1.16', { cluster: CLUSTER }));
    new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(20_000) });
    const findings = synthesize(app).findings;
    expect(findings.map((f) => [f.ruleId, f.constructPath, f.message])).toEqual([
      [
        'cilium/cidr-identity-cost',
        'test/Block/Policy/Resource',
        'uses 20,000 CIDRs (20,000 of them in CiliumCIDRGroups, which Cilium 1.16 counts one identity per CIDR; one per group from 1.17), each a security identity: more than the 16,384 entries of the default per-endpoint policy map, so the policy cannot be enforced. Move the CIDRs into CiliumCIDRGroups on Cilium 1.17 or later, or suppress this rule with a reason if bpf-policy-map-max was raised.',
      ],
    ]);

    const accepted = targetChart(aks('1.16', { cluster: CLUSTER }));
    const block = new CiliumEgressBlock(accepted.chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(20_000) });
    suppressRules(block, [{ id: 'cilium/cidr-identity-cost', reason: 'bpf-policy-map-max is 65536 on these nodes' }]);
    const { diagnostics } = synthValid(accepted.app);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "cilium/cidr-identity-cost suppressed (bpf-policy-map-max is 65536 on these nodes): CiliumClusterwideNetworkPolicy 'geo': uses 20,000 CIDRs (20,000 of them in CiliumCIDRGroups, which Cilium 1.16 counts one identity per CIDR; one per group from 1.17), each a security identity: more than the 16,384 entries of the default per-endpoint policy map, so the policy cannot be enforced. Move the CIDRs into CiliumCIDRGroups on Cilium 1.17 or later, or suppress this rule with a reason if bpf-policy-map-max was raised.",
    ]);
  });

  test('Cilium 1.16: a smaller block is listed by cidrGroupRef with a warning of its identity cost', () => {
    const { app, chart } = targetChart(aks('1.16', { cluster: CLUSTER }));
    new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(2_000) });
    expect(synthValid(app).diagnostics.map((d) => d.message)).toEqual([
      "cilium/cidr-identity-cost: CiliumClusterwideNetworkPolicy 'geo': uses 2,000 CIDRs (2,000 of them in CiliumCIDRGroups, which Cilium 1.16 counts one identity per CIDR; one per group from 1.17), each a security identity and a policy-map entry (the default map holds 16,384).",
    ]);
  });

  test('asking for cidrGroupSelector below 1.17 is refused with the first version that has it', () => {
    const { chart } = targetChart(aks('1.16'));
    expect(() => new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: BLOCK_LIST, reference: CidrGroupReference.SELECTOR })).toThrow(
      "CiliumEgressBlock 'geo': reference: selector: toCIDRSet.cidrGroupSelector needs Cilium 1.17 or later; target 'aks' runs Cilium 1.16.",
    );
  });

  test('the list is aggregated and except is subtracted', () => {
    const { chart } = targetChart(aks('1.18'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.0/24'], except: ['198.51.100.0/25'] });
    expect(block.groups[0].cidrs).toEqual(['192.0.2.0/24', '198.51.100.128/25']);
  });

  describe('refusals', () => {
    const refuse = (props: object, target = aks('1.18')) => {
      const { chart } = targetChart(target);
      return () => new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, ...props });
    };
    test('an empty list', () => {
      expect(refuse({ cidrs: [] })).toThrow(
        new NetsecError('INVALID', "CiliumEgressBlock 'b' is empty; expected at least one prefix (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it)"),
      );
    });
    test('an empty list with allowEmpty is one empty group the deny references: nothing blocked, and a note says so (it rendered to: [], which lint refused)', () => {
      const { app, chart } = targetChart(aks('1.18'));
      new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: [], allowEmpty: true });
      const result = synthValid(app);
      expect(findAll(result.objects, 'CiliumCIDRGroup').map((g) => [g.metadata.name, g.spec])).toEqual([['b', { externalCIDRs: [] }]]);
      expect(findOne(result.objects, 'CiliumClusterwideNetworkPolicy').spec.egressDeny).toEqual([{ toCIDRSet: [{ cidrGroupRef: 'b' }] }]);
      expect(result.diagnostics.map((d) => d.message)).toContain("CiliumEgressBlock 'b': the block list is empty (allowEmpty): one empty CiliumCIDRGroup 'b', so nothing is blocked until the list has prefixes.");
    });
    test('the IPv4 default route', () => {
      expect(refuse({ cidrs: ['0.0.0.0/0'] })).toThrow(
        "CiliumEgressBlock 'b' contains '0.0.0.0/0'; expected specific prefixes (blocking every IPv4 address cuts the cluster off; set allowDefaultRoute to accept it)",
      );
    });
    test('the IPv6 default route', () => {
      expect(refuse({ cidrs: ['::/0'] })).toThrow("CiliumEgressBlock 'b' contains '::/0'; expected specific prefixes (blocking every IPv6 address cuts the cluster off; set allowDefaultRoute to accept it)");
    });
    test("overlap with the target's service CIDR", () => {
      expect(refuse({ cidrs: ['10.0.0.0/8'] }, aks('1.18', { cluster: { serviceCidrs: ['10.96.0.0/12'] } }))).toThrow(
        "CiliumEgressBlock 'b' prefix '10.0.0.0/8' overlaps cluster CIDR '10.96.0.0/12' (service CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)",
      );
    });
    test('a default route is refused even when except carves addresses out of it (following the overlap advice included)', () => {
      expect(refuse({ cidrs: ['0.0.0.0/0'], except: ['192.0.2.1/32'] })).toThrow(
        new NetsecError('INVALID', "CiliumEgressBlock 'b' contains '0.0.0.0/0'; expected specific prefixes (blocking every IPv4 address cuts the cluster off; set allowDefaultRoute to accept it)"),
      );
      expect(refuse({ cidrs: ['0.0.0.0/0'], except: ['10.244.0.0/16', '10.0.0.0/16'] }, aks('1.18', { cluster: CLUSTER }))).toThrow("CiliumEgressBlock 'b' contains '0.0.0.0/0'");
    });
    test('a list covering more than half an address family is refused unless allowHugeBlock', () => {
      expect(refuse({ cidrs: ['0.0.0.0/1', '128.0.0.0/2'] })).toThrow(
        new NetsecError('INVALID', "CiliumEgressBlock 'b' covers 3,221,225,472 of 4,294,967,296 IPv4 addresses (more than half); expected a list of specific networks (a block this large cuts the cluster off from most of the internet; set allowHugeBlock to accept it)"),
      );
      expect(refuse({ cidrs: ['0.0.0.0/1'] })).not.toThrow(); // exactly half
      expect(refuse({ cidrs: ['0.0.0.0/1', '128.0.0.0/2'], allowHugeBlock: true })).not.toThrow();
    });
    test('allowDefaultRoute is an explicit acceptance: the cluster-safety rule is suppressed with that reason, in the header', () => {
      const { app, chart } = targetChart(aks('1.18', { cluster: CLUSTER }));
      new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: ['0.0.0.0/0'], allowDefaultRoute: true, allowHugeBlock: true, allowClusterOverlap: true });
      const { diagnostics } = synthValid(app);
      expect(diagnostics.map((d) => d.message)).toEqual([
        "cilium/deny-cluster-infrastructure suppressed (allowDefaultRoute, allowClusterOverlap, allowHugeBlock set on CiliumEgressBlock 'b'): CiliumClusterwideNetworkPolicy 'b' at spec.egressDeny[0]: denies egress to every IPv4 address (0.0.0.0/0) for every workload the endpointSelector selects (every pod, save excluded namespaces): deny wins over every allow, so they all lose it at once. Narrow the endpointSelector to the workloads meant, or remove those peers from the deny.",
      ]);
    });
    test('a target without cluster addresses gets a warning that the overlap checks were skipped', () => {
      const { app, chart } = targetChart(aks('1.18'));
      new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST });
      expect(synthValid(app).diagnostics.map((d) => d.message)).toEqual([
        "CiliumEgressBlock 'b': target 'aks' names no cluster addresses (cluster.podCidrs, cluster.serviceCidrs, cluster.apiServerCidrs), so netsec could not check that the block list spares the cluster's own pods, Services and API server. Name them in the target.",
      ]);
    });
    test('except makes an overlapping list acceptable', () => {
      const { chart } = targetChart(aks('1.18', { cluster: { podCidrs: ['10.244.0.0/16'] } }));
      const block = new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: ['10.0.0.0/8'], except: ['10.244.0.0/16'] });
      expect(block.cidrs.size).toBe(8);
    });
  });

  test('escape hatch: a JSON patch on the policy', () => {
    const { app, chart } = targetChart(aks('1.18'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST });
    ApiObject.of(block.policy).addJsonPatch(JsonPatch.add('/spec/description', 'geo-blocking, ticket SEC-42'));
    expect(findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').spec.description).toBe('geo-blocking, ticket SEC-42');
  });
});

describe('CiliumCidrGroup', () => {
  test('a metadata-only group (azure-imds) that labels world IPs for Hubble', () => {
    const { app, chart } = targetChart(aks('1.17'));
    new CiliumCidrGroup(chart, 'Imds', { name: 'azure-imds', cidrs: ['169.254.169.254'], labels: { 'k8s-app': 'azure-imds' } });
    expect(findOne(synthValid(app).objects, 'CiliumCIDRGroup')).toEqual({
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumCIDRGroup',
      metadata: { name: 'azure-imds', labels: { 'k8s-app': 'azure-imds' } },
      spec: { externalCIDRs: ['169.254.169.254/32'] },
    });
  });

  test('an empty group is refused', () => {
    const { chart } = targetChart(aks('1.17'));
    expect(() => new CiliumCidrGroup(chart, 'G', { name: 'g', cidrs: [] })).toThrow(
      "CiliumCidrGroup 'g': externalCIDRs is empty; expected at least one CIDR (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it).",
    );
  });

  test('a target without Cilium is refused', () => {
    const { chart } = targetChart({ name: 'k', calico: '3.30' });
    expect(() => new CiliumCidrGroup(chart, 'G', { name: 'g', cidrs: BLOCK_LIST })).toThrow("CiliumCidrGroup 'g': needs Cilium, but target 'k' names no Cilium version.");
  });
});

describe('metadata (labels and annotations)', () => {
  const WAVE = { 'argocd.argoproj.io/sync-wave': '-1' };

  test('CiliumEgressBlock: metadata goes on the policy and every CIDR group, labels merged with the block labels', () => {
    const { app, chart } = targetChart(aks('1.17'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000), metadata: { labels: { team: 'net' }, annotations: WAVE } });
    const { objects } = synthValid(app);
    const groups = findAll(objects, 'CiliumCIDRGroup');
    expect(groups.length).toBeGreaterThan(1);
    const metadata = { labels: { policy: 'geo', team: 'net', 'netsec.io/egress-block': 'geo' }, annotations: WAVE };
    for (const g of groups) expect(g.metadata).toEqual({ name: g.metadata.name, ...metadata });
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy').metadata).toEqual({ name: 'geo', ...metadata });
    expect(block.labels).toEqual(metadata.labels);
    expect(block.annotations).toEqual(WAVE);
  });

  test('CiliumEgressBlock: annotations count in the shard size budget, twice under client-side apply (the object and its last-applied copy)', () => {
    const note = { 'example.com/note': 'x'.repeat(100_000) };
    const { app, chart } = targetChart(aks('1.17'));
    new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000), metadata: { annotations: note } });
    // synthValid fails on k8s/object-too-large, which counts the annotations and the last-applied copy together.
    const groups = findAll(synthValid(app).objects, 'CiliumCIDRGroup');
    for (const g of groups) {
      expect(g.metadata.annotations).toEqual(note);
      const lastApplied = Buffer.byteLength('kubectl.kubernetes.io/last-applied-configuration') + Buffer.byteLength(JSON.stringify(g)) + 1;
      expect(lastApplied + Buffer.byteLength('example.com/note') + 100_000).toBeLessThanOrEqual(262_144);
    }
    expect(groups.flatMap((g) => g.spec.externalCIDRs)).toHaveLength(40_000);
  });

  test('CiliumEgressBlock: a metadata label the block sets itself keeps its value; the same value is accepted', () => {
    const { chart } = targetChart(aks('1.17'));
    expect(() => new CiliumEgressBlock(chart, 'A', { name: 'geo', cidrs: BLOCK_LIST, metadata: { labels: { policy: 'other' } } })).toThrow(
      "CiliumEgressBlock 'geo': metadata.labels 'policy' is 'other', which conflicts with 'geo' from the default labels { policy: <name> } (set 'labels' to replace them); set each label once (leave it out of metadata.labels).",
    );
    expect(() => new CiliumEgressBlock(chart, 'B', { name: 'geo2', cidrs: BLOCK_LIST, labels: { team: 'net' }, metadata: { labels: { team: 'sec' } } })).toThrow(
      "CiliumEgressBlock 'geo2': metadata.labels 'team' is 'sec', which conflicts with 'net' from 'labels'; set each label once (leave it out of metadata.labels).",
    );
    expect(new CiliumEgressBlock(chart, 'C', { name: 'geo3', cidrs: BLOCK_LIST, labels: { team: 'net' }, metadata: { labels: { team: 'net' } } }).labels).toEqual({
      team: 'net',
      'netsec.io/egress-block': 'geo3',
    });
  });

  test("CiliumEgressBlock: metadata cannot set the owner label, so the block's selector keeps selecting only its own groups", () => {
    const { chart } = targetChart(aks('1.17'));
    expect(() => new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: BLOCK_LIST, reference: CidrGroupReference.SELECTOR, metadata: { labels: { 'netsec.io/egress-block': 'imds' } } })).toThrow(
      "CiliumEgressBlock 'geo': metadata.labels key 'netsec.io/egress-block' is netsec's own: netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead.",
    );
  });

  test('CiliumCidrGroup: metadata.labels merge with labels; annotations are written; group.metadata is the object metadata', () => {
    const { app, chart } = targetChart(aks('1.17'));
    const group = new CiliumCidrGroup(chart, 'Imds', { name: 'azure-imds', cidrs: ['169.254.169.254'], labels: { 'k8s-app': 'azure-imds' }, metadata: { labels: { 'k8s-app': 'azure-imds', team: 'net' }, annotations: WAVE } });
    group.metadata.addAnnotation('example.com/reviewed', 'yes');
    expect(findOne(synthValid(app).objects, 'CiliumCIDRGroup').metadata).toEqual({
      name: 'azure-imds',
      labels: { 'k8s-app': 'azure-imds', team: 'net' },
      annotations: { ...WAVE, 'example.com/reviewed': 'yes' },
    });
  });

  test('CiliumCidrGroup: a metadata label that conflicts with labels is refused', () => {
    const { chart } = targetChart(aks('1.17'));
    expect(() => new CiliumCidrGroup(chart, 'Imds', { name: 'azure-imds', cidrs: ['169.254.169.254'], labels: { 'k8s-app': 'azure-imds' }, metadata: { labels: { 'k8s-app': 'imds' } } })).toThrow(
      "CiliumCidrGroup 'azure-imds': metadata.labels 'k8s-app' is 'imds', which conflicts with 'azure-imds' from 'labels'; set each label once (leave it out of metadata.labels).",
    );
  });
});

test("CiliumCidrGroup: labels cannot set the egress blocks' owner label (a block selecting by it would deny this group's CIDRs too)", () => {
  const { chart } = targetChart(aks('1.17'));
  expect(() => new CiliumCidrGroup(chart, 'Imds', { name: 'azure-imds', cidrs: ['169.254.169.254'], labels: { 'netsec.io/egress-block': 'geo' } })).toThrow(
    "CiliumCidrGroup 'azure-imds': labels sets 'netsec.io/egress-block', the label by which the CiliumEgressBlock of that name selects its own groups (reference: selector), so this group's CIDRs would be denied with the block's; remove it from labels (a block sets it on the groups it creates).",
  );
});
