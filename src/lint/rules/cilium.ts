import { toCidrSet } from '../../cidr/aggregate.js';
import { Cidr } from '../../cidr/cidr.js';
import { CidrSet } from '../../cidr/cidr-set.js';
import { NamedCidr, cannotCoverDefaultRoute, findRefusals } from '../../cidr/refusals.js';
import { Feature } from '../../core/features.js';
import { Product } from '../../core/versions.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { formatCount } from '../../core/errors.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { WireSelector, maySelectNamespace, selectorMatches, selectsEverything, withoutSource } from '../selectors.js';

type CiliumRule = {
  endpointSelector?: WireSelector;
  nodeSelector?: WireSelector;
  egress?: Record<string, unknown>[];
  egressDeny?: Record<string, unknown>[];
  ingress?: Record<string, unknown>[];
  ingressDeny?: Record<string, unknown>[];
  enableDefaultDeny?: { egress?: boolean; ingress?: boolean };
};
type CidrRule = { cidr?: string; cidrGroupRef?: string; cidrGroupSelector?: WireSelector };
type PortRule = { ports?: { port?: string; protocol?: string; endPort?: number }[] };

const POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** The rules of a Cilium policy object: `spec`, and each of `specs[]`, with their paths. */
function rulesOf(m: Manifest): { rule: CiliumRule; path: string }[] {
  const out: { rule: CiliumRule; path: string }[] = [];
  if (m.object.spec && typeof m.object.spec === 'object') out.push({ rule: m.object.spec as CiliumRule, path: 'spec' });
  const specs = m.object.specs;
  if (Array.isArray(specs)) specs.forEach((r, i) => r && typeof r === 'object' && out.push({ rule: r as CiliumRule, path: `specs[${i}]` }));
  return out;
}

/** The CIDR groups a `toCIDRSet` entry references, by name or by label. */
function groupsOf(index: ManifestIndex, entry: CidrRule): Manifest[] {
  const groups = index.ofKind('CiliumCIDRGroup');
  if (entry.cidrGroupRef !== undefined) return groups.filter((g) => identityOf(g.object).name === entry.cidrGroupRef);
  if (entry.cidrGroupSelector) {
    const selector = entry.cidrGroupSelector;
    return groups.filter((g) => selectorMatches(selector, ((g.object.metadata as { labels?: Record<string, string> }).labels) ?? {}));
  }
  return [];
}

/** A CIDR group's `externalCIDRs` as written (the schema check reports entries that are not strings). */
function cidrsOfGroup(g: Manifest): readonly unknown[] {
  const list = (g.object.spec as { externalCIDRs?: unknown } | undefined)?.externalCIDRs;
  return Array.isArray(list) ? list : [];
}

/**
 * Appends `list` to `into` as strings. An indexed loop, not `push(...list.map(String))`: a block list has 100,000s of
 * entries, and this runs once per run, before V8 has optimised anything (measured: ~5x faster cold).
 */
function appendStrings(into: string[], list: readonly unknown[]): void {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    into.push(typeof x === 'string' ? x : String(x));
  }
}

function parseOrUndefined(text: string): Cidr | undefined {
  try {
    return Cidr.parse(text, { lenient: true });
  } catch {
    return undefined; // not a prefix: the schema check reports it
  }
}

/** The prefixes as a set, through the same fast parser feeds use (a referenced group may hold 100k prefixes). */
function cidrSetOf(cidrs: readonly string[]): CidrSet | undefined {
  if (cidrs.length === 0) return undefined;
  try {
    return toCidrSet(cidrs, { lenient: true });
  } catch {
    return undefined; // a malformed prefix: the schema check reports it
  }
}

/**
 * Whether a rule's subject is "every pod" (possibly minus some namespaces): every requirement of its selector is
 * about namespaces. Such a rule is cluster-wide in effect, whatever else it says.
 */
