import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { addWarning } from '../core/diagnostics.js';
import { NetsecError } from '../core/errors.js';
import { Cidr } from '../cidr/cidr.js';
import { Feature } from '../core/features.js';
import { HelmValues } from '../core/helm-values.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { suppressRules } from '../lint/suppressions.js';
import { DnsResolver, dnsPathExplanation, dnsResolversOf } from '../dns/cluster-dns.js';
import { FqdnSelector, dnsSelectorsCovering } from './fqdn.js';
import { HttpRule } from './http.js';
import { Entity, Peer, PeerKind } from './peers.js';
import { Port, Protocol } from './ports.js';
import { EndpointSelector } from './selectors.js';

/** What happens to traffic of one direction that no rule of the policy allows. */
export enum PolicyDefault {
  /**
   * Cilium decides: as soon as the policy has a rule for the direction (allow or deny), the selected pods drop
   * everything no policy allows; without such a rule the direction is left alone.
   */
  UNCHANGED = 'unchanged',
  /**
   * Drop everything no rule allows. With no allow rule this renders `egress: [{}]` (or `ingress: [{}]`), which in
   * Cilium means "deny all": the opposite of a Kubernetes NetworkPolicy's `egress: [{}]`.
   */
  DENY = 'deny',
  /**
   * Do not switch the pods to default-deny (`enableDefaultDeny: false`, Cilium 1.16+): the policy's deny rules
   * drop what they match and everything else keeps flowing. The shape of an egress block list.
   */
  ALLOW = 'allow',
}

/** How a policy keeps DNS working when it needs DNS: pods in egress default-deny, or `toFQDNs` peers. */
export enum DnsAccess {
  /** netsec adds the DNS allow rule, to the resolvers the cluster really uses, with a DNS L7 rule (recommended). */
  AUTO = 'auto',
  /** The policy's own rules allow DNS; synthesis fails, saying what will break, if they miss a resolver or an FQDN. */
  MANUAL = 'manual',
  /** The pods get no DNS at all (a deliberate deny-all). `toFQDNs` is refused; the output header warns. */
  NONE = 'none',
}

/** Which DNS queries the automatic DNS rule lets through Cilium's DNS proxy. */
export enum DnsPatterns {
  /** Every query (`matchPattern: "*"`), as Cilium's examples and most manifests do: full DNS visibility, nothing refused. */
  ALL = 'all',
  /**
   * Only the names of the policy's `toFQDNs` and their cluster search-list expansions; other queries are REFUSED.
   * Without `toFQDNs` the rule allows port 53 without a DNS L7 rule.
   */
  FQDNS = 'fqdns',
}

/** Properties shared by `CiliumNetworkPolicy` and `CiliumClusterwideNetworkPolicy`. */
export interface CiliumPolicyBaseProps {
  /** `metadata.name`; a DNS-1123 subdomain. @default - the construct id in kebab case ('SecureWorkload' → 'secure-workload') */
  readonly name?: string;
  /** `spec.description`, free text. @default - none */
  readonly description?: string;
  /** The pods the policy applies to. @default EndpointSelector.all() */
  readonly endpointSelector?: EndpointSelector;
  /**
   * What happens to egress no rule allows.
   * @default PolicyDefault.UNCHANGED
   * @see https://docs.cilium.io/en/stable/security/policy/language/#deny-all-egress
   */
  readonly egressDefault?: PolicyDefault;
  /** What happens to ingress no rule allows. @default PolicyDefault.UNCHANGED */
  readonly ingressDefault?: PolicyDefault;
  /**
   * How DNS keeps working when the policy puts pods in egress default-deny or uses `toFQDNs`.
   * @default DnsAccess.AUTO
   */
  readonly dns?: DnsAccess;
  /** Which queries the automatic DNS rule lets through. @default DnsPatterns.ALL */
  readonly dnsPatterns?: DnsPatterns;
}

