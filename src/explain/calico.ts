// Calico's policy semantics (domain-notes §C.2; Calico docs tier.mdx, tiered-policy.mdx, _rule.mdx, _entityrule.mdx;
// felix rules/endpoints.go, calc/policy_sorter.go), compiled into the engine's ordered entries: tiers by order, policies
// by order then name (omitted order = last), rules in order; Log goes on, Pass leaves the tier, a tier that selects the
// endpoint and decides nothing drops the packet (unless its defaultAction is Pass); with no tier left, the namespace
// profiles allow. Kubernetes NetworkPolicies are default-tier policies at order 1000.

import { Cidr } from '../cidr/cidr.js';
import { CalicoSelector, calicoSelectorMatches, parseCalicoSelector } from '../lint/rules/calico-selector.js';
import type { KubeObject } from './cilium.js';
import { refOf } from './cilium.js';
import { ClusterIndex } from './cluster.js';
import { DirectionPolicy, Entry, EntryAction } from './engine.js';
import { isKubernetesNetworkPolicy, knpRuleMatches, knpSelects, knpTypes } from './knp.js';
import { ClusterPod, FlowProtocol, Labels } from './model.js';
import { own } from '../core/own.js';

/** What one direction of one endpoint sees of a packet. */
export interface CalicoPacket {
  /** The endpoint whose policies judge. */
  readonly local: ClusterPod;
  /** The other end's address, and the pod behind it when it is one. */
  readonly peerIp: string;
  readonly peerPod?: ClusterPod;
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly icmp?: { readonly type: number; readonly code?: number };
  /** The pod the packet is addressed to (named ports). */
  readonly destinationPod?: ClusterPod;
}

/** The compiled policies of one endpoint and direction. */
export interface CalicoDirectionPolicy extends DirectionPolicy<CalicoPacket> {
  readonly selectedBy: readonly string[];
  /** Tier names by the tier numbers entries carry. */
  readonly tierNames: readonly string[];
  /** Parts of rules this evaluator does not judge (they match nothing), as `Kind/name spec.x[i].field`. */
  readonly notEvaluated: readonly string[];
}