function selectsEveryWorkload(rule: CiliumRule, kind: string): boolean {
  if (kind !== 'CiliumClusterwideNetworkPolicy') return false;
  const selector = rule.endpointSelector ?? rule.nodeSelector;
  if (!selector) return false;
  const aboutNamespaces = (key: string) => {
    const k = withoutSource(key);
    return k === NAMESPACE_KEY || k.startsWith(NAMESPACE_LABELS_PREFIX);
  };
  return Object.keys(selector.matchLabels ?? {}).every(aboutNamespaces) && (selector.matchExpressions ?? []).every((e) => aboutNamespaces(e.key));
}

function portsCover(rule: Record<string, unknown>, port: number): boolean {
  const toPorts = rule.toPorts as PortRule[] | undefined;
  if (!toPorts?.length) return true;
  return toPorts.some((pr) => (pr.ports ?? []).length === 0 || (pr.ports ?? []).some((p) => {
    const start = Number(p.port ?? 0);
    if (start === 0) return true;
    return port >= start && port <= (p.endPort ?? start);
  }));
}

/** What an egress deny rule takes away from the cluster's own infrastructure, as phrases for a message. */
function infrastructureDenied(index: ManifestIndex, deny: Record<string, unknown>): string[] {
  const found: string[] = [];
  const dns = portsCover(deny, 53);
  const api = portsCover(deny, 443) || portsCover(deny, 6443);
  const allPorts = !(deny.toPorts as unknown[] | undefined)?.length;
  const entities = (deny.toEntities as string[] | undefined) ?? [];
  if (entities.includes('all') && allPorts) found.push('every destination (entity all)');
  if (entities.includes('world') && allPorts) found.push('the whole internet (entity world)');
  if (entities.includes('cluster') && (dns || api)) found.push('every pod and node of the cluster, cluster DNS and the API server included (entity cluster)');
  if (entities.includes('kube-apiserver') && api) found.push('the Kubernetes API server (entity kube-apiserver)');
  const kubeDns = { 'k8s-app': 'kube-dns', [NAMESPACE_KEY]: 'kube-system' };
  const endpoints = (deny.toEndpoints as WireSelector[] | undefined) ?? [];
  if (dns && endpoints.some((s) => selectorMatches(s, kubeDns))) found.push('cluster DNS (the kube-dns pods)');
  const services = (deny.toServices as { k8sService?: { serviceName?: string; namespace?: string } }[] | undefined) ?? [];
  if (dns && services.some((s) => s.k8sService?.serviceName === 'kube-dns' && (s.k8sService.namespace ?? 'kube-system') === 'kube-system')) found.push('cluster DNS (the kube-dns Service)');
  if (dns && !deny.toEndpoints && !deny.toEntities && !deny.toCIDR && !deny.toCIDRSet && !deny.toServices && !deny.toFQDNs && !deny.toGroups && !deny.toNodes && (deny.toPorts as unknown[] | undefined)?.length) {
    found.push('DNS (port 53) to every destination');
  }
  // The deny's prefixes as the lists they are written in (a group of a block list holds 100,000s): copied into one
  // list only when they must be parsed.
  const lists: (readonly unknown[])[] = [(deny.toCIDR as unknown[] | undefined) ?? []];
  for (const entry of (deny.toCIDRSet as CidrRule[] | undefined) ?? []) {
    if (entry.cidr !== undefined) lists.push([entry.cidr]);
    for (const g of groupsOf(index, entry)) lists.push(cidrsOfGroup(g));
  }
  const cluster = index.target.cluster;
  const roles: NamedCidr[] = [
    ...(dns || api ? (cluster.serviceCidrs ?? []).map((cidr) => ({ cidr, name: 'the service CIDR (the kube-dns Service and every other Service)' })) : []),
    ...(api ? (cluster.apiServerCidrs ?? []).map((cidr) => ({ cidr, name: 'the API server' })) : []),
    ...(cluster.podCidrs ?? []).map((cidr) => ({ cidr, name: 'the pod CIDR' })),
  ];
  // Speed only: with no cluster range to compare, a default route is the one refusal left, and the prefixes' sizes
  // alone can rule it out without parsing a referenced geo-block.
  if (roles.length === 0 && (allPorts ? cannotCoverDefaultRoute(...lists) : true)) return [...new Set(found)];
  const cidrs: string[] = [];
  for (const list of lists) appendStrings(cidrs, list);
  const set = cidrSetOf(cidrs);
  if (!set) return [...new Set(found)];
  // The block-list refusals are the one implementation of "covers a default route / overlaps a cluster range".
  const refusals = findRefusals(set, { clusterCidrs: roles, allowEmpty: true, allowDefaultRoute: !allPorts });
  const deniedFamilies = new Set(refusals.filter((r) => r.rule === 'default-route').map((r) => (r.prefix === '0.0.0.0/0' ? 4 : 6)));
  for (const r of refusals) {
    if (r.rule === 'default-route') found.push(`every ${r.prefix === '0.0.0.0/0' ? 'IPv4' : 'IPv6'} address (${r.prefix})`);
    // Inside a denied default route, naming the cluster ranges again adds nothing.
    if (r.rule === 'cluster-overlap' && !deniedFamilies.has(r.clusterCidr!.includes(':') ? 6 : 4)) {
      found.push(`${roles.find((c) => c.cidr === r.clusterCidr || parseOrUndefined(String(c.cidr))?.toString() === r.clusterCidr)!.name} ${r.clusterCidr}`);
    }
  }
  return [...new Set(found)];
}