/** Properties of an egress rule (`allowEgress`, `denyEgress`). */
export interface EgressRuleOptions {
  /** Destinations, all of one kind (pods, entities, CIDRs or FQDNs). @default - every destination (a port-only rule) */
  readonly to?: Peer[];
  /** Ports; at most 40. @default - every port */
  readonly ports?: Port[];
  /** L7 HTTP rules; every port must be TCP. Allow rules only. @default - no HTTP filtering */
  readonly http?: HttpRule[];
  /** L7 DNS rules (which queries the DNS proxy lets through); port 53, no ranges. Allow rules only. @default - none */
  readonly dns?: FqdnSelector[];
}

/** Properties of an ingress rule (`allowIngress`, `denyIngress`). */
export interface IngressRuleOptions {
  /** Sources, all of one kind (pods, entities or CIDRs). @default - every source (a port-only rule) */
  readonly from?: Peer[];
  /** Ports; at most 40. @default - every port */
  readonly ports?: Port[];
  /** L7 HTTP rules; every port must be TCP. Allow rules only. @default - no HTTP filtering */
  readonly http?: HttpRule[];
}

type Direction = 'egress' | 'ingress';

interface RuleModel {
  readonly direction: Direction;
  readonly deny: boolean;
  readonly peers: readonly Peer[];
  readonly ports: readonly Port[];
  readonly http: readonly HttpRule[];
  readonly dns: readonly FqdnSelector[];
}

/** domain-notes §B.4: `maxPorts = 40` in rule_validation.go. */
const MAX_PORTS = 40;
/** The L1 (generated) property name of each peer kind; the wire names are `toFQDNs`, `toCIDRSet`, ... */
const L1_PEER_KEY: Record<PeerKind, string> = {
  [PeerKind.ENDPOINTS]: 'Endpoints',
  [PeerKind.ENTITIES]: 'Entities',
  [PeerKind.CIDR_SET]: 'CidrSet',
  [PeerKind.FQDNS]: 'FqdNs',
};
const DNS_PORTS = [Port.udp(53), Port.tcp(53)];
/** The same for every policy, so the merged cilium-values.yaml header says it once. */
const NON_DEFAULT_DENY_REASON =
  'enableNonDefaultDenyPolicies: policies here set enableDefaultDeny to false (PolicyDefault.ALLOW, the shape of an egress block list) so that they drop only what they deny. With the agent flag off, Cilium ignores that field and forces default-deny: the pods they select lose all traffic no rule allows, and a cluster-wide block list becomes a cluster-wide egress outage. The chart default is true; this pins it.';
const DNS_PROTOCOLS = [Protocol.UDP, Protocol.TCP] as const;

/**
 * What `CiliumNetworkPolicy` and `CiliumClusterwideNetworkPolicy` share: typed allow and deny rules checked the way
 * Cilium's agent checks them (`Rule.Sanitize()`: the API server accepts rules the agent then refuses, and the policy
 * is silently absent), default-deny made explicit, and DNS rules that follow the cluster's DNS path.
 */
