import { describe, expect, test } from 'vitest';
import { CalicoApi, CalicoBlockDesign, CalicoEgressBlock, DiagnosticLevel, suppressRules, synthesize } from '../../src/index.js';
import { findAll, findOne, synthValid, targetChart } from '../util.js';

const BLOCK_LIST = ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'];
const calico = (line: string) => ({ name: 'dc', kubernetes: '1.30', calico: line });
const selector = "netsec.io/egress-block == 'egress-traffic-blocking'";
const labels = { policy: 'egress-traffic-blocking', 'netsec.io/egress-block': 'egress-traffic-blocking' };
const NO_CLUSTER_CIDRS = (who: string) =>
  `${who}: target 'dc' names no cluster addresses (cluster.podCidrs, cluster.serviceCidrs, cluster.apiServerCidrs), so netsec could not check that the block list spares the cluster's own pods, Services and API server. Name them in the target.`;

describe('CalicoEgressBlock', () => {
  test('below 3.30 it writes the default-tier design (a GlobalNetworkSet, a blocking and an allow-all GlobalNetworkPolicy), and says what the allow policy overrides', () => {
    const { app, chart } = targetChart(calico('3.28'));
    const block = new CalicoEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: BLOCK_LIST, allowPolicyName: 'egress-traffic-allow' });
    const { objects, diagnostics } = synthValid(app);
    expect(block.design).toBe(CalicoBlockDesign.DEFAULT_TIER);
    expect(findOne(objects, 'GlobalNetworkSet')).toEqual({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'egress-traffic-blocking', labels },
      spec: { nets: BLOCK_LIST },
    });
    expect(findOne(objects, 'GlobalNetworkPolicy', 'egress-traffic-allow')).toEqual({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'egress-traffic-allow', labels: { policy: 'egress-traffic-allow' } },
      spec: { order: 1000, types: ['Egress'], egress: [{ action: 'Allow' }] },
    });
    expect(findOne(objects, 'GlobalNetworkPolicy', 'egress-traffic-blocking')).toEqual({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'egress-traffic-blocking', labels },
      spec: { order: 0, types: ['Egress'], egress: [{ action: 'Log', destination: { selector } }, { action: 'Deny', destination: { selector } }] },
    });
    expect(diagnostics.filter((d) => d.level === DiagnosticLevel.WARNING).map((d) => d.message)).toEqual([
      NO_CLUSTER_CIDRS("CalicoEgressBlock 'egress-traffic-blocking'"),
      "calico/default-tier-allow-overrides-knp: GlobalNetworkPolicy 'egress-traffic-allow' at spec.egress[0]: allows all egress traffic in the default tier: Kubernetes NetworkPolicies are default-tier policies at order 1000 whose isolation is the end-of-tier drop, so this rule allows the egress traffic they would isolate. Calico below 3.30 has no tiers to avoid it; accept it with a suppression that says why, or drop the allow-all policy.",
    ]);
    // crd.projectcalico.org/v1 skips Calico's validator: the construct accepts calico/crd-v1-bypasses-validation with its reason, shown to reviewers.
    expect(diagnostics.filter((d) => d.level === DiagnosticLevel.NOTE && d.message.startsWith('calico/crd-v1-bypasses-validation')).map((d) => d.message)).toEqual(
      ['egress-traffic-allow', 'egress-traffic-blocking'].map(
        (name) => `calico/crd-v1-bypasses-validation suppressed (netsec writes every field explicitly (types, order), and lint re-checks Calico's validator rules on these objects): GlobalNetworkPolicy '${name}' at apiVersion: is crd.projectcalico.org/v1: the API server stores it without Calico's validation and defaulting (types is not filled in), so an invalid rule is silently mis-enforced. Use apiVersion: projectcalico.org/v3, and write types explicitly.`,
      ),
    );
    expect(diagnostics.map((d) => d.message)).toContain(
      "CalicoEgressBlock 'egress-traffic-blocking': Log rules write to the node's kernel log / syslog (prefix calico-packet) on the iptables and nftables dataplanes, not to pod logs; the eBPF dataplane logs to the BPF trace pipe (kernel 5.16+) and supports Log only from Calico 3.29; this target runs Calico 3.28.",
    );
  });

  test('from 3.30 the tiered design is the default: Log, Deny, then Pass in a tier before default', () => {
    const { app, chart } = targetChart(calico('3.30'));
    const block = new CalicoEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: BLOCK_LIST });
    const { objects } = synthValid(app);
    expect(block.design).toBe(CalicoBlockDesign.TIERED);
    expect(findOne(objects, 'Tier')).toEqual({ apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name: 'egress-blocking' }, spec: { order: 100, defaultAction: 'Pass' } });
    const policy = findOne(objects, 'GlobalNetworkPolicy');
    expect(policy.metadata.name).toBe('egress-blocking.egress-traffic-blocking');
    expect(policy.spec).toEqual({
      tier: 'egress-blocking',
      order: 0,
      types: ['Egress'],
      egress: [{ action: 'Log', destination: { selector } }, { action: 'Deny', destination: { selector } }, { action: 'Pass' }],
    });
    expect(findAll(objects, 'GlobalNetworkPolicy')).toHaveLength(1);
  });

  test('two blocks on one target share the tier (each wrote Tier egress-blocking, refused as one object twice); a different order is refused', () => {
    const { app, chart } = targetChart(calico('3.30'));
    const first = new CalicoEgressBlock(chart, 'B1', { name: 'b1', cidrs: ['198.51.100.0/24'] });
    const second = new CalicoEgressBlock(chart, 'B2', { name: 'b2', cidrs: ['203.0.113.0/24'] });
    const { objects } = synthValid(app);
    expect(second.tier).toBe(first.tier);
    expect(findAll(objects, 'Tier')).toEqual([{ apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name: 'egress-blocking' }, spec: { order: 100, defaultAction: 'Pass' } }]);
    expect(findAll(objects, 'GlobalNetworkPolicy').map((p) => [p.metadata.name, p.spec.tier])).toEqual([['egress-blocking.b1', 'egress-blocking'], ['egress-blocking.b2', 'egress-blocking']]);
    expect(() => new CalicoEgressBlock(chart, 'B3', { name: 'b3', cidrs: ['192.0.2.0/24'], tier: { order: 50 } })).toThrow(
      "CalicoEgressBlock 'b3': tier 'egress-blocking' is also the tier of the block written before it, with order 100; blocks that share a tier share its order. Give this block order 100 (calico.tier.order), or a tier of its own (calico.tier.name).",
    );
  });

  test('on 3.30 the default-tier design is refused by calico/default-tier-allow-overrides-knp unless suppressed with a reason', () => {
    const refused = targetChart(calico('3.30'));
    new CalicoEgressBlock(refused.chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, design: CalicoBlockDesign.DEFAULT_TIER });
    expect(synthesize(refused.app).findings.map((f) => [f.ruleId, f.resource.name, f.path, f.message])).toEqual([
      ['calico/default-tier-allow-overrides-knp', 'b-allow', 'spec.egress[0]', "allows all egress traffic in the default tier: Kubernetes NetworkPolicies are default-tier policies at order 1000 whose isolation is the end-of-tier drop, so this rule allows the egress traffic they would isolate. Move the policy that needs it into a tier ordered before default and end that policy with { action: Pass } (CalicoEgressBlock: design: tiered)."],
    ]);
    const { app, chart } = targetChart(calico('3.30'));
    const block = new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, design: CalicoBlockDesign.DEFAULT_TIER });
    suppressRules(block, [{ id: 'calico/default-tier-allow-overrides-knp', reason: 'no Kubernetes NetworkPolicies restrict egress in this cluster' }]);
    const { objects } = synthValid(app);
    expect(findAll(objects, 'GlobalNetworkPolicy').map((p) => p.metadata.name).sort()).toEqual(['b', 'b-allow']);
  });

  test('the tiered design is refused below 3.30', () => {
    const { chart } = targetChart(calico('3.29'));
    expect(() => new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, design: CalicoBlockDesign.TIERED })).toThrow(
      "CalicoEgressBlock 'b': Calico policy tiers (Tier, spec.tier) needs Calico 3.30 or later; target 'dc' runs Calico 3.29.",
    );
  });

  test('native projectcalico.org/v3 on request from 3.32, refused before', () => {
    const { app, chart } = targetChart(calico('3.32'));
    new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, api: CalicoApi.V3 });
    expect(new Set(synthValid(app).objects.map((o) => o.apiVersion))).toEqual(new Set(['projectcalico.org/v3']));
    const old = targetChart(calico('3.31'));
    expect(() => new CalicoEgressBlock(old.chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, api: CalicoApi.V3 })).toThrow(
      "CalicoEgressBlock 'b': native projectcalico.org/v3 CRDs needs Calico 3.32 or later; target 'dc' runs Calico 3.31.",
    );
  });

  test('Log is optional', () => {
    const { app, chart } = targetChart(calico('3.30'));
    new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, log: false });
    expect(findOne(synthValid(app).objects, 'GlobalNetworkPolicy').spec.egress.map((r: { action: string }) => r.action)).toEqual(['Deny', 'Pass']);
  });

  test('a dual-stack list becomes one-family network sets, so no rule mixes families or lists nets inline', () => {
    const { app, chart } = targetChart(calico('3.30'));
    new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: ['192.0.2.0/24', '2001:db8::/32'] });
    const { objects } = synthValid(app);
    const sets = findAll(objects, 'GlobalNetworkSet');
    expect(sets.map((s) => s.spec.nets)).toEqual([['192.0.2.0/24'], ['2001:db8::/32']]);
    expect(sets.map((s) => s.metadata.name)).toEqual(['b-v4-000-000-000-000', 'b-v6-0000-0000-0000-0000-0000-0000-0000-0000']);
    expect(JSON.stringify(findOne(objects, 'GlobalNetworkPolicy'))).not.toContain('"nets"');
  });

  test('an endpoint scope becomes the policies\' selector; without one the unscoped shape (no selector, all()) stays', () => {
    const { app, chart } = targetChart(calico('3.28'));
    new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, endpointSelector: "app == 'legacy'" });
    const policies = findAll(synthValid(app).objects, 'GlobalNetworkPolicy');
    expect(policies.map((p) => [p.metadata.name, p.spec.selector])).toEqual([['b', "app == 'legacy'"], ['b-allow', "app == 'legacy'"]]);
  });

  test('the sets carry an owner label the user cannot set, and the policy selects only by it', () => {
    const { app, chart } = targetChart(calico('3.30'));
    new CalicoEgressBlock(chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, labels: { team: 'sec' } });
    const { objects } = synthValid(app);
    expect(findOne(objects, 'GlobalNetworkSet').metadata.labels).toEqual({ team: 'sec', 'netsec.io/egress-block': 'b' });
    expect(findOne(objects, 'GlobalNetworkPolicy').spec.egress[0].destination).toEqual({ selector: "netsec.io/egress-block == 'b'" });
    const other = targetChart(calico('3.30'));
    expect(() => new CalicoEgressBlock(other.chart, 'Block', { name: 'b', cidrs: BLOCK_LIST, labels: { 'netsec.io/egress-block': 'a' } })).toThrow(
      "CalicoEgressBlock 'b': labels sets 'netsec.io/egress-block', which netsec sets itself to 'b' so the policy selects only this block's sets; remove it from labels.",
    );
  });
});

