import { Cidr } from '../cidr/cidr.js';
import { NetsecError } from '../core/errors.js';
import { reachesResolver } from '../lint/rules/cilium-dns.js';
import { cidrRuleProblems, unknownEntityMessage } from '../lint/rules/cilium-sanitize.js';
import { constructError } from '../lint/rules/cilium-wire.js';
import { FqdnSelector } from './fqdn.js';
import { EndpointSelector, LabelOperator, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_KEY, POD_NAMESPACE_LABEL } from './selectors.js';
import { DNS_LABEL } from '../core/names.js';
import { requireList, requireRecord, requireString } from '../core/arguments.js';

/** Cilium entities: the CRD enum, identical in 1.16-1.20 (domain-notes §B.5). */
export enum Entity {
  /** Everything. */
  ALL = 'all',
  /** Outside the cluster; the same as 0.0.0.0/0 and ::/0. */
  WORLD = 'world',
  /** Every endpoint of the local cluster, plus host, remote-node, init, ingress and health. */
  CLUSTER = 'cluster',
  /** The local node, including hostNetwork pods on it. */
  HOST = 'host',
  /** Endpoints whose identity is not resolved yet. */
  INIT = 'init',
  /** Cilium's Envoy ingress. */
  INGRESS = 'ingress',
  /** Endpoints Cilium does not manage. */
  UNMANAGED = 'unmanaged',
  /** Other nodes, including their hostNetwork pods. */
  REMOTE_NODE = 'remote-node',
  /** cilium-health endpoints. */
  HEALTH = 'health',
  /** Nothing. */
  NONE = 'none',
  /** The Kubernetes API server, inside or outside the cluster. */
  KUBE_APISERVER = 'kube-apiserver',
}

/** The L3 selector kind of a peer; Cilium refuses a rule that combines two kinds (domain-notes §A.1). */
export enum PeerKind {
  ENDPOINTS = 'Endpoints',
  ENTITIES = 'Entities',
  CIDR_SET = 'CIDRSet',
  FQDNS = 'FQDNs',
}

/** Which namespaces a pod peer selects from. */
export enum NamespaceScope {
  /** One named namespace (the selector carries `k8s:io.kubernetes.pod.namespace`). */
  NAMED = 'named',
  /** The policy's own namespace (a CiliumNetworkPolicy adds it implicitly). */
  POLICY = 'policy',
  /** Every namespace (`k8s:io.kubernetes.pod.namespace Exists`). */
  ALL = 'all',
  /** Namespaces with given labels (`io.cilium.k8s.namespace.labels.<key>`). */
  LABELED = 'labeled',
}

/** What a peer needs to know about the policy it is rendered into. */
export interface PeerContext {
  /** The policy's namespace; undefined for a clusterwide policy. */
  readonly namespace?: string;
  /** e.g. `CiliumNetworkPolicy 'default/web'`. */
  readonly who: string;
}


type PodsPayload = { scope: NamespaceScope; namespace?: string; namespaceLabels?: Record<string, string>; selector: EndpointSelector };
type CidrPayload = { cidr?: string; except?: string[]; cidrGroupRef?: string; cidrGroupSelector?: { matchLabels: Record<string, string> } };

/**
 * One side of a Cilium rule: pods (always with an explicit namespace scope, so that the namespace a selector matches is
 * never implicit), entities, CIDRs or CIDR groups, or DNS names. Each factory names its scope; there is no bare pod
 * selector, because in a namespaced policy a bare selector silently matches only the policy's own namespace.
 */
