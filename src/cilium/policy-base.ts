import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import { addWarning } from '../core/diagnostics.js';
import { NetsecError } from '../core/errors.js';
import { Feature } from '../core/features.js';
import { HelmValues } from '../core/helm-values.js';
import { ResourceMetadataProps } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { Severity } from '../lint/rule.js';
import {
  allowsDns, dnsPatternsOf, fqdnNotCoveredMessage, hasDnsRule, missedResolvers, noDnsVisibilityMessage, reachesResolver, resolverMissMessage,
  resolversOf, uncoveredFqdns,
} from '../lint/rules/cilium-dns.js';
import { CILIUM_SANITIZE_RULES, checkRuleShape, denyOnlyDirections, denyOnlyMessage, sanitizeEntry } from '../lint/rules/cilium-sanitize.js';
import { Problem, RuleContext, WireEntry, WireRule, constructError } from '../lint/rules/cilium-wire.js';
import { suppressRules } from '../lint/suppressions.js';
import { dnsPathExplanation, dnsResolversOf } from '../dns/cluster-dns.js';
import { FqdnSelector, dnsSelectorsCovering } from './fqdn.js';
import { HttpRule } from './http.js';
import { Entity, Peer, PeerKind } from './peers.js';
import { Port } from './ports.js';
import { EndpointSelector } from './selectors.js';
import { requireInstance, requireOneOf, requireRecord } from '../core/arguments.js';

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
  /**
   * Labels and annotations of the policy object (e.g. `argocd.argoproj.io/sync-wave`, team labels); more can be added
   * later with `policy.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
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
  'enableNonDefaultDenyPolicies: policies here set enableDefaultDeny to false (egressDefault or ingressDefault: allow, PolicyDefault.ALLOW; the shape of an egress block list) so that they drop only what they deny. With the agent flag off, Cilium ignores that field and forces default-deny: the pods they select lose all traffic no rule allows, and a cluster-wide block list becomes a cluster-wide egress outage. The chart default is true; this pins it.';
/** The severity of each single-rule lint rule: the constructs throw on what is an error there. */
const SEVERITY = new Map(CILIUM_SANITIZE_RULES.map((r) => [r.id, r.severity]));
/**
 * Findings the constructs refuse although the lint rule only warns: the construct API has an explicit way to say what
 * such YAML usually means by accident (an empty rule: PolicyDefault.DENY for deny-all, Entity.ALL for allow-all).
 */