export const denyClusterInfrastructure: LintRule = {
  id: 'cilium/deny-cluster-infrastructure',
  severity: Severity.ERROR,
  summary: 'A clusterwide policy that selects every workload denies egress to cluster DNS, the API server, the whole internet or cluster CIDRs.',
  explanation:
    'Deny rules win over every allow (domain-notes finding 4). A CiliumClusterwideNetworkPolicy whose endpointSelector selects every ' +
    'pod (or every pod outside a few namespaces) and denies kube-dns, the kube-apiserver entity, 0.0.0.0/0 or the service CIDR cuts ' +
    'every workload off from it at once: DNS lookups time out, controllers lose the API server. Narrow the endpointSelector or the peers.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind(...POLICY_KINDS)) {
      for (const { rule, path } of rulesOf(m)) {
        if (!selectsEveryWorkload(rule, String(m.object.kind))) continue;
        (rule.egressDeny ?? []).forEach((deny, i) => {
          const what = infrastructureDenied(index, deny);
          if (what.length === 0) return;
          out.push({
            manifest: m,
            path: `${path}.egressDeny[${i}]`,
            message: `denies egress to ${what.join('; ')} for every workload the endpointSelector selects (every pod, save excluded namespaces): deny wins over every allow, so they all lose it at once. Narrow the endpointSelector to the workloads meant, or remove those peers from the deny.`,
          });
        });
      }
    }
    return out;
  },
};

export const cidrGroupSelectorSelectsAll: LintRule = {
  id: 'cilium/cidr-group-selector-selects-all',
  severity: Severity.ERROR,
  summary: 'A cidrGroupSelector without any label requirement selects every CiliumCIDRGroup in the cluster.',
  explanation:
    "An empty label selector matches every object: `cidrGroupSelector: {}` or `{matchLabels: {}}` pulls every CiliumCIDRGroup of the " +
    'cluster into the rule, including groups that only label addresses for Hubble (such as an IMDS group) and groups of other teams.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind(...POLICY_KINDS)) {
      for (const { rule, path } of rulesOf(m)) {
        for (const section of ['egress', 'egressDeny', 'ingress', 'ingressDeny'] as const) {
          (rule[section] ?? []).forEach((r, i) => {
            const key = section.startsWith('egress') ? 'toCIDRSet' : 'fromCIDRSet';
            ((r[key] as CidrRule[] | undefined) ?? []).forEach((entry, j) => {
              if (entry.cidrGroupSelector && selectsEverything(entry.cidrGroupSelector)) {
                out.push({ manifest: m, path: `${path}.${section}[${i}].${key}[${j}].cidrGroupSelector`, message: 'has no label requirement, so it selects every CiliumCIDRGroup in the cluster, not only the groups meant. Select by a label only those groups carry, or reference the groups by name (cidrGroupRef).' });
              }
            });
          });
        }
      }
    }
    return out;
  },
};

