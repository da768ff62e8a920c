import { ApiObject, JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CidrGroupReference, CiliumCidrGroup, CiliumEgressBlock, NetsecError, TargetProps } from '../../src/index.js';
import { findAll, findOne, synthValid, targetChart } from '../util.js';

const SEED_CIDRS = ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'];
const aks = (cilium: string, extra: Partial<TargetProps> = {}): TargetProps => ({ name: 'aks', kubernetes: '1.30', cilium, ...extra });

/** `n` distinct /24s starting at 11.0.0.0 (never adjacent: every other /24, so they do not merge). */
function spreadPrefixes(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const x = 11 * 2 ** 24 + i * 512;
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.0/24`;
  });
}

describe('CiliumEgressBlock', () => {
  test("reproduces seed 000's CiliumCIDRGroup and CiliumClusterwideNetworkPolicy on Cilium 1.17", () => {
    const { app, chart } = targetChart(aks('1.17'));
    new CiliumEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: SEED_CIDRS });
    const { objects } = synthValid(app);
    expect(findOne(objects, 'CiliumCIDRGroup')).toEqual({
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumCIDRGroup',
      metadata: { name: 'egress-traffic-blocking', labels: { policy: 'egress-traffic-blocking' } },
      spec: { externalCIDRs: ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'] },
    });
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy')).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'egress-traffic-blocking', labels: { policy: 'egress-traffic-blocking' } },
      spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'egress-traffic-blocking' }] }] },
    });
  });

  test('the CIDR group apiVersion flips to cilium.io/v2 at Cilium 1.18', () => {
    for (const [line, apiVersion] of [['1.17', 'cilium.io/v2alpha1'], ['1.18', 'cilium.io/v2']]) {
      const { app, chart } = targetChart(aks(line));
      new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: SEED_CIDRS });
      expect(findOne(synthValid(app).objects, 'CiliumCIDRGroup').apiVersion).toBe(apiVersion);
    }
  });

  test('a large list is sharded under the client-side apply budget and selected by label from 1.17', () => {
    const { app, chart } = targetChart(aks('1.17'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000) });
    const { objects } = synthValid(app);
    const groups = findAll(objects, 'CiliumCIDRGroup');
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(JSON.stringify(g).length).toBeLessThan(262_144);
    expect(groups.flatMap((g) => g.spec.externalCIDRs)).toHaveLength(40_000);
    expect(groups.every((g) => /^geo-v4-\d{3}-\d{3}-\d{3}-\d{3}$/.test(g.metadata.name))).toBe(true);
    expect(block.reference).toBe(CidrGroupReference.SELECTOR);
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy').spec.egressDeny).toEqual([{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { policy: 'geo' } } }] }]);
  });

  test('server-side apply allows bigger shards', () => {
    const count = (applyMode: 'client-side' | 'server-side') => {
      const { chart } = targetChart(aks('1.18', { applyMode: applyMode as never }));
      return new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(40_000) }).groups.length;
    };
    expect(count('server-side')).toBeLessThan(count('client-side'));
  });

  test('Cilium 1.16 lists every group by cidrGroupRef and warns how many identities the CIDRs cost', () => {
    const { app, chart } = targetChart(aks('1.16'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: spreadPrefixes(20_000) });
    const { objects, diagnostics } = synthValid(app);
    expect(block.reference).toBe(CidrGroupReference.REF);
    expect(findOne(objects, 'CiliumClusterwideNetworkPolicy').spec.egressDeny[0].toCIDRSet).toEqual(block.groups.map((g) => ({ cidrGroupRef: g.name })));
    expect(diagnostics.map((d) => d.message)).toEqual([
      "CiliumEgressBlock 'geo': Cilium 1.16 allocates one security identity per CIDR in a CiliumCIDRGroup (one per group only from Cilium 1.17): this block costs 20000 identities.",
    ]);
  });

  test('asking for cidrGroupSelector below 1.17 is refused with the first version that has it', () => {
    const { chart } = targetChart(aks('1.16'));
    expect(() => new CiliumEgressBlock(chart, 'Block', { name: 'geo', cidrs: SEED_CIDRS, reference: CidrGroupReference.SELECTOR })).toThrow(
      "CiliumEgressBlock 'geo': toCIDRSet.cidrGroupSelector needs Cilium 1.17 or later; target 'aks' runs Cilium 1.16.",
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
      return () => new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: SEED_CIDRS, ...props });
    };
    test('an empty list', () => {
      expect(refuse({ cidrs: [] })).toThrow(
        new NetsecError('INVALID', "CiliumEgressBlock 'b' is empty; expected at least one prefix (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it)"),
      );
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
    test('except makes an overlapping list acceptable', () => {
      const { chart } = targetChart(aks('1.18', { cluster: { podCidrs: ['10.244.0.0/16'] } }));
      const block = new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: ['10.0.0.0/8'], except: ['10.244.0.0/16'] });
      expect(block.cidrs.size).toBe(8);
    });
  });

  test('escape hatch: a JSON patch on the policy', () => {
    const { app, chart } = targetChart(aks('1.18'));
    const block = new CiliumEgressBlock(chart, 'Block', { name: 'b', cidrs: SEED_CIDRS });
    ApiObject.of(block.policy).addJsonPatch(JsonPatch.add('/spec/description', 'geo-blocking, ticket SEC-42'));
    expect(findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').spec.description).toBe('geo-blocking, ticket SEC-42');
  });
});

describe('CiliumCidrGroup', () => {
  test("reproduces seed 000's metadata-only azure-imds group", () => {
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
    expect(() => new CiliumCidrGroup(chart, 'G', { name: 'g', cidrs: SEED_CIDRS })).toThrow("CiliumCidrGroup 'g': needs Cilium, but target 'k' names no Cilium version.");
  });
});
