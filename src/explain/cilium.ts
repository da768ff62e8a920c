// Cilium's released policy semantics (CNP, CCNP; domain-notes §C.1, 1.14-1.19), compiled into the engine's ordered
// entries: one tier and one priority, so a matching deny always wins (deny.rst), allows of every kind form one union,
// and default-deny is a per-direction flag (rule.go, rule_validation.go).

import { RE2JS } from 're2js';
import { Cidr } from '../cidr/cidr.js';
import { CidrSet } from '../cidr/cidr-set.js';
import { toCidrSet } from '../cidr/aggregate.js';
import { FqdnSelector } from '../cilium/fqdn.js';
import { splitLabelKey } from '../cilium/selectors.js';
import { WireSelector, selectorMatches, withoutSource } from '../lint/selectors.js';
import { ClusterIndex, Identity, setContains } from './cluster.js';
import { DirectionPolicy, Entry } from './engine.js';
import { isKubernetesNetworkPolicy, knpRuleMatches, knpSelects, knpTypes } from './knp.js';
import { ClusterPod, ClusterService, FlowProtocol, HttpRequest, RuleRef } from './model.js';

/** A Kubernetes object as read from YAML. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
  readonly specs?: any[];
}

/** `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object: how verdicts name the policy that decided. */
export function refOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/** The direction a policy judges: egress of the sender, ingress of the receiver. */
export type Direction = 'ingress' | 'egress';

/** What one direction of one endpoint sees of a packet. */
export interface CiliumPacket {
  /** The endpoint whose policies judge: the sender for egress, the receiver for ingress. */
  readonly subject: ClusterPod;
  /** The other end as the subject's node sees it. */
  readonly peer: Identity;
  /** The destination port (after Service translation); 0 for ICMP. */
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly icmp?: { readonly type: number };
  /** The pod the packet is addressed to, for named ports. */
  readonly destinationPod?: ClusterPod;
  /** The Service the sender addressed, for `toServices`. */
  readonly service?: ClusterService;
}

/** L7 rules one allow entry attaches to its port. */
export interface L7Rules {
  readonly http?: readonly Record<string, any>[];
  readonly dns?: readonly Record<string, any>[];
}

/** One compiled Cilium rule (one `toPorts` item of one rule, or the whole rule when it has none). */
export interface CiliumEntry extends Entry<CiliumPacket> {
  readonly l7?: L7Rules;
}

/** The entries of one endpoint and direction, and which objects select it. */
export interface CiliumDirectionPolicy extends DirectionPolicy<CiliumPacket, CiliumEntry> {
  /** Objects with a rule that selects the endpoint and has content for this direction. */
  readonly selectedBy: readonly string[];
  /** Fields of the selecting rules this evaluator does not judge (they match nothing), as `Kind/ns/name spec.x[i].field`. */
  readonly notEvaluated: readonly string[];
  /** `policyEnforcementMode: never`: nothing is enforced. */
  readonly enforcementOff: boolean;
  /** The objects that put the endpoint in default-deny for this direction (empty under `policyEnforcementMode: always`). */
  readonly defaultDenyBy: readonly string[];
}

/** Whether a learned name makes a world address match a `toFQDNs` selector (the DNS proxy's view, §C.1.7). */
export type FqdnLearner = (subject: ClusterPod, ip: string, selector: (name: string) => boolean) => boolean;

/** Everything the Cilium compiler needs besides the packet. */
export interface CiliumContext {
  readonly index: ClusterIndex;
  readonly objects: readonly KubeObject[];
  /** The Cilium version line ("1.17"). */
  readonly version: string;
  /** The CiliumCIDRGroups of `objects` (build once per input: aggregating a 100k-prefix group is not free). */
  readonly groups: CidrGroups;
  readonly learnFqdn: FqdnLearner;
}

const POLICY_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);
const ALL_L4 = new Set<FlowProtocol>(['TCP', 'UDP', 'SCTP']);

/** The version line as a comparable number: "1.17" → 1017. */
function versionNumber(line: string): number {
  const [maj, min] = line.split('.').map(Number);
  return (maj ?? 0) * 1000 + (min ?? 0);
}