const REFUSED_IN_CONSTRUCTS = new Set(['cilium/egress-empty-rule-denies-all']);
/** How to fix a finding with the construct API, after the rule's own message (which speaks YAML). */
const CONSTRUCT_HINTS: Record<string, (direction: Direction) => string> = {
  'cilium/egress-empty-rule-denies-all': (d) => `In netsec: for allow-all use the entity all (${d === 'egress' ? 'to' : 'from'}: { entities: [all] }, Peer.entity(Entity.ALL)); for deny-all set ${d}Default: deny (PolicyDefault.DENY).`,
  'cilium/l3-selector-kinds-mixed': (d) => `In netsec: one ${d === 'egress' ? 'allowEgress/denyEgress' : 'allowIngress/denyIngress'} call per peer kind.`,
  'cilium/l7-http-requires-tcp': () => 'In netsec: use Port.tcp(...).',
  'cilium/cnp-peer-implicit-namespace': () => "In netsec: pods: { namespace: kube-system, ... } (Peer.podsInNamespace('kube-system', ...)).",
};
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

  /** The policy object's metadata, as cdk8s-plus exposes it: `policy.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public get metadata(): ApiObjectMetadataDefinition {
    return this.apiObject.metadata;
  }
  private readonly rules: RuleModel[] = [];
  private readonly warned = new Set<string>();

  protected constructor(scope: Construct, id: string, props: CiliumPolicyBaseProps, kind: string, namespace: string | undefined) {
    requireRecord(kind, 'props', props);
    super(scope, id);
    this.name = props.name ?? kebab(id);
    this.policyNamespace = namespace;
    this.who = `${kind} '${namespace === undefined ? '' : `${namespace}/`}${this.name}'`;
    this.description = props.description;
    // JavaScript callers: an unknown value ('Deny') had acted as the default, and a plain object as a selector.
    this.endpointSelector = props.endpointSelector === undefined ? EndpointSelector.all() : requireInstance(this.who, 'endpointSelector', props.endpointSelector, EndpointSelector, 'EndpointSelector.labels(...) or EndpointSelector.of(...)');
    this.egressDefault = requireOneOf(this.who, 'egressDefault', props.egressDefault ?? PolicyDefault.UNCHANGED, Object.values(PolicyDefault));
    this.ingressDefault = requireOneOf(this.who, 'ingressDefault', props.ingressDefault ?? PolicyDefault.UNCHANGED, Object.values(PolicyDefault));
    this.dns = props.dns ?? DnsAccess.AUTO;
    this.dnsPatterns = requireOneOf(this.who, 'dnsPatterns', props.dnsPatterns ?? DnsPatterns.ALL, Object.values(DnsPatterns));
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, this.who);
    if (this.egressDefault === PolicyDefault.ALLOW || this.ingressDefault === PolicyDefault.ALLOW) {
      const field = this.egressDefault === PolicyDefault.ALLOW ? 'egressDefault' : 'ingressDefault';
      target.require(Feature.CILIUM_ENABLE_DEFAULT_DENY, `${this.who}: ${field}: allow (PolicyDefault.ALLOW)`);
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
      const fields = [this.egressDefault === PolicyDefault.DENY ? 'egressDefault' : '', this.ingressDefault === PolicyDefault.DENY ? 'ingressDefault' : ''].filter(Boolean).join(' and ');
      suppressRules(this, [{ id: 'cilium/egress-empty-rule-denies-all', reason: `${fields}: deny (PolicyDefault.DENY) asks for deny-all, which Cilium writes as an empty rule` }]);
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
      // The same finding as cilium/empty-peer-list-selects-nothing, said in the construct's terms: the peer kind of an
      // empty list is unknown, so the rule cannot be rendered for the shared check.
      const at = `.${list}[${this.rules.filter((r) => r.direction === direction && r.deny === deny).length}]`;
      throw constructError(this.who, { ruleId: 'cilium/empty-peer-list-selects-nothing', path: at, message: `'${peerField}' is an empty list, which Cilium (1.16+) reads as "no peer": the rule matches nothing. Leave '${peerField}' out to match every peer on the rule's ports.` });
    }
    // An empty list would be written as no list at all, which reads wider than what was asked: no toPorts is every
    // port, no HTTP or DNS rule lets every request through. Cilium's own empty lists are not that, so neither is ours.
    const empty = ([['ports', ports, 'every port'], ['http', http, 'every HTTP request'], ['dns', dns, 'every DNS query']] as const).find(([, l]) => l !== undefined && l.length === 0);
    if (empty) {
      const [field, , wider] = empty;
      throw new NetsecError('INVALID', `${where}: '${field}' is an empty list, which netsec would write as no ${field} at all: ${wider}. Leave '${field}' out for ${wider}, or list the ones the rule allows.`);
    }
    const p = peers ?? [];
    const pt = ports ?? [];
    const h = http ?? [];
    const d = dns ?? [];
    if (direction === 'ingress' && p.some((x) => x.kind === PeerKind.FQDNS)) {
      throw new NetsecError('INVALID', `${where}: FQDN peers exist only for egress; Cilium has no fromFQDNs.`);
    }
    const target = Target.of(this);
    for (const x of p) x.checkIn({ namespace: this.policyNamespace, who: where });
    // The lint rules' checks on the rule as Cilium will see it: one implementation for the constructs, netsec validate
    // and synth. The first error (or refused warning) is thrown now, where the user adds the rule.
    const model: RuleModel = { direction, deny, peers: [...p], ports: [...pt], http: [...h], dns: [...d] };
    const section = list as 'egress' | 'egressDeny' | 'ingress' | 'ingressDeny';
    const index = this.rules.filter((r) => r.direction === direction && r.deny === deny).length;
    const problem = sanitizeEntry(wireEntry(model), { ...this.ruleContext(), section, hostPolicy: false }).find(refusedByConstruct);
    if (problem) throw constructError(this.who, { ...problem, path: `.${section}[${index}]${problem.path}` }, CONSTRUCT_HINTS[problem.ruleId]?.(direction));
    if (direction === 'egress' && p.some((x) => x.cidrGroupRef !== undefined)) {
      target.require(Feature.CILIUM_EGRESS_CIDR_GROUP_REF, `${where}: ${p.find((x) => x.cidrGroupRef)!.description}`);
    }
    if (p.some((x) => x.cidrGroupLabels !== undefined)) {
      target.require(Feature.CILIUM_CIDR_GROUP_SELECTOR, `${where}: ${p.find((x) => x.cidrGroupLabels)!.description}`);
    }
    this.rules.push(model);
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
      warn(`${this.who} puts its pods in egress default-deny with dns: none (DnsAccess.NONE); their DNS lookups time out (intended for a deny-all).`);
    }
  }

  /** What the lint checks need to know about this policy. */
  private ruleContext(): RuleContext {
    return { target: Target.of(this), clusterwide: this.policyNamespace === undefined, ...(this.policyNamespace !== undefined ? { namespace: this.policyNamespace } : {}) };
  }

  /** The policy's rule in wire form, as the user's rules make it (without the automatic DNS rules). */
  private wireRule(): WireRule {
    const spec: Record<string, unknown> = { endpointSelector: this.endpointSelector._toKube() };
    for (const direction of ['egress', 'ingress'] as const) {
      const allow = this.rules.filter((r) => r.direction === direction && !r.deny);
      const deny = this.rules.filter((r) => r.direction === direction && r.deny);
      const mode = direction === 'egress' ? this.egressDefault : this.ingressDefault;
      if (allow.length) spec[direction] = allow.map(wireEntry);
      else if (mode === PolicyDefault.DENY && deny.length === 0) spec[direction] = [{}];
      if (deny.length) spec[`${direction}Deny`] = deny.map(wireEntry);
      if (mode === PolicyDefault.ALLOW) spec.enableDefaultDeny = { ...(spec.enableDefaultDeny as object | undefined), [direction]: false };
    }
    return spec as WireRule;
  }

  private validatePolicy(): string[] {
    const errors: string[] = [];
    const rule = this.wireRule();
    const message = (p: Problem, hint: string) => constructError(this.who, p, hint).message;
    // cilium/rule-shape refuses a rule without sections from 1.17 and warns on 1.16; such a policy does nothing on any line.
    for (const p of checkRuleShape(rule, this.ruleContext())) {
      errors.push(message(p, 'In netsec: add a rule, or set egressDefault or ingressDefault to deny (PolicyDefault.DENY).'));
    }
    // cilium/deny-only-policy-default-denies warns on YAML; a construct says what it means with egressDefault/ingressDefault.
    for (const direction of denyOnlyDirections(rule, [rule])) {
      if ((direction === 'egress' ? this.egressDefault : this.ingressDefault) !== PolicyDefault.UNCHANGED) continue;
      errors.push(message(
        { ruleId: 'cilium/deny-only-policy-default-denies', path: '', message: denyOnlyMessage(direction) },
        `In netsec: set ${direction}Default to allow (PolicyDefault.ALLOW; enableDefaultDeny.${direction}: false) to drop only what the deny rules match, or to deny (PolicyDefault.DENY) if dropping everything else is intended.`,
      ));
    }
    errors.push(...this.validateDns());
    return errors;
  }

  /** DnsAccess.MANUAL and NONE: the lint rules of the DNS path (cilium-dns.ts), on this policy's own rules and the target's resolvers. */
  private validateDns(): string[] {
    if (this.dns === DnsAccess.AUTO || !this.needsDns) return [];
    const fqdns = this.fqdns;
    const fail = (ruleId: string, text: string, hint: string) => [constructError(this.who, { ruleId, path: '', message: text }, hint).message];
    const egress = this.rules.filter((r) => r.direction === 'egress' && !r.deny).map(wireEntry);
    if (this.dns === DnsAccess.NONE) {
      return fqdns.length ? fail('cilium/fqdn-without-dns-visibility', noDnsVisibilityMessage(fqdns, false), 'In netsec: dns is none (DnsAccess.NONE); use dns: auto (DnsAccess.AUTO).') : [];
    }
    const ctx = this.ruleContext();
    const resolvers = dnsResolversOf(this).flatMap(resolversOf);
    const dnsEntries = egress.filter(allowsDns);
    const missing = missedResolvers(dnsEntries, resolvers, ctx);
    if (missing.length) {
      return fail('cilium/dns-peer-misses-actual-resolver', resolverMissMessage(missing, dnsPathExplanation(this)), 'In netsec: dns is manual (DnsAccess.MANUAL); add such a rule, or use dns: auto (DnsAccess.AUTO).');
    }
    if (!fqdns.length) return [];
    const withDns = dnsEntries.filter((e) => hasDnsRule(e) && resolvers.some((r) => reachesResolver(e, r, ctx)));
    if (!withDns.length) {
      return fail('cilium/fqdn-without-dns-visibility', noDnsVisibilityMessage(fqdns, dnsEntries.length > 0), "In netsec: add dns: [{ matchPattern: '*' }] (FqdnSelector.matchPattern('*')) to the DNS rule, or use dns: auto (DnsAccess.AUTO).");
    }
    const uncovered = uncoveredFqdns(fqdns, withDns.flatMap(dnsPatternsOf), { multilevelWildcard: ctx.target.has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD) });
    return uncovered.length ? fail('cilium/fqdn-not-covered-by-dns-pattern', fqdnNotCoveredMessage(uncovered), 'In netsec: or use dns: auto (DnsAccess.AUTO).') : [];
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