/** Cilium's default per-endpoint policy map size (`bpf-policy-map-max`): version-facts "Cilium per-endpoint policy map". */
export const POLICY_MAP_ENTRIES = 16_384;
/**
 * Inline CIDRs from which a policy is warned to use a CiliumCIDRGroup where a group is one identity (domain-notes
 * cilium/large-cidr-list-without-group: "thousands of inline CIDRs"): a sixteenth of the default policy map, netsec's
 * choice, so that a few such policies on one endpoint still fit.
 */
export const LARGE_INLINE_CIDR_LIST = POLICY_MAP_ENTRIES / 16;

export const cidrIdentityCost: LintRule = {
  id: 'cilium/cidr-identity-cost',
  severity: Severity.ERROR,
  summary: "A policy's CIDRs cost one security identity each on this Cilium line; beyond the policy map size the policy cannot be enforced.",
  explanation:
    'Each CIDR in a policy (and, before Cilium 1.17, each CIDR of a referenced CiliumCIDRGroup) is a security identity and takes ' +
    `policy-map entries (PR #33441 made a group one identity in 1.17). The per-endpoint policy map holds ${formatCount(POLICY_MAP_ENTRIES)} ` +
    'entries by default (bpf-policy-map-max); a full map drops traffic and leaves endpoints unhealthy (cilium#30296). An error above ' +
    `that size, a warning below it. From 1.17, ${formatCount(LARGE_INLINE_CIDR_LIST)} or more CIDRs written inline are a warning too (domain-notes ` +
    'cilium/large-cidr-list-without-group): in a CiliumCIDRGroup referenced by cidrGroupRef they would be one identity. Accept it with a ' +
    'suppression only where bpf-policy-map-max was raised.',
  check(index) {
    const out: RuleViolation[] = [];
    const groupsAreOneIdentity = index.target.has(Feature.CILIUM_CIDR_GROUP_SINGLE_IDENTITY);
    for (const m of index.ofKind(...POLICY_KINDS)) {
      let count = 0;
      let fromGroups = 0;
      for (const { rule } of rulesOf(m)) {
        for (const section of ['egress', 'egressDeny', 'ingress', 'ingressDeny'] as const) {
          for (const r of rule[section] ?? []) {
            const prefix = section.startsWith('egress') ? 'to' : 'from';
            count += ((r[`${prefix}CIDR`] as unknown[] | undefined) ?? []).length;
            for (const entry of (r[`${prefix}CIDRSet`] as CidrRule[] | undefined) ?? []) {
              if (entry.cidr !== undefined) count += 1;
              else if (!groupsAreOneIdentity) for (const g of groupsOf(index, entry)) fromGroups += cidrsOfGroup(g).length;
            }
          }
        }
      }
      const total = count + fromGroups;
      const over = total > POLICY_MAP_ENTRIES;
      if (!over && fromGroups === 0) {
        if (groupsAreOneIdentity && count >= LARGE_INLINE_CIDR_LIST) {
          out.push({
            manifest: m,
            path: '',
            severity: Severity.WARNING,
            message: `lists ${formatCount(count)} CIDRs inline, each a security identity and a policy-map entry for every endpoint it selects (the default map holds ${formatCount(POLICY_MAP_ENTRIES)}). Put them in a CiliumCIDRGroup and reference it with cidrGroupRef: on Cilium ${index.target.version(Product.CILIUM)} a group is one identity.`,
          });
        }
        continue;
      }
      const groups = fromGroups ? ` (${formatCount(fromGroups)} of them in CiliumCIDRGroups, which Cilium ${index.target.version(Product.CILIUM)} counts one identity per CIDR; one per group from 1.17)` : '';
      out.push({
        manifest: m,
        path: '',
        severity: over ? Severity.ERROR : Severity.WARNING,
        message: over
          ? `uses ${formatCount(total)} CIDRs${groups}, each a security identity: more than the ${formatCount(POLICY_MAP_ENTRIES)} entries of the default per-endpoint policy map, so the policy cannot be enforced. Move the CIDRs into CiliumCIDRGroups on Cilium 1.17 or later, or suppress this rule with a reason if bpf-policy-map-max was raised.`
          : `uses ${formatCount(total)} CIDRs${groups}, each a security identity and a policy-map entry (the default map holds ${formatCount(POLICY_MAP_ENTRIES)}).`,
      });
    }
    return out;
  },
};