/** Compiles the Cilium policies that select `subject` in `direction`. Built per endpoint; nothing is kept between calls. */
export function ciliumPolicyFor(ctx: CiliumContext, subject: ClusterPod, direction: Direction): CiliumDirectionPolicy {
  const enforcementOff = ctx.index.cluster.agent.policyEnforcementMode === 'never';
  const entries: CiliumEntry[] = [];
  const selectedBy: string[] = [];
  const notEvaluated: string[] = [];
  const defaultDenyBy: string[] = [];
  let defaultDeny = ctx.index.cluster.agent.policyEnforcementMode === 'always';
  const groups = ctx.groups;
  for (const o of ctx.objects) {
    if (!POLICY_KINDS.has(o.kind)) continue;
    const clusterwide = o.kind === 'CiliumClusterwideNetworkPolicy';
    const rules: [any, string][] = [];
    if (o.spec) rules.push([o.spec, 'spec']);
    (o.specs ?? []).forEach((s, i) => rules.push([s, `specs[${i}]`]));
    for (const [rule, base] of rules) {
      if (!subjectSelected(ctx.index, rule, clusterwide ? undefined : o.metadata.namespace, subject)) continue;
      const allow: any[] = Array.isArray(rule[direction]) ? rule[direction] : [];
      const deny: any[] = Array.isArray(rule[`${direction}Deny`]) ? rule[`${direction}Deny`] : [];
      if (allow.length === 0 && deny.length === 0) continue;
      const ref = refOf(o);
      if (!selectedBy.includes(ref)) selectedBy.push(ref);
      // enableDefaultDeny (1.16+) defaults to true for a direction the rule has content for; the agent forces it to true
      // unless it runs with enable-non-default-deny-policies (rule_validation.go Sanitize).
      const asked = rule.enableDefaultDeny?.[direction];
      const honored = versionNumber(ctx.version) >= 1016 && ctx.index.cluster.agent.enableNonDefaultDenyPolicies;
      if (!(honored && asked === false)) {
        defaultDeny = true;
        if (!defaultDenyBy.includes(ref)) defaultDenyBy.push(ref);
      }
      const policyNs = clusterwide ? undefined : o.metadata.namespace;
      const compile = (list: any[], key: string, action: 'allow' | 'deny') => {
        list.forEach((r, i) => {
          const path = `${base}.${key}[${i}]`;
          const peer = peerMatcher(ctx, groups, r, direction, policyNs, subject, `${ref} ${path}`, notEvaluated);
          const toPorts: any[] = Array.isArray(r.toPorts) ? r.toPorts : [];
          const icmps: any[] | undefined = Array.isArray(r.icmps) ? r.icmps : undefined;
          if (toPorts.length === 0) {
            const l4 = icmps ? (p: CiliumPacket) => icmpMatches(icmps, p) : () => true;
            entries.push({ tier: 0, priority: 0, action, origin: { by: ref, path }, matches: (p) => peer(p) && l4(p) });
            return;
          }
          toPorts.forEach((pr, j) => {
            const ports: any[] = Array.isArray(pr.ports) && pr.ports.length ? pr.ports : [{}];
            const l7 = action === 'allow' && pr.rules && (pr.rules.http || pr.rules.dns) ? { http: pr.rules.http, dns: pr.rules.dns } : undefined;
            entries.push({
              tier: 0, priority: 0, action, l7,
              origin: { by: ref, path: `${path}.toPorts[${j}]` },
              matches: (p) => peer(p) && ports.some((pp) => portMatches(pp, p)),
            });
          });
        });
      };
      compile(deny, `${direction}Deny`, 'deny');
      compile(allow, direction, 'allow');
    }
  }
  // Kubernetes NetworkPolicies are one more source of allow rules: Cilium translates them into the same rule form, so
  // they union with CNP/CCNP allows, isolate the directions they list, and lose to any deny (deny.rst, §C.4).
  for (const o of ctx.objects) {
    if (!isKubernetesNetworkPolicy(o) || !knpSelects(o, subject) || !knpTypes(o).includes(direction)) continue;
    const ref = refOf(o);
    if (!selectedBy.includes(ref)) selectedBy.push(ref);
    if (!defaultDenyBy.includes(ref)) defaultDenyBy.push(ref);
    defaultDeny = true;
    const rules: any[] = Array.isArray(o.spec?.[direction]) ? o.spec[direction] : [];
    rules.forEach((rule, i) => entries.push({
      tier: 0, priority: 0, action: 'allow', origin: { by: ref, path: `spec.${direction}[${i}]` },
      matches: (p) => knpRuleMatches(ctx.index, o, rule, direction, { ip: p.peer.ip, pod: p.peer.kind === 'pod' ? p.peer.pod : undefined }, p, false),
    }));
  }
  if (enforcementOff) return { entries: [], defaultDeny: false, selectedBy, notEvaluated, enforcementOff, defaultDenyBy: [] };
  return { entries, defaultDeny, selectedBy, notEvaluated, enforcementOff, defaultDenyBy };
}