describe('CalicoEgressBlock metadata (labels and annotations)', () => {
  const WAVE = { 'argocd.argoproj.io/sync-wave': '-1' };
  const withTeam = { ...labels, team: 'net' };

  test('tiered design: on the network sets, the blocking policy and the tier', () => {
    const { app, chart } = targetChart(calico('3.30'));
    new CalicoEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: BLOCK_LIST, metadata: { labels: { team: 'net' }, annotations: WAVE } });
    const { objects } = synthValid(app);
    expect(findOne(objects, 'GlobalNetworkSet').metadata).toEqual({ name: 'egress-traffic-blocking', labels: withTeam, annotations: WAVE });
    expect(findOne(objects, 'GlobalNetworkPolicy').metadata).toEqual({ name: 'egress-blocking.egress-traffic-blocking', labels: withTeam, annotations: WAVE });
    expect(findOne(objects, 'Tier').metadata).toEqual({ name: 'egress-blocking', labels: { team: 'net' }, annotations: WAVE });
  });

  test('default-tier design: on the network sets, the blocking policy and the allow-all policy', () => {
    const { app, chart } = targetChart(calico('3.28'));
    new CalicoEgressBlock(chart, 'Block', { name: 'egress-traffic-blocking', cidrs: BLOCK_LIST, metadata: { labels: { team: 'net' }, annotations: WAVE } });
    const { objects } = synthValid(app);
    expect(findOne(objects, 'GlobalNetworkSet').metadata).toEqual({ name: 'egress-traffic-blocking', labels: withTeam, annotations: WAVE });
    expect(findOne(objects, 'GlobalNetworkPolicy', 'egress-traffic-blocking').metadata).toEqual({ name: 'egress-traffic-blocking', labels: withTeam, annotations: WAVE });
    expect(findOne(objects, 'GlobalNetworkPolicy', 'egress-traffic-blocking-allow').metadata).toEqual({
      name: 'egress-traffic-blocking-allow',
      labels: { policy: 'egress-traffic-blocking-allow', team: 'net' },
      annotations: WAVE,
    });
  });

  test('a metadata label that the allow-all policy sets itself is refused, naming the object', () => {
    const { chart } = targetChart(calico('3.28'));
    expect(() => new CalicoEgressBlock(chart, 'Block', { name: 'geo', cidrs: BLOCK_LIST, labels: { team: 'net' }, metadata: { labels: { policy: 'geo' } } })).toThrow(
      "CalicoEgressBlock 'geo': metadata.labels 'policy' is 'geo', but netsec sets it to 'geo-allow' on GlobalNetworkPolicy geo-allow; leave it out of metadata.labels.",
    );
  });

  test('metadata cannot set the owner label or conflict with the block labels', () => {
    const { chart } = targetChart(calico('3.30'));
    expect(() => new CalicoEgressBlock(chart, 'A', { name: 'geo', cidrs: BLOCK_LIST, metadata: { labels: { 'netsec.io/egress-block': 'other' } } })).toThrow(
      "CalicoEgressBlock 'geo': metadata.labels key 'netsec.io/egress-block' is netsec's own: netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead.",
    );
    expect(() => new CalicoEgressBlock(chart, 'B', { name: 'geo2', cidrs: BLOCK_LIST, metadata: { labels: { policy: 'x' } } })).toThrow(
      "CalicoEgressBlock 'geo2': metadata.labels 'policy' is 'x', which conflicts with 'geo2' from the default labels { policy: <name> } (set 'labels' to replace them); set each label once (leave it out of metadata.labels).",
    );
  });
});