export abstract class CiliumPolicyBase extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** The pods the policy applies to. */
  public readonly endpointSelector: EndpointSelector;
  /** `spec.description`. */
  public readonly description?: string;
  /** What happens to egress no rule allows. */
  public readonly egressDefault: PolicyDefault;
  /** What happens to ingress no rule allows. */
  public readonly ingressDefault: PolicyDefault;
  /** How DNS keeps working. */
  public readonly dns: DnsAccess;
  /** Which queries the automatic DNS rule lets through. */
  public readonly dnsPatterns: DnsPatterns;
  /** The policy's namespace; undefined for a clusterwide policy. */
  public readonly policyNamespace?: string;
  /** e.g. `CiliumNetworkPolicy 'default/web'`; names the policy in every message. */
  public readonly who: string;
  /**
   * The Cilium Helm values the policy depends on: `enableNonDefaultDenyPolicies: true` when it relies on
   * `enableDefaultDeny: false` (PolicyDefault.ALLOW) on Cilium 1.17+; undefined otherwise.
   */
  public readonly helmValues?: HelmValues;
  /** The generated L1 object (`ApiObject.of(policy)` finds it too). */
  protected abstract readonly apiObject: ApiObject;
  private readonly rules: RuleModel[] = [];
  private readonly warned = new Set<string>();

  protected constructor(scope: Construct, id: string, props: CiliumPolicyBaseProps, kind: string, namespace: string | undefined) {
    super(scope, id);
    this.name = props.name ?? kebab(id);
    this.policyNamespace = namespace;
    this.who = `${kind} '${namespace === undefined ? '' : `${namespace}/`}${this.name}'`;
    this.description = props.description;
    this.endpointSelector = props.endpointSelector ?? EndpointSelector.all();
    this.egressDefault = props.egressDefault ?? PolicyDefault.UNCHANGED;
    this.ingressDefault = props.ingressDefault ?? PolicyDefault.UNCHANGED;
    this.dns = props.dns ?? DnsAccess.AUTO;
    this.dnsPatterns = props.dnsPatterns ?? DnsPatterns.ALL;
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, this.who);
    if (this.egressDefault === PolicyDefault.ALLOW || this.ingressDefault === PolicyDefault.ALLOW) {
      target.require(Feature.CILIUM_ENABLE_DEFAULT_DENY, `${this.who}: PolicyDefault.ALLOW`);
      // From 1.17 the agent honors enableDefaultDeny: false only with this flag on; off, it forces default-deny
      // (rule_validation.go Sanitize) and the policy drops everything it does not allow. The chart default is true,
      // but a cluster may have turned it off: pin it where the output depends on it.
      if (target.has(Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG)) {
        this.helmValues = new HelmValues(this, 'CiliumValues', { release: 'cilium', values: { enableNonDefaultDenyPolicies: true }, reason: NON_DEFAULT_DENY_REASON });
      }
    }
    this.node.addValidation({ validate: () => this.validatePolicy() });
    if (this.egressDefault === PolicyDefault.DENY || this.ingressDefault === PolicyDefault.DENY) {
      // Without allow rules PolicyDefault.DENY renders `egress: [{}]`, Cilium's own deny-all idiom: the finding of
      // cilium/egress-empty-rule-denies-all (meant for NetworkPolicy habits in hand-written YAML) is what was asked for.
      suppressRules(this, [{ id: 'cilium/egress-empty-rule-denies-all', reason: 'PolicyDefault.DENY asks for deny-all, which Cilium writes as an empty rule' }]);
    }
    this.refreshWarnings();
  }

  /**
   * Allows egress to `to` on `ports` (with optional HTTP or DNS L7 rules).
   * @example policy.allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] })
   */
  public allowEgress(options: EgressRuleOptions): this {
    this.addRule('egress', false, options.to, options.ports, options.http, options.dns);
    return this;
  }

  /**
   * Denies egress to `to` on `ports`; deny wins over every allow. No L7 rules and no FQDNs (Cilium has neither in deny rules).
   * @example policy.denyEgress({ to: [Peer.cidrGroup('geo-blocked')] })
   */
  public denyEgress(options: EgressRuleOptions): this {
    this.addRule('egress', true, options.to, options.ports, options.http, options.dns);
    return this;
  }

  /**
   * Allows ingress from `from` on `ports` (with optional HTTP rules).
   * @example policy.allowIngress({ from: [Peer.podsInPolicyNamespace({ org: 'client-pod' })], ports: [Port.tcp(80)], http: [HttpRule.get('/discount')] })
   */
  public allowIngress(options: IngressRuleOptions): this {
    this.addRule('ingress', false, options.from, options.ports, options.http, undefined);
    return this;
  }

  /** Denies ingress from `from` on `ports`; no L7 rules. */
  public denyIngress(options: IngressRuleOptions): this {
    this.addRule('ingress', true, options.from, options.ports, options.http, undefined);
    return this;
  }

  /** The `toFQDNs` selectors of every allow rule, in rule order. */
  public get fqdns(): FqdnSelector[] {
    return this.rules.flatMap((r) => r.peers.map((p) => p.fqdn).filter((f): f is FqdnSelector => f !== undefined));
  }

  /** Whether the selected pods drop egress that no rule allows (Cilium's default-deny), given the rules so far. */
  public get egressDefaultDeny(): boolean {
    return this.defaultDenies('egress');
  }

  /** Whether the policy needs a DNS path (egress default-deny or `toFQDNs`). */
  public get needsDns(): boolean {
    return this.egressDefaultDeny || this.fqdns.length > 0;
  }

  /**
   * The DNS allow rules netsec adds (DnsAccess.AUTO and a DNS need), as egress rule models: one to the resolver pods
   * and, when a link-local cache answers on the node, one to entity host and one to the cache's addresses (Cilium
   * refuses two L3 selector kinds in one rule). Empty without a DNS need.
   */
  private autoDnsRules(): RuleModel[] {
    if (this.dns !== DnsAccess.AUTO || !this.needsDns) return [];
    const resolvers = dnsResolversOf(this);
    let dns: FqdnSelector[] = [FqdnSelector.matchPattern('*')];
    if (this.dnsPatterns === DnsPatterns.FQDNS) {
      const target = Target.of(this);
      dns = dnsSelectorsCovering(this.fqdns, {
        searchDomain: target.cluster.clusterDomain ?? 'cluster.local',
        multilevelWildcard: target.has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD),
      });
    }
    const peerLists = [
      resolvers.flatMap((r) => (r.kind === 'pods' ? [Peer.podsInNamespace(r.namespace, prefixK8s(r.labels))] : [])),
      resolvers.some((r) => r.kind === 'host') ? [Peer.entity(Entity.HOST)] : [],
      resolvers.flatMap((r) => (r.kind === 'host' ? r.addresses.map((a) => Peer.cidr(a)) : [])),
    ];
    return peerLists.filter((peers) => peers.length > 0).map((peers) => ({ direction: 'egress', deny: false, peers, ports: DNS_PORTS, http: [], dns }));
  }

  private defaultDenies(direction: Direction): boolean {
    const mode = direction === 'egress' ? this.egressDefault : this.ingressDefault;
    if (mode === PolicyDefault.DENY) return true;
    if (mode === PolicyDefault.ALLOW) return false;
    return this.rules.some((r) => r.direction === direction);
  }

  private addRule(direction: Direction, deny: boolean, peers: Peer[] | undefined, ports: Port[] | undefined, http: HttpRule[] | undefined, dns: FqdnSelector[] | undefined): void {
    const list = `${direction}${deny ? 'Deny' : ''}`;
    const where = `${this.who}: ${list}[${this.rules.filter((r) => r.direction === direction && r.deny === deny).length}]`;
    const peerField = direction === 'egress' ? 'to' : 'from';
    if (peers !== undefined && peers.length === 0) {
      throw new NetsecError('INVALID', `${where}: '${peerField}' is an empty list, which Cilium (1.16+) reads as "no peer": the rule matches nothing. Leave '${peerField}' out to match every peer on the rule's ports.`);
    }
    const p = peers ?? [];
    const pt = ports ?? [];
    const h = http ?? [];
    const d = dns ?? [];
    if (p.length === 0 && pt.length === 0) {
      throw new NetsecError('INVALID', `${where} has no peers and no ports. In Cilium an empty rule matches nothing and only switches the pods to default-deny; it is not "allow all" as in a Kubernetes NetworkPolicy. For allow-all use Peer.entity(Entity.ALL); for deny-all set ${direction}Default: PolicyDefault.DENY.`);
    }
    const kinds = [...new Set(p.map((x) => x.kind))];
    if (kinds.length > 1) {
      const prefix = direction === 'egress' ? 'to' : 'from';
      throw new NetsecError('INVALID', `${where} mixes L3 selector kinds ${kinds.map((k) => `${prefix}${k}`).join(' and ')}; Cilium's agent refuses such a rule ("combining ... is not supported yet") and the policy would be silently absent. Use one rule per kind.`);
    }
    if (deny) {
      if (h.length || d.length) {
        throw new NetsecError('INVALID', `${where}: deny rules cannot carry L7 rules ('${h.length ? 'http' : 'dns'}'); Cilium's deny port rule has only ports, the API server prunes the rest, and what remains still switches the pods to default-deny. Use an allow rule with L7 rules instead.`);
      }
      if (kinds[0] === PeerKind.FQDNS) {
        throw new NetsecError('INVALID', `${where}: deny rules cannot use toFQDNs (Cilium has no FQDN deny). Deny the addresses with Peer.cidr(...) or Peer.cidrGroup(...), or allow only the names you want.`);
      }
    }
    if (direction === 'ingress' && kinds[0] === PeerKind.FQDNS) {
      throw new NetsecError('INVALID', `${where}: FQDN peers exist only for egress; Cilium has no fromFQDNs.`);
    }
    if (pt.length > MAX_PORTS) {
      throw new NetsecError('INVALID', `${where} has ${pt.length} ports; Cilium accepts at most ${MAX_PORTS} per port rule (the API server refuses more from 1.16 on). Split the ports over several rules.`);
    }
    if (h.length && d.length) {
      throw new NetsecError('INVALID', `${where} has both HTTP and DNS rules; a port rule carries one L7 protocol. Use two rules.`);
    }
    if (h.length) {
      if (pt.length === 0) {
        throw new NetsecError('INVALID', `${where}: HTTP rules need at least one TCP port; a rule without ports means port 0, which Cilium refuses for L7 rules.`);
      }
      const bad = pt.find((x) => x.protocol !== Protocol.TCP);
      if (bad) {
        throw new NetsecError('INVALID', `${where}: HTTP rules need protocol TCP on every port, but ${bad} is ${bad.protocol}; Cilium's agent refuses it ("L7 rules can only apply to TCP (not ANY) except for DNS rules"). Use Port.tcp(${bad.port}).`);
      }
    }
    if (d.length) {
      if (pt.length === 0) throw new NetsecError('INVALID', `${where}: DNS rules need a port (53); Cilium refuses them without one ("port 53 must be specified for DNS rules").`);
      const bad = pt.find((x) => x.endPort !== undefined || x.protocol === Protocol.SCTP);
      if (bad) throw new NetsecError('INVALID', `${where}: DNS rules need single ports with protocol UDP, TCP or ANY (got ${bad}).`);
    }
    const target = Target.of(this);
    for (const sel of [...p.map((x) => x.fqdn), ...d]) {
      if (sel?.usesMultilevelWildcard) target.require(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD, `${where}: ${sel}`);
    }
    if (direction === 'egress' && p.some((x) => x.cidrGroupRef !== undefined)) {
      target.require(Feature.CILIUM_EGRESS_CIDR_GROUP_REF, `${where}: ${p.find((x) => x.cidrGroupRef)!.description}`);
    }
    if (p.some((x) => x.cidrGroupLabels !== undefined)) {
      target.require(Feature.CILIUM_CIDR_GROUP_SELECTOR, `${where}: ${p.find((x) => x.cidrGroupLabels)!.description}`);
    }
    for (const x of p) x.checkIn({ namespace: this.policyNamespace, who: where });
    this.rules.push({ direction, deny, peers: [...p], ports: [...pt], http: [...h], dns: [...d] });
    this.refreshWarnings();
  }

  /**
   * Adds the warnings the rules so far call for, each once. Called after every change, so the warnings are in place
   * whatever order synthesis collects diagnostics in.
   */
  private refreshWarnings(): void {
    const warn = (message: string): void => {
      if (this.warned.has(message)) return;
      this.warned.add(message);
      addWarning(this, message);
    };
    if (this.dns === DnsAccess.NONE && this.egressDefaultDeny && this.fqdns.length === 0) {
      warn(`${this.who} puts its pods in egress default-deny with dns: DnsAccess.NONE; their DNS lookups time out (intended for a deny-all).`);
    }
  }

  private validatePolicy(): string[] {
    const errors: string[] = [];
    const hasAny = this.rules.length > 0 || this.egressDefault === PolicyDefault.DENY || this.ingressDefault === PolicyDefault.DENY;
    if (!hasAny) {
      errors.push(`${this.who} has no rules; Cilium refuses a policy without ingress, ingressDeny, egress or egressDeny. Add a rule, or set egressDefault or ingressDefault to PolicyDefault.DENY.`);
    }
    for (const direction of ['egress', 'ingress'] as const) {
      const mode = direction === 'egress' ? this.egressDefault : this.ingressDefault;
      const mine = this.rules.filter((r) => r.direction === direction);
      if (mode === PolicyDefault.UNCHANGED && mine.length > 0 && mine.every((r) => r.deny)) {
        errors.push(`${this.who} has only ${direction}Deny rules, which still switch every selected pod to ${direction} default-deny: all other ${direction} is dropped (drop reason 133). Set ${direction}Default to PolicyDefault.ALLOW (enableDefaultDeny.${direction}: false) to drop only what the deny rules match, or to PolicyDefault.DENY if dropping everything else is intended.`);
      }
    }
    errors.push(...this.validateDns());
    return errors;
  }

  private validateDns(): string[] {
    if (this.dns === DnsAccess.AUTO || !this.needsDns) return [];
    const fqdns = this.fqdns;
    if (this.dns === DnsAccess.NONE) {
      if (fqdns.length) {
        return [`${this.who}: dns is DnsAccess.NONE, but toFQDNs (${fqdns.join(', ')}) learns IPs only from DNS answers Cilium's DNS proxy sees; without a DNS rule these names never resolve to an allowed IP. Use DnsAccess.AUTO.`];
      }
      return [];
    }
    const destinations = dnsResolversOf(this).flatMap((res) => dnsDestinations(res, this.policyNamespace));
    const dnsRules = this.rules.filter((r) => r.direction === 'egress' && !r.deny && DNS_PROTOCOLS.every((proto) => r.ports.length === 0 || r.ports.some((x) => x.covers(53, proto))));
    const reaches = (r: RuleModel, d: DnsDestination): boolean => r.peers.length === 0 || r.peers.some(d.matches);
    const missing = destinations.filter((d) => !dnsRules.some((r) => reaches(r, d)));
    if (missing.length) {
      const why = dnsPathExplanation(this);
      return [`${this.who}: dns is DnsAccess.MANUAL, but no egress rule allows ${missing.map((d) => d.description).join(' and ')} on 53/UDP and 53/TCP, and the pods are in egress default-deny or use toFQDNs: DNS lookups will fail.${why} Add such a rule or use DnsAccess.AUTO.`];
    }
    if (fqdns.length) {
      const multilevelWildcard = Target.of(this).has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD);
      const patterns = dnsRules.filter((r) => destinations.some((d) => reaches(r, d))).flatMap((r) => r.dns);
      const uncovered = fqdns.filter((f) => !patterns.some((p) => f.isCoveredBy(p, { multilevelWildcard })));
      if (uncovered.length) {
        return [`${this.who}: dns is DnsAccess.MANUAL, but no DNS rule (rules.dns) lets through the queries for ${uncovered.join(', ')}: the DNS proxy refuses them, learns no IP, and toFQDNs allows nothing. Add matchName/matchPattern entries that cover them, or use DnsAccess.AUTO.`];
      }
    }
    return [];
  }

  /** @internal the L1 spec (generated property names). Renders only; every decision was made when rules were added. */
  public _toKube(): Record<string, unknown> {
    const spec: Record<string, unknown> = {};
    if (this.description !== undefined) spec.description = this.description;
    spec.endpointSelector = this.endpointSelector._toKube();
    const egress = [...this.rules.filter((r) => r.direction === 'egress' && !r.deny), ...this.autoDnsRules()];
    for (const direction of ['egress', 'ingress'] as const) {
      const allow = direction === 'egress' ? egress : this.rules.filter((r) => r.direction === direction && !r.deny);
      const deny = this.rules.filter((r) => r.direction === direction && r.deny);
      const mode = direction === 'egress' ? this.egressDefault : this.ingressDefault;
      if (allow.length) spec[direction] = allow.map(renderRule);
      else if (mode === PolicyDefault.DENY && deny.length === 0) spec[direction] = [{}];
      if (deny.length) spec[`${direction}Deny`] = deny.map(renderRule);
    }
    const enableDefaultDeny: Record<string, boolean> = {};
    if (this.egressDefault === PolicyDefault.ALLOW) enableDefaultDeny.egress = false;
    if (this.ingressDefault === PolicyDefault.ALLOW) enableDefaultDeny.ingress = false;
    if (Object.keys(enableDefaultDeny).length) spec.enableDefaultDeny = enableDefaultDeny;
    return spec;
  }
}