/**
 * CNP: `endpointSelector` and the policy's namespace; CCNP: any pod. `endpointSelector` never selects the host, and a
 * hostNetwork pod is the host (utils.go, rule.go); `nodeSelector` rules are host policies, not judged here.
 */
function subjectSelected(index: ClusterIndex, rule: any, policyNs: string | undefined, pod: ClusterPod): boolean {
  if (pod.hostNetwork || !rule.endpointSelector) return false;
  if (policyNs !== undefined && pod.namespace !== policyNs) return false;
  const sel = rule.endpointSelector as WireSelector;
  if (keysOf(sel).some((k) => splitLabelKey(k).source === 'reserved')) return false;
  return selectorMatches(sel, index.podLabels(pod));
}

function keysOf(sel: WireSelector): string[] {
  return [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * Whether a peer selector (`toEndpoints`/`fromEndpoints`) matches. In a CNP a selector that names no namespace (neither
 * `io.kubernetes.pod.namespace` nor a namespace label) only matches pods of the policy's namespace; in a CCNP it matches
 * pods of every namespace (getEndpointSelector, domain-notes §0 finding 2). `reserved:` keys match reserved identities.
 */
export function peerSelectorMatches(sel: WireSelector, policyNs: string | undefined, peer: Identity): boolean {
  const keys = keysOf(sel);
  if (keys.some((k) => splitLabelKey(k).source === 'reserved')) {
    if (peer.kind === 'pod') return false;
    const labels: Record<string, string> = { [peer.kind]: '' };
    if (peer.apiServer) labels['kube-apiserver'] = '';
    return keys.every((k) => splitLabelKey(k).source === 'reserved') && selectorMatches(sel, labels);
  }
  if (peer.kind !== 'pod') return false;
  const namesNamespace = keys.some((k) => {
    const bare = withoutSource(k);
    return bare === 'io.kubernetes.pod.namespace' || bare.startsWith('io.cilium.k8s.namespace.labels.');
  });
  if (!namesNamespace && policyNs !== undefined && peer.pod.namespace !== policyNs) return false;
  return selectorMatches(sel, peer.labels);
}

/** Entities (entity.go, layer3.rst): which identities each one covers. `init`, `health`, `ingress`, `unmanaged` are not modelled. */
export function entityMatches(entity: string, peer: Identity): boolean {
  switch (entity) {
    case 'all': return true;
    case 'world': return peer.kind === 'world';
    case 'cluster': return peer.kind !== 'world';
    case 'host': return peer.kind === 'host';
    case 'remote-node': return peer.kind === 'remote-node';
    case 'kube-apiserver': return peer.kind !== 'pod' && peer.apiServer;
    default: return false;
  }
}

const L3_KEYS: Record<Direction, readonly string[]> = {
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs', 'toServices', 'toNodes', 'toGroups', 'toRequires'],
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups', 'fromRequires'],
};

/**
 * The L3 part of one rule. A rule with no L3 field selects every peer when it has ports or ICMP fields and nothing at
 * all when it is empty (`egress: [{}]`: Cilium's deny-all, §0 finding 1). An empty list selects nothing (1.16).
 */
function peerMatcher(
  ctx: CiliumContext, groups: CidrGroups, r: any, direction: Direction, policyNs: string | undefined, subject: ClusterPod,
  where: string, notEvaluated: string[],
): (p: CiliumPacket) => boolean {
  const present = L3_KEYS[direction].filter((k) => r[k] !== undefined && r[k] !== null);
  if (present.length === 0) {
    const hasL4 = (Array.isArray(r.toPorts) && r.toPorts.length > 0) || (Array.isArray(r.icmps) && r.icmps.length > 0);
    return () => hasL4;
  }
  const parts: ((p: CiliumPacket) => boolean)[] = [];
  for (const key of present) {
    const list: any[] = Array.isArray(r[key]) ? r[key] : [];
    const field = key.replace(/^(to|from)/, '');
    switch (field) {
      case 'Endpoints':
        parts.push((p) => list.some((sel) => peerSelectorMatches(sel ?? {}, policyNs, p.peer)));
        break;
      case 'Entities':
        parts.push((p) => list.some((e) => entityMatches(String(e), p.peer)));
        break;
      case 'CIDR': {
        const cidrs = list.map((c) => parseCidr(String(c))).filter((c): c is Cidr => c !== undefined);
        parts.push((p) => p.peer.kind === 'world' && inAny(cidrs, p.peer.ip));
        break;
      }
      case 'CIDRSet':
        parts.push((p) => p.peer.kind === 'world' && list.some((c) => cidrRuleMatches(groups, c ?? {}, p.peer.ip)));
        break;
      case 'FQDNs': {
        const sels = list.map((s) => fqdnSelectorOf(s ?? {})).filter((s): s is FqdnSelector => s !== undefined);
        const multilevel = versionNumber(ctx.version) >= 1019;
        const test = (name: string) => sels.some((s) => s.matches(name, { multilevelWildcard: multilevel }));
        // toFQDNs never applies to in-cluster addresses (layer3.rst); an outside address matches once the DNS proxy learned it.
        parts.push((p) => p.peer.kind === 'world' && ctx.learnFqdn(subject, p.peer.ip, test));
        break;
      }
      case 'Services':
        parts.push((p) => p.service !== undefined && list.some((s) => serviceMatches(s ?? {}, p.service!)));
        break;
      case 'Nodes':
        parts.push((p) => (p.peer.kind === 'host' || p.peer.kind === 'remote-node') && p.peer.node !== undefined
          && list.some((sel) => selectorMatches(sel ?? {}, p.peer.kind === 'pod' ? {} : (p.peer as any).node.labels)));
        break;
      default:
        notEvaluated.push(`${where}.${key}`);
    }
  }
  return (p) => parts.some((f) => f(p));
}

function serviceMatches(s: any, svc: ClusterService): boolean {
  if (s.k8sService) return s.k8sService.serviceName === svc.name && (s.k8sService.namespace ?? svc.namespace) === svc.namespace;
  if (s.k8sServiceSelector) {
    return (s.k8sServiceSelector.namespace ?? svc.namespace) === svc.namespace && selectorMatches(s.k8sServiceSelector.selector ?? {}, svc.selector);
  }
  return false;
}

function fqdnSelectorOf(s: any): FqdnSelector | undefined {
  try {
    if (typeof s.matchName === 'string') return FqdnSelector.matchName(s.matchName);
    if (typeof s.matchPattern === 'string') return FqdnSelector.matchPattern(s.matchPattern);
  } catch {
    // An invalid selector is refused by the agent (the lint rules say so); it matches nothing here.
  }
  return undefined;
}

function parseCidr(text: string): Cidr | undefined {
  try {
    return Cidr.parse(text, { lenient: true });
  } catch {
    return undefined;
  }
}

function inAny(cidrs: readonly Cidr[], ip: string): boolean {
  const addr = parseCidr(ip);
  return addr !== undefined && cidrs.some((c) => c.contains(addr));
}

/** CiliumCIDRGroups by name, each aggregated once, when a rule first asks. */
export class CidrGroups {
  private readonly sets = new Map<string, CidrSet>();
  private readonly byName = new Map<string, KubeObject>();

  public constructor(objects: readonly KubeObject[]) {
    for (const o of objects) if (o.kind === 'CiliumCIDRGroup') this.byName.set(o.metadata.name, o);
  }

  /** Names of the groups whose labels a selector matches. */
  public select(sel: WireSelector): string[] {
    return [...this.byName.values()].filter((o) => selectorMatches(sel, o.metadata.labels ?? {})).map((o) => o.metadata.name);
  }

  /** Whether group `name` holds `ip`; a missing group holds nothing (1.16: a ref to no group selects nothing). */
  public contains(name: string, ip: Cidr): boolean {
    let set = this.sets.get(name);
    if (!set) {
      const cidrs: unknown[] = this.byName.get(name)?.spec?.externalCIDRs ?? [];
      const parsed = cidrs.map((c) => parseCidr(String(c))).filter((c): c is Cidr => c !== undefined);
      set = toCidrSet(parsed);
      this.sets.set(name, set);
    }
    return setContains(set, ip);
  }
}

/** One `toCIDRSet` item: `cidr`, `cidrGroupRef` or `cidrGroupSelector`, minus `except`. */
function cidrRuleMatches(groups: CidrGroups, rule: any, ip: string): boolean {
  const addr = parseCidr(ip);
  if (!addr) return false;
  let inside = false;
  if (typeof rule.cidr === 'string') {
    const c = parseCidr(rule.cidr);
    inside = c !== undefined && c.contains(addr);
  } else if (typeof rule.cidrGroupRef === 'string') {
    inside = groups.contains(rule.cidrGroupRef, addr);
  } else if (rule.cidrGroupSelector) {
    inside = groups.select(rule.cidrGroupSelector).some((g) => groups.contains(g, addr));
  }
  if (!inside) return false;
  const except: unknown[] = Array.isArray(rule.except) ? rule.except : [];
  return !except.some((e) => parseCidr(String(e))?.contains(addr));
}

/** One `ports[]` item: protocol (ANY or omitted = TCP, UDP, SCTP), port (0 or omitted = all), endPort, or a named port. */
export function portMatches(pp: any, p: CiliumPacket): boolean {
  if (p.protocol === 'ICMP' || p.protocol === 'ICMPv6') return false;
  const proto = String(pp.protocol ?? 'ANY').toUpperCase();
  if (proto === 'ANY' ? !ALL_L4.has(p.protocol) : proto !== p.protocol) return false;
  const port = pp.port === undefined || pp.port === null ? '0' : String(pp.port);
  if (/^\d+$/.test(port)) {
    const start = Number(port);
    if (start === 0) return true;
    const end = typeof pp.endPort === 'number' && pp.endPort > start ? pp.endPort : start;
    return p.port >= start && p.port <= end;
  }
  // A named port resolves against the destination pod's container ports; with no pod (a CIDR peer) it cannot resolve.
  const named = p.destinationPod?.ports.find((c) => c.name?.toLowerCase() === port.toLowerCase() && c.protocol === p.protocol);
  return named !== undefined && named.containerPort === p.port;
}

const ICMP_TYPES: Record<string, number> = {
  EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, EchoRequest: 8, TimeExceeded: 11, ParameterProblem: 12,
};
const ICMPV6_TYPES: Record<string, number> = {
  DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3, ParameterProblem: 4, EchoRequest: 128, EchoReply: 129,
};

function icmpMatches(icmps: readonly any[], p: CiliumPacket): boolean {
  if (p.protocol !== 'ICMP' && p.protocol !== 'ICMPv6') return false;
  const family = p.protocol === 'ICMP' ? 'IPv4' : 'IPv6';
  return icmps.some((i) => (Array.isArray(i.fields) ? i.fields : []).some((f: any) => {
    if ((f.family ?? 'IPv4') !== family) return false;
    const type = typeof f.type === 'number' ? f.type : /^\d+$/.test(String(f.type)) ? Number(f.type) : (family === 'IPv4' ? ICMP_TYPES : ICMPV6_TYPES)[String(f.type)];
    return type === p.icmp?.type;
  }));
}

/** Whether a request matches one HTTP rule: method, path and host as full RE2 matches; every header present. */
export function httpRuleMatches(rule: Record<string, any>, req: HttpRequest): boolean {
  const full = (pattern: unknown, value: string | undefined) => {
    if (pattern === undefined || pattern === null || pattern === '') return true;
    if (value === undefined) return false;
    try {
      return RE2JS.compile(String(pattern)).matches(value);
    } catch {
      return false;
    }
  };
  if (!full(rule.method, req.method) || !full(rule.path, req.path) || !full(rule.host, req.host)) return false;
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const h of Array.isArray(rule.headers) ? rule.headers : []) {
    const m = /^\s*([^:\s]+)\s*:?\s*(.*)$/.exec(String(h));
    if (!m) return false;
    const value = headers[m[1]!.toLowerCase()];
    if (value === undefined || (m[2] !== '' && value !== m[2])) return false;
  }
  for (const hm of Array.isArray(rule.headerMatches) ? rule.headerMatches : []) {
    // With a mismatch action the proxy logs or rewrites instead of refusing; only plain matches can refuse.
    if (hm.mismatch) continue;
    const value = headers[String(hm.name).toLowerCase()];
    if (value === undefined || (hm.value !== undefined && value !== hm.value)) return false;
  }
  return true;
}

/** Whether a DNS rule list (`rules.dns`) lets a query through the DNS proxy. */
export function dnsRulesAllow(rules: readonly Record<string, any>[], query: string, version: string): boolean {
  const multilevel = versionNumber(version) >= 1019;
  return rules.some((r) => fqdnSelectorOf(r)?.matches(query, { multilevelWildcard: multilevel }) ?? false);
}

/** The JSON-path names of the rules that decided, for an explanation. */
export function refsOf(entries: readonly CiliumEntry[]): RuleRef[] {
  return entries.map((e) => e.origin);
}
