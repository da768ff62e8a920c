import { Feature } from '../../core/features.js';
import { NodeLocalDnsMode } from '../../core/target.js';
import { FqdnMatchOptions, FqdnSelector } from '../../cilium/fqdn.js';
import { Cidr } from '../../cidr/cidr.js';
import { KUBE_DNS, NODE_LOCAL_DNS } from '../../dns/cluster-dns.js';
import { ManifestIndex, describeObject, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { WireSelector, selectorMatches } from '../selectors.js';
import { parseFqdnSelector } from './cilium-sanitize.js';
import { PortItem, RuleContext, WireEntry, WireRule, allRules, coveringRules, isObject, list, namesNamespace, peersCover, portItemCovers, subjectsMayOverlap } from './cilium-wire.js';

// The DNS path of FQDN policies (domain-notes finding 5, §A.2): toFQDNs learns IPs only from DNS answers Cilium's DNS
// proxy sees, so the pods need a DNS L7 rule (rules.dns) whose patterns cover the names, towards the resolvers they
// really use. These checks are cross-object: another policy that selects the same pods may carry the DNS rule.
// `CiliumPolicyBase` (DnsAccess.MANUAL) calls the same functions on its own rules.

/**
 * Where a pod's DNS queries go, as these checks judge it: resolver pods, the node itself (entity host), or an address
 * of a link-local cache that Cilium may label world (then only a CIDR rule for it matches). The same shapes as
 * `DnsResolver` of src/dns/cluster-dns.ts, which the constructs pass in.
 */
export type Resolver =
  | { readonly kind: 'pods'; readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'host'; readonly name: string }
  | { readonly kind: 'address'; readonly name: string; readonly address: string };

const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const NAMESPACE_NAME_LABEL = 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name';
const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
const L3_KEYS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'];

function portRulesOf(entry: WireEntry): Record<string, unknown>[] {
  return list<unknown>(entry.toPorts).filter(isObject);
}

/** Whether a port rule lets `port`/`protocol` through (no ports: every port; a name never matches a number). */
function portRuleCovers(pr: Record<string, unknown>, port: number, protocol: 'UDP' | 'TCP'): boolean {
  const ports = list<PortItem>(pr.ports).filter(isObject);
  return ports.length === 0 || ports.some((p) => portItemCovers(p, { port: String(port) }, protocol));
}

/** Whether an egress allow entry lets DNS (53 over UDP and TCP) through to its peers. */
export function allowsDns(entry: WireEntry): boolean {
  const prs = portRulesOf(entry);
  if (prs.length === 0) return true;
  return (['UDP', 'TCP'] as const).every((proto) => prs.some((pr) => portRuleCovers(pr, 53, proto)));
}

/** Whether an entry names port 53 (on any protocol): it is meant as a DNS rule. */
function namesDnsPort(entry: WireEntry): boolean {
  return portRulesOf(entry).some((pr) => list<PortItem>(pr.ports).filter(isObject).some((p) => String(p.port ?? '') === '53'));
}

/** The DNS L7 selectors (rules.dns) of an entry, parsed; invalid ones are another rule's business. */
export function dnsPatternsOf(entry: WireEntry): FqdnSelector[] {
  return portRulesOf(entry).flatMap((pr) => list<unknown>(isObject(pr.rules) ? pr.rules.dns : undefined))
    .filter(isObject).flatMap((s) => {
      const parsed = parseFqdnSelector(s);
      return 'selector' in parsed ? [parsed.selector] : [];
    });
}

/** Whether an entry has a DNS L7 rule (a non-empty rules.dns), which sends the pods' DNS through Cilium's DNS proxy. */
export function hasDnsRule(entry: WireEntry): boolean {
  return portRulesOf(entry).some((pr) => list(isObject(pr.rules) ? pr.rules.dns : undefined).length > 0);
}

/** The toFQDNs selectors of an entry, parsed, with their paths relative to the entry. */
export function fqdnsOf(entry: WireEntry): { selector: FqdnSelector; path: string }[] {
  return list<unknown>(entry.toFQDNs).flatMap((s, k) => {
    if (!isObject(s)) return [];
    const parsed = parseFqdnSelector(s);
    return 'selector' in parsed ? [{ selector: parsed.selector, path: `.toFQDNs[${k}]` }] : [];
  });
}

/**
 * The resolvers to check for one resolver of src/dns/cluster-dns.ts: a cache on the node is both entity host and each
 * of its addresses (Cilium labels a link-local address host or world, depending on the node).
 */
export function resolversOf(r: Resolver | { readonly kind: 'host'; readonly name: string; readonly addresses?: readonly string[] }): Resolver[] {
  if (r.kind !== 'host' || !('addresses' in r) || !r.addresses) return [r as Resolver];
  return [{ kind: 'host', name: r.name }, ...r.addresses.map((address) => ({ kind: 'address' as const, name: r.name, address }))];
}

/** Whether an egress entry's peers include `resolver`, seen from a policy in `ctx`. */
export function reachesResolver(entry: WireEntry, resolver: Resolver, ctx: Pick<RuleContext, 'clusterwide' | 'namespace'>): boolean {
  if (L3_KEYS.every((k) => entry[k] === undefined || entry[k] === null)) return true;
  const entities = list<unknown>(entry.toEntities);
  if (entities.includes('all')) return true;
  if (resolver.kind === 'address') return entities.includes('world') || cidrsHold(entry, resolver.address);
  if (entities.includes('cluster')) return true;
  if (resolver.kind === 'host') return entities.includes('host');
  const labels = { ...resolver.labels, [POD_NAMESPACE]: resolver.namespace, [NAMESPACE_NAME_LABEL]: resolver.namespace };
  return list<unknown>(entry.toEndpoints).filter(isObject).some((s) => {
    const sel = s as WireSelector;
    // A CiliumNetworkPolicy adds its own namespace to a selector that names none (domain-notes finding 2).
    if (!namesNamespace(sel) && !ctx.clusterwide && ctx.namespace !== resolver.namespace) return false;
    // The resolver pods are in the local cluster, whose name netsec does not know: a requirement on the cluster label
    // (cilium-cli's own DNS rules carry one) is taken as met.
    const local = (k: string) => (k.includes(':') ? k.slice(k.indexOf(':') + 1) : k) !== CLUSTER_LABEL;
    return selectorMatches({
      matchLabels: Object.fromEntries(Object.entries(sel.matchLabels ?? {}).filter(([k]) => local(k))),
      matchExpressions: (sel.matchExpressions ?? []).filter((e) => local(e.key)),
    }, labels);
  });
}

/** Whether the entry's toCIDR/toCIDRSet (literal prefixes; CIDR groups are not known here) hold `address`, not excepted. */
function cidrsHold(entry: WireEntry, address: string): boolean {
  const parse = (t: unknown) => {
    try {
      return typeof t === 'string' ? Cidr.parse(t, { lenient: true }) : undefined;
    } catch {
      return undefined;
    }
  };
  const addr = parse(address);
  if (!addr) return false;
  if (list<unknown>(entry.toCIDR).some((c) => parse(c)?.contains(addr))) return true;
  return list<unknown>(entry.toCIDRSet).filter(isObject).some((r) => parse(r.cidr)?.contains(addr) && !list<unknown>(r.except).some((e) => parse(e)?.contains(addr)));
}

/** The resolvers no entry of `dnsEntries` (egress allow entries that let DNS through) reaches. */
export function missedResolvers<R extends Resolver>(dnsEntries: readonly WireEntry[], resolvers: readonly R[], ctx: Pick<RuleContext, 'clusterwide' | 'namespace'>): R[] {
  return resolvers.filter((r) => !dnsEntries.some((e) => reachesResolver(e, r, ctx)));
}

export function describeResolver(r: Resolver): string {
  if (r.kind === 'host') return `entity host (${r.name})`;
  if (r.kind === 'address') return `${r.address} (${r.name})`;
  return `${r.namespace}/${Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(',')} (${r.name})`;
}

/** The toFQDNs selectors no DNS pattern covers, under the target line's pattern semantics. */
export function uncoveredFqdns(fqdns: readonly FqdnSelector[], patterns: readonly FqdnSelector[], options: FqdnMatchOptions): FqdnSelector[] {
  return fqdns.filter((f) => !patterns.some((p) => f.isCoveredBy(p, options)));
}

export function resolverMissMessage(missing: readonly Resolver[], why = ''): string {
  return `no egress rule for these pods allows DNS (53/UDP and 53/TCP) to ${missing.map(describeResolver).join(' and ')}, which their queries go to: DNS lookups there time out (and toFQDNs learns no IP).${why} Add ${missing.map((m) => (m.kind === 'host' ? 'toEntities: [host]' : m.kind === 'address' ? `toCIDR: [${m.address}/32]` : `a toEndpoints selector for ${m.namespace}/${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(',')}`)).join(' and ')} to the DNS allow rules (one rule per peer kind).`;
}

export function fqdnNotCoveredMessage(uncovered: readonly FqdnSelector[]): string {
  return `no DNS rule (rules.dns) for these pods lets through the queries for ${uncovered.join(', ')}: Cilium's DNS proxy refuses them, learns no IP, and toFQDNs allows nothing. Add matchName/matchPattern entries to rules.dns that cover them (matchPattern: '*' allows every query).`;
}

export function noDnsVisibilityMessage(fqdns: readonly FqdnSelector[], plainDns: boolean): string {
  return `allows ${fqdns.join(', ')} by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns)${plainDns ? '; the rule that allows port 53 has none' : ''}: Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule.`;
}

/** The DNS resolvers the pods of the index's target use: kube-dns, or NodeLocal DNSCache by its LRP; the target's mode. */
export function resolversOfIndex(index: ManifestIndex): Resolver[] {
  // With a Local Redirect Policy for the cluster DNS Service, the queries go to its backend pods; the pods behind the
  // Service itself (kube-dns, or CoreDNS under custom labels the LRP does not tell) only serve while no cache is ready.
  const lrps = index.ofKind('CiliumLocalRedirectPolicy').filter((m) => {
    const svc = (m.object.spec as { redirectFrontend?: { serviceMatcher?: { serviceName?: string } } } | undefined)?.redirectFrontend?.serviceMatcher;
    return svc?.serviceName === KUBE_DNS.name;
  });
  const resolvers: Resolver[] = lrps.length ? [] : [KUBE_DNS];
  for (const lrp of lrps) {
    const labels = (lrp.object.spec as { redirectBackend?: { localEndpointSelector?: WireSelector } }).redirectBackend?.localEndpointSelector?.matchLabels ?? {};
    const namespace = identityOf(lrp.object).namespace ?? 'default';
    resolvers.push({ kind: 'pods', name: identityOf(lrp.object).name, namespace, labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k.includes(':') ? k.slice(k.indexOf(':') + 1) : k, String(v)])) });
  }
  const mode = index.target.nodeLocalDns?.mode;
  if (!lrps.length && mode === NodeLocalDnsMode.LRP) resolvers.push(NODE_LOCAL_DNS);
  if (mode === NodeLocalDnsMode.LINK_LOCAL) {
    resolvers.push({ kind: 'host', name: 'node-local-dns' });
    for (const address of index.target.nodeLocalDns?.addresses ?? []) resolvers.push({ kind: 'address', name: 'node-local-dns', address });
  }
  return resolvers;
}