interface Tier {
  readonly name: string;
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

/** Calico's built-in tiers (tier.mdx): kube-admin and kube-baseline pass by default; default drops. */
const BUILT_IN_TIERS: readonly Tier[] = [
  { name: 'kube-admin', order: 1_000, defaultAction: 'Pass' },
  { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
  { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' },
];

/** The order Calico gives a Kubernetes NetworkPolicy in the default tier (conversion.go). */
const KNP_ORDER = 1000;

const isCalico = (o: KubeObject) => /(^|\.)projectcalico\.org\//.test(String(o.apiVersion ?? ''));

interface Candidate {
  readonly object: KubeObject;
  readonly tier: string;
  readonly order: number;
  readonly name: string;
  readonly rules: readonly any[];
  readonly knp: boolean;
}

/** Compiles the Calico policies (and Kubernetes NetworkPolicies) that apply to `subject` in `direction`. */
export function calicoPolicyFor(index: ClusterIndex, objects: readonly KubeObject[], subject: ClusterPod, direction: 'ingress' | 'egress'): CalicoDirectionPolicy {
  const tiers = new Map(BUILT_IN_TIERS.map((t) => [t.name, t]));
  for (const o of objects) {
    if (o.kind !== 'Tier' || !isCalico(o)) continue;
    tiers.set(o.metadata.name, { name: o.metadata.name, order: typeof o.spec?.order === 'number' ? o.spec.order : Infinity, defaultAction: o.spec?.defaultAction === 'Pass' ? 'Pass' : 'Deny' });
  }
  const notEvaluated: string[] = [];
  const candidates: Candidate[] = [];
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  for (const o of objects) {
    if (isKubernetesNetworkPolicy(o)) {
      if (knpSelects(o, subject) && knpTypes(o).includes(direction)) {
        candidates.push({ object: o, tier: 'default', order: KNP_ORDER, name: `knp.default.${o.metadata.name}`, rules: Array.isArray(o.spec?.[direction]) ? o.spec[direction] : [], knp: true });
      }
      continue;
    }
    if (!isCalico(o) || (o.kind !== 'GlobalNetworkPolicy' && o.kind !== 'NetworkPolicy')) continue;
    const spec = o.spec ?? {};
    if (!effectiveTypes(spec).includes(type) || !policySelects(index, o, subject)) continue;
    const tier = typeof spec.tier === 'string' && spec.tier ? spec.tier : 'default';
    if (!tiers.has(tier)) {
      notEvaluated.push(`${refOf(o)} spec.tier: the tier '${tier}' has no Tier object; judged as a last tier that drops`);
      tiers.set(tier, { name: tier, order: Infinity, defaultAction: 'Deny' });
    }
    candidates.push({ object: o, tier, order: typeof spec.order === 'number' ? spec.order : Infinity, name: o.metadata.name, rules: Array.isArray(spec[direction]) ? spec[direction] : [], knp: false });
  }
  const tierList = [...tiers.values()].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));
  const tierNumber = new Map(tierList.map((t, i) => [t.name, i]));
  candidates.sort((a, b) => tierNumber.get(a.tier)! - tierNumber.get(b.tier)! || a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entries: Entry<CalicoPacket>[] = [];
  const endOfTierDeny = new Set<number>();
  const sets = networkSets(objects);
  candidates.forEach((cand, p) => {
    const tier = tierNumber.get(cand.tier)!;
    if (tiers.get(cand.tier)!.defaultAction === 'Deny') endOfTierDeny.add(tier);
    const ref = refOf(cand.object);
    cand.rules.forEach((rule, r) => {
      const origin = { by: ref, path: `spec.${direction}[${r}]` };
      const priority = p * 100_000 + r;
      if (cand.knp) {
        entries.push({ tier, priority, action: 'allow', origin, matches: (k) => knpRuleMatches(index, cand.object, rule, direction, { ip: k.peerIp, pod: k.peerPod }, k, true) });
        return;
      }
      const action = String(rule?.action ?? '').toLowerCase() as EntryAction;
      if (!['allow', 'deny', 'pass', 'log'].includes(action)) return;
      for (const field of ['http', 'services']) {
        if (rule?.[field] !== undefined || rule?.destination?.[field] !== undefined || rule?.source?.[field] !== undefined) notEvaluated.push(`${ref} ${origin.path}.${field}`);
      }
      const policyNs = cand.object.kind === 'NetworkPolicy' ? cand.object.metadata.namespace ?? 'default' : undefined;
      entries.push({ tier, priority, action, origin, matches: (k) => ruleMatches(index, sets, rule ?? {}, policyNs, direction, k) });
    });
  });
  return {
    entries,
    defaultDeny: false,
    endOfTierDeny,
    selectedBy: [...new Set(candidates.map((c) => refOf(c.object)))],
    tierNames: tierList.map((t) => t.name),
    notEvaluated,
  };
}

/**
 * The directions a Calico policy applies to: `types` when written, else Calico's default (globalnetworkpolicy.mdx):
 * Egress only with egress rules and no ingress rules, both with both, else Ingress (no rules at all too).
 */
export function effectiveTypes(spec: any): string[] {
  if (Array.isArray(spec.types) && spec.types.length) return spec.types.map(String);
  const ingress = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (ingress && egress) return ['Ingress', 'Egress'];
  return egress ? ['Egress'] : ['Ingress'];
}

function parseSelector(text: unknown): CalicoSelector | undefined {
  if (text === undefined || text === null) return undefined;
  try {
    return parseCalicoSelector(String(text));
  } catch {
    // calico/selector-syntax reports it; the API server refuses the policy, so here it selects nothing.
    return { op: 'not', operand: { op: 'all' } };
  }
}

/** A workload's labels as Calico selectors see them (pod labels plus the projectcalico.org ones). */
function workloadLabels(pod: ClusterPod): Labels {
  return { ...pod.labels, 'projectcalico.org/namespace': pod.namespace, 'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': pod.serviceAccount };
}

function namespaceLabels(index: ClusterIndex, ns: string): Labels {
  return { ...index.namespaceLabels(ns), 'projectcalico.org/name': ns };
}

/** GNP: `selector` over every workload, narrowed by `namespaceSelector`/`serviceAccountSelector`; NP: its namespace. */
function policySelects(index: ClusterIndex, o: KubeObject, pod: ClusterPod): boolean {
  if (pod.hostNetwork) return false;
  const spec = o.spec ?? {};
  if (o.kind === 'NetworkPolicy' && pod.namespace !== (o.metadata.namespace ?? 'default')) return false;
  const sel = parseSelector(spec.selector) ?? { op: 'all' };
  if (!calicoSelectorMatches(sel, workloadLabels(pod))) return false;
  const nsSel = o.kind === 'GlobalNetworkPolicy' ? parseSelector(spec.namespaceSelector) : undefined;
  if (nsSel && !calicoSelectorMatches(nsSel, namespaceLabels(index, pod.namespace))) return false;
  const saSel = parseSelector(spec.serviceAccountSelector);
  return !saSel || calicoSelectorMatches(saSel, { 'projectcalico.org/name': pod.serviceAccount });
}

interface NetworkSet {
  readonly namespace?: string;
  readonly labels: Labels;
  readonly nets: readonly Cidr[];
}

function networkSets(objects: readonly KubeObject[]): NetworkSet[] {
  return objects
    .filter((o) => isCalico(o) && (o.kind === 'GlobalNetworkSet' || o.kind === 'NetworkSet'))
    .map((o) => ({
      namespace: o.kind === 'NetworkSet' ? o.metadata.namespace ?? 'default' : undefined,
      labels: o.metadata.labels ?? {},
      nets: (Array.isArray(o.spec?.nets) ? o.spec.nets : []).map((n: unknown) => parseCidr(String(n))).filter((c: Cidr | undefined): c is Cidr => c !== undefined),
    }));
}

function parseCidr(text: string): Cidr | undefined {
  try {
    return Cidr.parse(text, { lenient: true });
  } catch {
    return undefined;
  }
}

const PROTOCOL_NUMBERS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58, SCTP: 132, UDPLITE: 136 };

function protocolIs(rule: unknown, p: FlowProtocol): boolean {
  const want = typeof rule === 'number' ? rule : own(PROTOCOL_NUMBERS, String(rule).toUpperCase());
  return want === own(PROTOCOL_NUMBERS, p.toUpperCase());
}

/** All criteria of a rule AND together; an absent criterion matches anything (_rule.mdx). */
function ruleMatches(index: ClusterIndex, sets: readonly NetworkSet[], rule: any, policyNs: string | undefined, direction: 'ingress' | 'egress', k: CalicoPacket): boolean {
  if (rule.protocol !== undefined && !protocolIs(rule.protocol, k.protocol)) return false;
  if (rule.notProtocol !== undefined && protocolIs(rule.notProtocol, k.protocol)) return false;
  if (rule.ipVersion !== undefined && rule.ipVersion !== (k.peerIp.includes(':') ? 6 : 4)) return false;
  if (rule.icmp && !icmpIs(rule.icmp, k)) return false;
  if (rule.notICMP && icmpIs(rule.notICMP, k)) return false;
  const local = { ip: k.local.ip, pod: k.local };
  const peer = { ip: k.peerIp, pod: k.peerPod };
  const [source, destination] = direction === 'egress' ? [local, peer] : [peer, local];
  return entityMatches(index, sets, rule.source, source, policyNs, k, false) && entityMatches(index, sets, rule.destination, destination, policyNs, k, true);
}

function icmpIs(icmp: any, k: CalicoPacket): boolean {
  if (k.protocol !== 'ICMP' && k.protocol !== 'ICMPv6') return false;
  return (icmp.type === undefined || icmp.type === k.icmp?.type) && (icmp.code === undefined || icmp.code === (k.icmp?.code ?? 0));
}

/** One side of a rule (_entityrule.mdx): nets, notNets, selector, notSelector, namespaceSelector, ports, notPorts, serviceAccounts. */
function entityMatches(
  index: ClusterIndex, sets: readonly NetworkSet[], er: any, end: { ip: string; pod?: ClusterPod }, policyNs: string | undefined,
  k: CalicoPacket, isDestination: boolean,
): boolean {
  if (!er) return true;
  const addr = parseCidr(end.ip);
  const nets: unknown[] | undefined = Array.isArray(er.nets) ? er.nets : undefined;
  if (nets && !nets.some((n) => addr && parseCidr(String(n))?.contains(addr))) return false;
  const notNets: unknown[] = Array.isArray(er.notNets) ? er.notNets : [];
  if (notNets.some((n) => addr && parseCidr(String(n))?.contains(addr))) return false;
  const nsSel = parseSelector(er.namespaceSelector);
  const sel = parseSelector(er.selector) ?? (nsSel ? { op: 'all' as const } : undefined);
  if (sel && !selectedBy(index, sets, sel, nsSel, policyNs, end, addr)) return false;
  const notSel = parseSelector(er.notSelector);
  if (notSel && selectedBy(index, sets, notSel, nsSel, policyNs, end, addr)) return false;
  if (er.serviceAccounts) {
    if (!end.pod) return false;
    const names: unknown[] = Array.isArray(er.serviceAccounts.names) ? er.serviceAccounts.names : [];
    if (names.length && !names.includes(end.pod.serviceAccount)) return false;
    const saSel = parseSelector(er.serviceAccounts.selector);
    if (saSel && !calicoSelectorMatches(saSel, { 'projectcalico.org/name': end.pod.serviceAccount })) return false;
  }
  if (er.services) return false;
  // Source ports are ephemeral and not part of a flow here: a rule on them matches nothing.
  const ports: unknown[] | undefined = Array.isArray(er.ports) ? er.ports : undefined;
  if (ports && (!isDestination || !ports.some((p) => portIs(p, k)))) return false;
  const notPorts: unknown[] = Array.isArray(er.notPorts) ? er.notPorts : [];
  if (isDestination && notPorts.some((p) => portIs(p, k))) return false;
  return true;
}

/**
 * Whether a selector (with its namespace scope) selects an address: a workload whose labels match, or a network set
 * holding it (a GlobalNetworkSet in a global policy or under `global()`, a NetworkSet of the scoped namespaces).
 */
function selectedBy(
  index: ClusterIndex, sets: readonly NetworkSet[], sel: CalicoSelector, nsSel: CalicoSelector | undefined, policyNs: string | undefined,
  end: { ip: string; pod?: ClusterPod }, addr: Cidr | undefined,
): boolean {
  const nsOk = (ns: string | undefined): boolean => {
    // `global()` is the scope of non-namespaced sets only; any other namespaceSelector picks namespaces.
    if (nsSel) return ns === undefined ? nsSel.op === 'global' : calicoSelectorMatches(nsSel, namespaceLabels(index, ns));
    return policyNs === undefined ? true : ns === policyNs;
  };
  if (end.pod && !end.pod.hostNetwork && nsOk(end.pod.namespace) && calicoSelectorMatches(sel, workloadLabels(end.pod))) return true;
  if (!addr) return false;
  return sets.some((s) => nsOk(s.namespace) && calicoSelectorMatches(sel, s.labels, s.namespace === undefined) && s.nets.some((n) => n.contains(addr)));
}

/** A port item: a number, `"min:max"`, or a named port of the destination pod. */
function portIs(p: unknown, k: CalicoPacket): boolean {
  if (k.protocol === 'ICMP' || k.protocol === 'ICMPv6') return false;
  if (typeof p === 'number') return p === k.port;
  const text = String(p);
  const range = /^(\d+):(\d+)$/.exec(text);
  if (range) return k.port >= Number(range[1]) && k.port <= Number(range[2]);
  if (/^\d+$/.test(text)) return Number(text) === k.port;
  const named = k.destinationPod?.ports.find((c) => c.name === text && c.protocol === k.protocol);
  return named !== undefined && named.containerPort === k.port;
}