export class Peer {
  /**
   * Pods in one named namespace.
   * @example Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })
   */
  public static podsInNamespace(namespace: string, pods: Record<string, string> | EndpointSelector = {}): Peer {
    requireString('Peer.podsInNamespace', 'namespace', namespace);
    const selector = toSelector(pods);
    const who = `Peer.podsInNamespace('${namespace}', ${selector})`;
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
      throw new NetsecError('INVALID', `${who}: '${namespace}' is not a namespace name (a DNS-1123 label).`);
    }
    checkNoNamespaceKey(who, selector);
    return new Peer(PeerKind.ENDPOINTS, who, { scope: NamespaceScope.NAMED, namespace, selector });
  }

  /**
   * Pods in the policy's own namespace (only in a CiliumNetworkPolicy).
   * @example Peer.podsInPolicyNamespace({ app: 'reviews' })
   */
  public static podsInPolicyNamespace(pods: Record<string, string> | EndpointSelector = {}): Peer {
    const selector = toSelector(pods);
    const who = `Peer.podsInPolicyNamespace(${selector})`;
    checkNoNamespaceKey(who, selector);
    return new Peer(PeerKind.ENDPOINTS, who, { scope: NamespaceScope.POLICY, selector });
  }

  /**
   * Pods in every namespace.
   * @example Peer.podsInAllNamespaces({ app: 'prometheus' })
   */
  public static podsInAllNamespaces(pods: Record<string, string> | EndpointSelector = {}): Peer {
    const selector = toSelector(pods);
    const who = `Peer.podsInAllNamespaces(${selector})`;
    checkNoNamespaceKey(who, selector);
    return new Peer(PeerKind.ENDPOINTS, who, { scope: NamespaceScope.ALL, selector });
  }

  /**
   * Pods in the namespaces that carry the given namespace labels.
   * @example Peer.podsInNamespacesLabeled({ team: 'payments' }, { app: 'api' })
   */
  public static podsInNamespacesLabeled(namespaceLabels: Record<string, string>, pods: Record<string, string> | EndpointSelector = {}): Peer {
    const selector = toSelector(pods);
    const who = `Peer.podsInNamespacesLabeled(${JSON.stringify(namespaceLabels)}, ${selector})`;
    if (Object.keys(namespaceLabels).length === 0) {
      throw new NetsecError('INVALID', `${who}: give at least one namespace label; for every namespace use allNamespaces: true (Peer.podsInAllNamespaces()).`);
    }
    checkNoNamespaceKey(who, selector);
    // Validates the namespace label keys and values through the selector grammar.
    EndpointSelector.labels(prefixNamespaceLabels(namespaceLabels));
    return new Peer(PeerKind.ENDPOINTS, who, { scope: NamespaceScope.LABELED, namespaceLabels: { ...namespaceLabels }, selector });
  }

  /** @example Peer.entity(Entity.KUBE_APISERVER) */
  public static entity(entity: Entity): Peer {
    const message = unknownEntityMessage(entity);
    if (message) throw constructError(`Peer.entity('${String(entity)}')`, { ruleId: 'cilium/unknown-entity', path: '', message });
    return new Peer(PeerKind.ENTITIES, `Peer.entity('${entity}')`, entity);
  }

  /**
   * Addresses outside the cluster (CIDR rules never match pods or nodes), optionally with holes.
   * @example Peer.cidr('10.0.0.0/8', ['10.96.0.0/12'])
   */
  public static cidr(cidr: string, except: string[] = []): Peer {
    requireList('Peer.cidr', 'except', except);
    const who = `Peer.cidr('${cidr}'${except.length ? `, ${JSON.stringify(except)}` : ''})`;
    const outer = parseCidr(who, cidr);
    for (const e of except) parseCidr(who, e);
    // The lint rule's check of a CIDR rule (cilium/cidr-rule-shape): each except prefix inside the cidr.
    const problem = cidrRuleProblems({ cidr: outer.toString(), except }, { has: () => true })[0];
    if (problem) throw constructError(who, problem);
    return new Peer(PeerKind.CIDR_SET, who, except.length ? { cidr: outer.toString(), except: except.map((e) => parseCidr(who, e).toString()) } : { cidr: outer.toString() });
  }

  /**
   * The CIDRs of a `CiliumCIDRGroup`, by name (egress needs Cilium 1.16; the policy checks the target).
   * @example Peer.cidrGroup('geo-blocked')
   */
  public static cidrGroup(name: string): Peer {
    const who = `Peer.cidrGroup('${name}')`;
    const problem = cidrRuleProblems({ cidrGroupRef: name }, { has: () => true })[0];
    if (problem) throw constructError(who, problem);
    return new Peer(PeerKind.CIDR_SET, who, { cidrGroupRef: name });
  }

  /**
   * The CIDRs of every `CiliumCIDRGroup` carrying these labels (`cidrGroupSelector`, Cilium 1.17+; the policy checks
   * the target). At least one label is required: an empty selector would select every CIDR group in the cluster.
   * @example Peer.cidrGroupSelector({ 'netsec.io/egress-block': 'geo' })
   */
  public static cidrGroupSelector(labels: Record<string, string>): Peer {
    const who = `Peer.cidrGroupSelector(${JSON.stringify(labels)})`;
    if (Object.keys(labels).length === 0) {
      throw new NetsecError('INVALID', `${who}: needs at least one label; an empty cidrGroupSelector selects every CiliumCIDRGroup in the cluster, not only the groups meant.`);
    }
    EndpointSelector.labels(labels); // the same label grammar as any selector
    return new Peer(PeerKind.CIDR_SET, who, { cidrGroupSelector: { matchLabels: { ...labels } } });
  }

  /** The labels a `cidrGroupSelector()` peer selects CIDR groups by. */
  public get cidrGroupLabels(): Readonly<Record<string, string>> | undefined {
    return this.kind === PeerKind.CIDR_SET ? (this.payload as CidrPayload).cidrGroupSelector?.matchLabels : undefined;
  }

  /**
   * One DNS name (`toFQDNs.matchName`), allowed through the IPs the DNS proxy sees in answers. Egress only.
   * @example Peer.fqdn('api.example.com')
   */
  public static fqdn(name: string): Peer {
    const selector = FqdnSelector.matchName(name);
    return new Peer(PeerKind.FQDNS, `Peer.fqdn('${name}')`, selector);
  }

  /**
   * DNS names matching a pattern (`toFQDNs.matchPattern`). Egress only.
   * @example Peer.fqdnPattern('*.example.com')
   */
  public static fqdnPattern(pattern: string): Peer {
    const selector = FqdnSelector.matchPattern(pattern);
    return new Peer(PeerKind.FQDNS, `Peer.fqdnPattern('${pattern}')`, selector);
  }

  /** The L3 selector kind. */
  public readonly kind: PeerKind;
  /** How the peer was made, for messages. */
  public readonly description: string;
  private readonly payload: PodsPayload | Entity | CidrPayload | FqdnSelector;

  private constructor(kind: PeerKind, description: string, payload: PodsPayload | Entity | CidrPayload | FqdnSelector) {
    this.kind = kind;
    this.description = description;
    this.payload = payload;
  }

  /** The FQDN selector of a `fqdn()`/`fqdnPattern()` peer. */
  public get fqdn(): FqdnSelector | undefined {
    return this.kind === PeerKind.FQDNS ? (this.payload as FqdnSelector) : undefined;
  }

  /** The entity of an `entity()` peer. */
  public get entity(): Entity | undefined {
    return this.kind === PeerKind.ENTITIES ? (this.payload as Entity) : undefined;
  }

  /** The CIDR group a `cidrGroup()` peer references. */
  public get cidrGroupRef(): string | undefined {
    return this.kind === PeerKind.CIDR_SET ? (this.payload as CidrPayload).cidrGroupRef : undefined;
  }

  /**
   * Throws when the peer cannot mean what it says in this policy: a policy-namespace peer in a clusterwide policy. (A
   * DNS-pod selector in an application namespace is cilium/cnp-peer-implicit-namespace, checked with the rule.)
   */
  public checkIn(ctx: PeerContext): void {
    if (this.kind !== PeerKind.ENDPOINTS) return;
    const p = this.payload as PodsPayload;
    if (p.scope !== NamespaceScope.POLICY) return;
    if (ctx.namespace === undefined) {
      throw new NetsecError('INVALID', `${ctx.who}: ${this.description} has no namespace to refer to in a clusterwide policy; name one with namespace: NAME (Peer.podsInNamespace(...)) or use allNamespaces: true (Peer.podsInAllNamespaces(...)).`);
    }
  }

  /**
   * Whether the peer selects a pod with these labels in `namespace`, seen from a policy in `policyNamespace`: the DNS
   * lint rules' judgement of a wire peer (cilium/dns-peer-misses-actual-resolver), so both agree.
   */
  public selectsPod(namespace: string, labels: Readonly<Record<string, string>>, policyNamespace: string | undefined): boolean {
    if (this.kind !== PeerKind.ENDPOINTS && this.kind !== PeerKind.ENTITIES) return false;
    if (this.kind === PeerKind.ENDPOINTS && (this.payload as PodsPayload).scope === NamespaceScope.POLICY && policyNamespace !== namespace) return false;
    const entry = { [`to${this.kind}`]: [this._toKube()] };
    return reachesResolver(entry, { kind: 'pods', name: '', namespace, labels }, { clusterwide: policyNamespace === undefined, ...(policyNamespace !== undefined ? { namespace: policyNamespace } : {}) });
  }

  /** @internal the value for the rule's `to<Kind>`/`from<Kind>` list. */
  public _toKube(): unknown {
    switch (this.kind) {
      case PeerKind.ENTITIES:
        return this.payload;
      case PeerKind.FQDNS:
        return (this.payload as FqdnSelector)._toKube();
      case PeerKind.CIDR_SET:
        return { ...(this.payload as CidrPayload) };
      case PeerKind.ENDPOINTS: {
        const p = this.payload as PodsPayload;
        const kube = p.selector._toKube();
        switch (p.scope) {
          case NamespaceScope.NAMED:
            // The namespace first, as in Cilium's examples and the user's own manifests.
            return { ...kube, matchLabels: { [POD_NAMESPACE_KEY]: p.namespace!, ...(kube.matchLabels ?? {}) } };
          case NamespaceScope.LABELED:
            return { ...kube, matchLabels: { ...prefixNamespaceLabels(p.namespaceLabels!), ...(kube.matchLabels ?? {}) } };
          case NamespaceScope.ALL:
            return { ...kube, matchExpressions: [...(kube.matchExpressions ?? []), { key: POD_NAMESPACE_KEY, operator: LabelOperator.EXISTS }] };
          case NamespaceScope.POLICY:
            return kube;
        }
      }
    }
    /* c8 ignore next */
    throw new Error(`unreachable peer kind ${this.kind}`);
  }
}

function toSelector(pods: Record<string, string> | EndpointSelector): EndpointSelector {
  return pods instanceof EndpointSelector ? pods : EndpointSelector.labels(requireRecord('Peer', 'pods', pods) as Record<string, string>);
}

function checkNoNamespaceKey(who: string, selector: EndpointSelector): void {
  if (selector.mentions(POD_NAMESPACE_LABEL)) {
    throw new NetsecError('INVALID', `${who}: give the namespace as namespace: NAME (Peer.podsInNamespace(...)) for one namespace or allNamespaces: true (Peer.podsInAllNamespaces(...)) for all, not as the '${POD_NAMESPACE_LABEL}' label.`);
  }
}

function prefixNamespaceLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`k8s:${NAMESPACE_LABELS_PREFIX}${k}`, v]));
}

function parseCidr(who: string, text: string): Cidr {
  requireString(who, 'cidr', text);
  try {
    return Cidr.parse(text);
  } catch (err) {
    if (err instanceof NetsecError) throw new NetsecError('INVALID', `${who}: ${err.message}`);
    throw err;
  }
}
