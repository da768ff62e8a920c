/**
 * Evaluator scale (issue 11): 10,000 flows judged offline against 1,000 CiliumNetworkPolicies and a clusterwide
 * geo-block whose CiliumCIDRGroup holds 100,000 prefixes. No peer evaluates these semantics offline (np-guard and
 * cyclonus judge Kubernetes NetworkPolicy only), so this is a scale row: time and heap, to see how cost grows.
 * Correctness is checked on the way: a flow to a blocked address must be dropped with POLICY_DENY, one to an allowed
 * pod forwarded.
 */
import { createEvaluator, scenarioFromObject } from '../src/explain/index.js';
import type { BenchContext, BenchModule } from './types.js';

const POLICIES = 1_000;
const PREFIXES = 100_000;
const FLOWS = 10_000;
const NAMESPACES = 20;

/** The i-th blocked /32, spread over 11.0.0.0/8 (distinct, never adjacent to the next one). */
const blocked = (i: number): string => `11.${(i >> 14) & 255}.${(i >> 6) & 255}.${(i & 63) * 4}`;

function input() {
  const objects: Record<string, unknown>[] = [];
  for (let i = 0; i < POLICIES; i++) {
    objects.push({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: `svc-${i}`, namespace: `ns-${i % NAMESPACES}` },
      spec: {
        endpointSelector: { matchLabels: { app: `svc-${i}` } },
        ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': `ns-${((i + 1) % POLICIES) % NAMESPACES}`, app: `svc-${(i + 1) % POLICIES}` } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      },
    });
  }
  objects.push({
    apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'geo' },
    spec: { externalCIDRs: Array.from({ length: PREFIXES }, (_, i) => `${blocked(i)}/32`) },
  });
  objects.push({
    apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'geo' },
    spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'geo' }] }] },
  });
  const pods = Array.from({ length: POLICIES }, (_, i) => ({ name: `svc-${i}`, namespace: `ns-${i % NAMESPACES}`, labels: { app: `svc-${i}` } }));
  const flows = Array.from({ length: FLOWS }, (_, k) => {
    const i = k % POLICIES;
    return k % 2 === 0
      ? { name: `world-${k}`, from: `ns-${i % NAMESPACES}/svc-${i}`, to: { ip: blocked((k * 7919) % PREFIXES) }, port: 443, protocol: 'TCP' }
      : { name: `pod-${k}`, from: `ns-${((i + 1) % POLICIES) % NAMESPACES}/svc-${(i + 1) % POLICIES}`, to: `ns-${i % NAMESPACES}/svc-${i}`, port: 8080, protocol: 'TCP' };
  });
  const scenario = scenarioFromObject({
    target: { kubernetes: '1.30', cilium: '1.17' },
    manifests: [],
    cluster: { namespaces: Array.from({ length: NAMESPACES }, (_, n) => ({ name: `ns-${n}` })), pods },
    flows,
  });
  return { objects, scenario };
}

export const explainBench: BenchModule = {
  name: 'explain',
  description: `Offline evaluator: ${FLOWS.toLocaleString('en-US')} flows against ${POLICIES.toLocaleString('en-US')} Cilium policies and a ${PREFIXES.toLocaleString('en-US')}-prefix CIDR group`,
  async run(ctx: BenchContext): Promise<boolean> {
    const { objects, scenario } = input();
    const start = process.hrtime.bigint();
    const judge = createEvaluator({ objects: objects as never, cluster: scenario.cluster, versions: { kubernetes: '1.30', cilium: '1.17' } });
    const results = scenario.flows.map((f) => judge(f));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    // Peak RSS of this process so far (inputs included): an upper bound of what evaluating costs.
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    const wrong = results.filter((r, k) => (k % 2 === 0 ? !(r.verdict === 'DROPPED' && r.dropReason === 'POLICY_DENY') : r.verdict !== 'FORWARDED'));
    ctx.log(`  ${FLOWS.toLocaleString('en-US')} flows judged in ${seconds.toFixed(3)} s (${((seconds / FLOWS) * 1e6).toFixed(0)} µs a flow), peak RSS ${peakMiB.toFixed(0)} MiB`);
    ctx.record({ what: `explain: ${FLOWS.toLocaleString('en-US')} flows, ${POLICIES.toLocaleString('en-US')} CNPs, ${PREFIXES.toLocaleString('en-US')}-prefix group`, netsec: `${seconds.toFixed(2)} s, peak RSS ${peakMiB.toFixed(0)} MiB`, yardstick: '-', ratio: '-', target: '- (scale row)' });
    if (wrong.length) {
      ctx.log(`  ${wrong.length} flows got an unexpected verdict, e.g. ${JSON.stringify(wrong[0])}`);
      return false;
    }
    ctx.log('  every flow to a blocked address dropped with POLICY_DENY, every allowed pod-to-pod flow forwarded');
    return true;
  },
};