/**
 * For each rule: the egress allow entries of every rule that applies to at least the same endpoints (itself included),
 * and the rules that may apply to some of them (selectors that are not disjoint as written).
 */
function dnsContext(index: ManifestIndex) {
  const rules = allRules(index);
  const covering = coveringRules(rules);
  return rules.map((r) => ({
    ...r,
    get helpers(): WireEntry[] {
      return covering(r).flatMap((o) => list<WireEntry>((o.rule as WireRule).egress).filter(isObject));
    },
    get overlapping() {
      return rules.filter((o) => o !== r && subjectsMayOverlap(o.subject, r.subject));
    },
  }));
}

export const fqdnWithoutDnsVisibility: LintRule = {
  id: 'cilium/fqdn-without-dns-visibility',
  severity: Severity.ERROR,
  summary: 'toFQDNs without a DNS L7 rule (rules.dns) for the same pods: the names never resolve to allowed IPs.',
  explanation:
    'toFQDNs allows only IPs that the DNS proxy saw in answers to the pods\' own queries. Without a toPorts[].rules.dns rule that sends the ' +
    'pods\' DNS through the proxy, the cache stays empty and every connection is dropped (drop reason 133); allowing port 53 alone is not ' +
    'enough. A warning, not an error, when a DNS rule of another policy selects pods by labels that these pods may carry too (the ' +
    'selectors alone cannot tell). Source: cilium Documentation/security/policy/layer3.rst ("This requires ... an L7 policy allowing ' +
    'DNS requests"), layer7.rst, pkg/policy/api/egress.go; domain-notes §A.2.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const r of dnsContext(index)) {
      if (!list<WireEntry>(r.rule.egress).some((e) => isObject(e) && list(e.toFQDNs).length > 0)) continue;
      const helpers = r.helpers;
      if (helpers.some(hasDnsRule)) continue;
      // A DNS rule of a policy whose selector may pick some of these pods too (cilium-cli's client2 carries both
      // kind=client and other=client): netsec cannot tell from the selectors alone, so a warning that names it.
      const maybe = r.overlapping.find((o) => list<WireEntry>((o.rule as WireRule).egress).some((e) => isObject(e) && hasDnsRule(e)));
      list<WireEntry>(r.rule.egress).forEach((entry, i) => {
        if (!isObject(entry)) return;
        const fqdns = fqdnsOf(entry);
        if (!fqdns.length) return;
        const message = noDnsVisibilityMessage(fqdns.map((f) => f.selector), helpers.some(namesDnsPort));
        out.push({
          manifest: r.manifest,
          path: `${r.path}.egress[${i}].toFQDNs`,
          ...(maybe
            ? { severity: Severity.WARNING, message: `${message} ${describeObject(maybe.manifest.object)} has a DNS L7 rule for pods selected by other labels (${maybe.path}.endpointSelector); if every pod here carries them too, the names resolve, which netsec cannot tell from the selectors.` }
            : { message }),
        });
      });
    }
    return out;
  },
};