/**
 * A rule in wire form (`toFQDNs`, `toCIDRSet`, ...), for the lint rules' checks. Unlike the L1 rendering it keeps what
 * Cilium would refuse (two peer kinds, L7 rules without ports), so that the checks see it.
 */
function wireEntry(r: RuleModel): WireEntry {
  const out: Record<string, unknown> = {};
  const prefix = r.direction === 'egress' ? 'to' : 'from';
  for (const kind of new Set(r.peers.map((p) => p.kind))) out[`${prefix}${kind}`] = r.peers.filter((p) => p.kind === kind).map((p) => p._toKube());
  if (r.ports.length || r.http.length || r.dns.length) {
    const portRule: Record<string, unknown> = {};
    if (r.ports.length) portRule.ports = r.ports.map((p) => p._toKube());
    const rules: Record<string, unknown> = {};
    if (r.http.length) rules.http = r.http.map((x) => x._toKube());
    if (r.dns.length) rules.dns = r.dns.map((x) => x._toKube());
    if (Object.keys(rules).length) portRule.rules = rules;
    out.toPorts = [portRule];
  }
  return out;
}

function refusedByConstruct(p: Problem): boolean {
  return (p.severity ?? SEVERITY.get(p.ruleId)) === Severity.ERROR || REFUSED_IN_CONSTRUCTS.has(p.ruleId);
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