/**
 * Directions in which a rule switches its endpoints to default-deny and drops more than its deny rules: it has a
 * section for them, does not opt out, and does not itself allow every peer on every port (`toEntities: [all]`, as
 * Cilium's deny examples pair a deny with: language.rst, from_world_deny.yaml).
 */
function defaultDenyDirections(rule: CiliumRule): ('egress' | 'ingress')[] {
  return (['egress', 'ingress'] as const).filter((d) => {
    const has = (rule[d]?.length ?? 0) > 0 || (rule[`${d}Deny`]?.length ?? 0) > 0;
    const entities = d === 'egress' ? 'toEntities' : 'fromEntities';
    const allowsAll = (rule[d] ?? []).some((e) => ((e[entities] as unknown[] | undefined) ?? []).includes('all') && !((e.toPorts as unknown[] | undefined)?.length) && e.icmps === undefined);
    return has && rule.enableDefaultDeny?.[d] !== false && !allowsAll;
  });
}

export const defaultDenyReachesKubeSystem: LintRule = {
  id: 'cilium/default-deny-reaches-kube-system',
  severity: Severity.WARNING,
  summary: 'A policy switches kube-system pods (CoreDNS, node-local-dns, cilium-operator) to default-deny.',
  explanation:
    'Any rule with an egress or ingress section puts the endpoints it selects into default-deny for that direction (domain-notes ' +
    'finding 3). A CiliumClusterwideNetworkPolicy whose endpointSelector does not exclude kube-system, or a CiliumNetworkPolicy in ' +
    'kube-system, does that to the cluster\'s own DNS and operators: whatever its rules forget is dropped (§A.1 ' +
    'cilium/ccnp-wildcard-selects-system). Exclude kube-system with `k8s:io.kubernetes.pod.namespace NotIn (kube-system)` unless intended.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind(...POLICY_KINDS)) {
      const clusterwide = m.object.kind === 'CiliumClusterwideNetworkPolicy';
      if (!clusterwide && identityOf(m.object).namespace !== 'kube-system') continue;
      for (const { rule, path } of rulesOf(m)) {
        if (!rule.endpointSelector) continue;
        // A CCNP for particular workloads (`app: web`) is not about kube-system; one that selects every pod is (§A.1).
        if (clusterwide && !(selectsEveryWorkload(rule, 'CiliumClusterwideNetworkPolicy') && maySelectNamespace(rule.endpointSelector, 'kube-system'))) continue;
        for (const d of defaultDenyDirections(rule)) {
          out.push({
            manifest: m,
            path: `${path}.endpointSelector`,
            message: clusterwide
              ? `switches pods of every namespace, kube-system included (CoreDNS, node-local-dns, cilium-operator), to ${d} default-deny; unless that is intended, exclude kube-system with the endpointSelector expression 'k8s:io.kubernetes.pod.namespace NotIn (kube-system)'.`
              : `switches kube-system pods (CoreDNS, node-local-dns, cilium-operator) to ${d} default-deny: whatever the rules do not allow is dropped. Make sure every flow those pods need is allowed, or set enableDefaultDeny.${d}: false.`,
          });
        }
      }
    }
    return out;
  },
};