export const fqdnNotCoveredByDnsPattern: LintRule = {
  id: 'cilium/fqdn-not-covered-by-dns-pattern',
  severity: Severity.ERROR,
  summary: 'A toFQDNs name or pattern that the DNS rules (rules.dns) for the same pods do not let through.',
  explanation:
    'DNS L7 rules also filter queries: a name they do not allow gets REFUSED, so no IP is learned and toFQDNs allows nothing for it. Every ' +
    'toFQDNs selector must be covered by the DNS patterns of the rules that apply to the same pods, under the target line\'s pattern ' +
    'semantics (before 1.19 "**." matches one label). Source: cilium Documentation/security/policy/layer7.rst (dns.yaml walkthrough), ' +
    'pkg/fqdn/matchpattern/matchpattern.go; domain-notes §A.2, §B.3.',
  check(index) {
    const out: RuleViolation[] = [];
    const options = { multilevelWildcard: index.target.has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD) };
    for (const r of dnsContext(index)) {
      if (!list<WireEntry>(r.rule.egress).some((e) => isObject(e) && list(e.toFQDNs).length > 0)) continue;
      const dnsRules = r.helpers.filter(hasDnsRule);
      if (!dnsRules.length) continue; // cilium/fqdn-without-dns-visibility
      const patterns = dnsRules.flatMap(dnsPatternsOf);
      list<WireEntry>(r.rule.egress).forEach((entry, i) => {
        if (!isObject(entry)) return;
        for (const f of fqdnsOf(entry)) {
          if (uncoveredFqdns([f.selector], patterns, options).length) out.push({ manifest: r.manifest, path: `${r.path}.egress[${i}]${f.path}`, message: fqdnNotCoveredMessage([f.selector]) });
        }
      });
    }
    return out;
  },
};