function renderRule(r: RuleModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = r.direction === 'egress' ? 'to' : 'from';
  if (r.peers.length) out[`${prefix}${L1_PEER_KEY[r.peers[0].kind]}`] = r.peers.map((p) => p._toKube());
  if (r.ports.length) {
    const portRule: Record<string, unknown> = { ports: r.ports.map((p) => p._toKube()) };
    if (r.http.length) portRule.rules = { http: r.http.map((x) => x._toKube()) };
    else if (r.dns.length) portRule.rules = { dns: r.dns.map((x) => x._toKube()) };
    out.toPorts = [portRule];
  }
  return out;
}

function prefixK8s(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k.includes(':') ? k : `k8s:${k}`, v]));
}

/** One thing a DNS rule must reach for a resolver to get the pods' queries, and how to name it in a message. */
interface DnsDestination {
  readonly description: string;
  matches(peer: Peer): boolean;
}

/**
 * What the DNS rules must reach for `res`: its pods; or, for a cache on the node, entity host and each of its
 * addresses (Cilium labels a link-local address host or world depending on the node; see HostDnsResolver).
 */
function dnsDestinations(res: DnsResolver, policyNamespace: string | undefined): DnsDestination[] {
  if (res.kind === 'pods') {
    return [{
      description: `${res.namespace}/${Object.entries(res.labels).map(([k, v]) => `${k}=${v}`).join(',')} (${res.name})`,
      matches: (p) => p.selectsPod(res.namespace, res.labels, policyNamespace),
    }];
  }
  return [
    { description: `entity host (${res.name})`, matches: selectsHost },
    ...res.addresses.map((a) => ({ description: `${Cidr.parse(a)} (${res.name})`, matches: (p: Peer) => selectsWorldAddress(p, a) })),
  ];
}

/** Whether traffic to the local node (Cilium's reserved:host identity) matches `peer`: entity host, or one that contains it (domain-notes §B.5). */
function selectsHost(peer: Peer): boolean {
  return peer.entity === Entity.HOST || peer.entity === Entity.CLUSTER || peer.entity === Entity.ALL;
}

/** Whether traffic to `address`, labeled world, matches `peer`: entity world or all, or a CIDR that holds it and does not except it. */
function selectsWorldAddress(peer: Peer, address: string): boolean {
  if (peer.entity === Entity.WORLD || peer.entity === Entity.ALL) return true;
  if (peer.kind !== PeerKind.CIDR_SET) return false;
  const rule = peer._toKube() as { cidr?: string; except?: string[] };
  if (rule.cidr === undefined) return false; // a CIDR group: its CIDRs are not known here
  const addr = Cidr.parse(address);
  return Cidr.parse(rule.cidr).contains(addr) && !(rule.except ?? []).some((e) => Cidr.parse(e).contains(addr));
}

/** 'SecureWorkload' → 'secure-workload'; 'allow_DNS' → 'allow-dns'. */
export function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .toLowerCase()
    .replace(/^-+|-+$/g, '');
}