export const cidrDoesNotMatchCluster: LintRule = {
  id: 'cilium/cidr-does-not-match-cluster',
  severity: Severity.WARNING,
  summary: "An allow rule's CIDR lies inside the target's pod or service CIDRs: CIDR rules never match the pods and nodes Cilium manages.",
  explanation:
    'CIDR selectors match only peers without a Cilium identity (outside the cluster, or unmanaged): "CIDR rules do not apply to traffic ' +
    'where both sides of the connection are either managed by Cilium or use an IP belonging to a node in the cluster" ' +
    '(Documentation/security/policy/layer3.rst). toCIDR 10.0.0.0/8 therefore does not allow pod-to-pod traffic, and a Service\'s ' +
    'ClusterIP is translated to a backend pod before policy. Judged against the target\'s cluster.podCidrs and cluster.serviceCidrs; ' +
    'domain-notes §A.3.',
  check(index) {
    const out: RuleViolation[] = [];
    const cluster = index.target.cluster;
    const ranges = [
      ...(cluster.podCidrs ?? []).map((c) => ({ cidr: parseOrUndefined(String(c)), name: 'the pod CIDR', use: 'toEndpoints/fromEndpoints' })),
      ...(cluster.serviceCidrs ?? []).map((c) => ({ cidr: parseOrUndefined(String(c)), name: 'the service CIDR', use: 'toServices or toEndpoints of the Service\'s pods' })),
    ].filter((r): r is { cidr: Cidr; name: string; use: string } => r.cidr !== undefined);
    if (ranges.length === 0) return out;
    for (const m of index.ofKind(...POLICY_KINDS)) {
      for (const { rule, path } of rulesOf(m)) {
        for (const section of ['egress', 'ingress'] as const) {
          const prefix = section === 'egress' ? 'to' : 'from';
          (rule[section] ?? []).forEach((entry, i) => {
            const written: { text: unknown; at: string }[] = [
              ...(((entry as Record<string, unknown>)[`${prefix}CIDR`] as unknown[] | undefined) ?? []).map((text, k) => ({ text, at: `${prefix}CIDR[${k}]` })),
              ...(((entry as Record<string, unknown>)[`${prefix}CIDRSet`] as CidrRule[] | undefined) ?? []).map((r, k) => ({ text: r.cidr, at: `${prefix}CIDRSet[${k}].cidr` })),
            ];
            for (const { text, at } of written) {
              // Only a CIDR inside a cluster range is a mistake for certain: a wider one (0.0.0.0/0, a VPC's /8) is
              // mostly meant for what lies outside the cluster, where it works.
              const cidr = typeof text === 'string' ? parseOrUndefined(text) : undefined;
              const hit = cidr && ranges.find((r) => r.cidr.contains(cidr));
              if (!hit) continue;
              out.push({
                manifest: m,
                path: `${path}.${section}[${i}].${at}`,
                message: `${String(text)} lies inside ${hit.name} ${hit.cidr}, but CIDR rules never match pods or nodes that Cilium manages (layer3.rst), so this allows nothing. Use ${hit.use} for them, and keep CIDRs for addresses outside the cluster.`,
              });
            }
          });
        }
      }
    }
    return out;
  },
};

export const CILIUM_RULES: readonly LintRule[] = [denyClusterInfrastructure, cidrGroupSelectorSelectsAll, cidrIdentityCost, defaultDenyReachesKubeSystem, cidrDoesNotMatchCluster];