export const dnsPeerMissesActualResolver: LintRule = {
  id: 'cilium/dns-peer-misses-actual-resolver',
  severity: Severity.ERROR,
  summary: 'A DNS allow rule that misses a resolver the pods really use (node-local-dns behind an LRP, a link-local cache on the node).',
  explanation:
    'The DNS rule must select what really receives the queries. With NodeLocal DNSCache behind a CiliumLocalRedirectPolicy the packets go to ' +
    'the node-local-dns pods, so a rule that allows only kube-dns drops them and FQDN policies learn nothing (cilium#24654); a link-local ' +
    'cache on the node is entity host, which no pod selector matches. Resolvers come from the target (cluster.nodeLocalDns) and the ' +
    'CiliumLocalRedirectPolicies for kube-dns among the objects. Source: cilium-cli connectivity manifests client-egress-only-dns.yaml; ' +
    'domain-notes finding 5, §A.2.',
  check(index) {
    const out: RuleViolation[] = [];
    const resolvers = resolversOfIndex(index);
    const cacheUnknown = index.target.cluster.nodeLocalDns === undefined && !index.ofKind('CiliumLocalRedirectPolicy').length;
    for (const r of dnsContext(index)) {
      // Rules meant for DNS: they let 53 through over UDP and TCP, and name port 53 or carry a DNS L7 rule.
      const own = list<WireEntry>(r.rule.egress).map((e, i) => ({ e, i })).filter(({ e }) => isObject(e) && allowsDns(e) && (namesDnsPort(e) || hasDnsRule(e)));
      if (!own.length) continue;
      const dnsEntries = r.helpers.filter(allowsDns);
      const missing = missedResolvers(dnsEntries, resolvers, r.ctx);
      if (!missing.length) continue;
      // kube-dns is only assumed when neither the target (cluster.nodeLocalDns) nor an LRP among the objects says where
      // queries go; rules that allow the node-local-dns pods instead suggest the cache runs behind an LRP netsec was not
      // shown (cilium-cli's node-local-dns test policy): a warning then, not an error.
      const assumed = cacheUnknown && missing.every((m) => m === KUBE_DNS) && dnsEntries.some((e) => reachesResolver(e, NODE_LOCAL_DNS, r.ctx));
      out.push({
        manifest: r.manifest,
        path: `${r.path}.egress[${own[0]!.i}]`,
        ...(assumed
          ? { severity: Severity.WARNING, message: resolverMissMessage(missing, ' These rules allow the node-local-dns pods instead: if NodeLocal DNSCache runs behind a Local Redirect Policy for kube-dns, validate that CiliumLocalRedirectPolicy together with the policies.') }
          : { message: resolverMissMessage(missing) }),
      });
    }
    return out;
  },
};

/** Whether an entry's ports let 53 through over UDP but not over TCP (none of its port rules covers 53/TCP). */
function allowsDnsOverUdpOnly(entry: WireEntry): boolean {
  const prs = portRulesOf(entry);
  return prs.length > 0 && prs.some((pr) => portRuleCovers(pr, 53, 'UDP')) && !prs.some((pr) => portRuleCovers(pr, 53, 'TCP'));
}

export const dnsUdpOnly: LintRule = {
  id: 'cilium/dns-udp-only',
  severity: Severity.WARNING,
  summary: 'A DNS allow (port 53, or a rules.dns rule) over UDP only: truncated answers and caches that query over TCP fail.',
  explanation:
    'A resolver answers a query whose answer does not fit in UDP with the truncated bit, and the client retries over TCP; ' +
    'node-local-dns with force_tcp and AKS LocalDNS query upstream over TCP. With only 53/UDP allowed those lookups time out. ' +
    '`protocol: ANY` on port 53 is fine (Cilium\'s own fqdn.yaml and dns.yaml use it; DNS L7 rules accept TCP, UDP or ANY). The ' +
    'TCP half may come from another rule for the same pods, towards the same resolvers. Source: MicrosoftDocs azure-aks-docs ' +
    'dns-concepts.md; cilium examples/policies/l3/fqdn/fqdn.yaml; gardener docs/usage/node-local-dns.md; domain-notes §A.2.',
  check(index) {
    const out: RuleViolation[] = [];
    const resolvers = resolversOfIndex(index);
    for (const r of dnsContext(index)) {
      list<WireEntry>(r.rule.egress).forEach((entry, i) => {
        if (!isObject(entry) || !(namesDnsPort(entry) || hasDnsRule(entry)) || !allowsDnsOverUdpOnly(entry)) return;
        // Another entry for the same pods may allow the TCP half: towards each resolver this entry reaches, or, for a
        // resolver netsec does not know (an external DNS server), towards the same peers as written.
        const tcp = r.helpers.filter((h) => portRulesOf(h).length === 0 || portRulesOf(h).some((pr) => portRuleCovers(pr, 53, 'TCP')));
        const reached = resolvers.filter((res) => reachesResolver(entry, res, r.ctx));
        const covered = reached.length > 0
          ? reached.every((res) => tcp.some((h) => reachesResolver(h, res, r.ctx)))
          : tcp.some((h) => peersCover(h, r.ctx, entry, r.ctx, 'egress'));
        if (covered) return;
        out.push({
          manifest: r.manifest,
          path: `${r.path}.egress[${i}].toPorts`,
          message: 'allows DNS on 53/UDP only: a resolver answers with the truncated bit when the answer does not fit, and the client retries over TCP; node-local-dns (force_tcp) and AKS LocalDNS also query over TCP. Those lookups time out. Add {port: "53", protocol: TCP} to ports (Port.tcp(53) in TypeScript), or use protocol: ANY.',
        });
      });
    }
    return out;
  },
};

export const cidrGroupRefMissing: LintRule = {
  id: 'cilium/cidrgroup-ref-missing',
  // A warning, not domain-notes' error: a group may be created outside the target (another tool, another netsec
  // target), which netsec cannot see; the header names it for a reviewer.
  severity: Severity.WARNING,
  summary: 'A cidrGroupRef or cidrGroupSelector finds no CiliumCIDRGroup among the objects of the target.',
  explanation:
    'Since 1.16 a rule whose CIDR groups are all missing selects nothing: an allow rule allows nothing, a deny rule denies nothing yet still ' +
    'switches the pods to default-deny (before 1.16 it was allow-all). netsec sees the groups among the objects of the target; suppress ' +
    'the rule with a reason for groups created elsewhere (a warning, as netsec cannot see the cluster). Source: cilium Documentation/operations/upgrade.rst (1.16 notes); domain-notes §A.3.',
  check(index) {
    const out: RuleViolation[] = [];
    const groups = index.ofKind('CiliumCIDRGroup');
    const names = new Set(groups.map((g) => identityOf(g.object).name));
    for (const r of allRules(index)) {
      for (const section of ['egress', 'egressDeny', 'ingress', 'ingressDeny'] as const) {
        list<WireEntry>(r.rule[section]).forEach((entry, i) => {
          if (!isObject(entry)) return;
          const key = section.startsWith('egress') ? 'toCIDRSet' : 'fromCIDRSet';
          list<unknown>(entry[key]).forEach((c, k) => {
            if (!isObject(c)) return;
            const at = `${r.path}.${section}[${i}].${key}[${k}]`;
            if (typeof c.cidrGroupRef === 'string' && c.cidrGroupRef && !names.has(c.cidrGroupRef)) {
              out.push({ manifest: r.manifest, path: `${at}.cidrGroupRef`, message: `names CiliumCIDRGroup '${c.cidrGroupRef}', which is not among the objects of this target: since Cilium 1.16 a rule whose groups are all missing selects nothing (an allow allows nothing; a deny denies nothing, yet still switches the pods to default-deny). Add the CiliumCIDRGroup or fix the name; if the group is created elsewhere, suppress this rule with that reason.` });
            }
            if (isObject(c.cidrGroupSelector)) {
              const sel = c.cidrGroupSelector as WireSelector;
              if (!groups.some((g) => selectorMatches(sel, (g.object.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {}))) {
                out.push({ manifest: r.manifest, path: `${at}.cidrGroupSelector`, message: 'matches no CiliumCIDRGroup among the objects of this target, so the rule selects nothing unless groups with these labels exist in the cluster. Check the labels.' });
              }
            }
          });
        });
      }
    }
    return out;
  },
};

export const CILIUM_DNS_RULES: readonly LintRule[] = [fqdnWithoutDnsVisibility, fqdnNotCoveredByDnsPattern, dnsPeerMissesActualResolver, dnsUdpOnly, cidrGroupRefMissing];
