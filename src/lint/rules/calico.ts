import { identityOf } from '../manifest-index.js';
import { formatCount } from '../../core/errors.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';

/**
 * Tiers Calico creates and owns. `default` (order 1,000,000, defaultAction Deny), `kube-admin` (1,000, Pass) and
 * `kube-baseline` (10,000,000, Pass): Calico v3.32.1 tiers CRD (CEL rules on their names) and domain-notes §B.11.
 * `adminnetworkpolicy` and `baselineadminnetworkpolicy` are the names earlier lines gave the AdminNetworkPolicy tiers.
 */
export const RESERVED_TIERS: readonly string[] = ['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy'];
/** The default tier's fixed order; Kubernetes NetworkPolicies live there (domain-notes finding 8). */
export const DEFAULT_TIER_ORDER = 1_000_000;

export const reservedTier: LintRule = {
  id: 'calico/reserved-tier',
  severity: Severity.ERROR,
  summary: 'A Tier object redefines one of the tiers Calico owns.',
  notSuppressible: 'applying it replaces a tier Calico owns',
  explanation:
    `Calico creates ${RESERVED_TIERS.slice(0, 3).join(', ')} itself. Redefining default (where Kubernetes NetworkPolicies are enforced) ` +
    "with defaultAction: Pass passes traffic before any NetworkPolicy decides; the CRD's CEL rules refuse some of these changes and " +
    'let others through. Put your policies in a tier of your own.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind('Tier')) {
      const { name } = identityOf(m.object);
      if (RESERVED_TIERS.includes(name)) {
        out.push({ manifest: m, path: 'metadata.name', message: `'${name}' is a tier Calico creates and owns; applying this object changes how every policy in it is evaluated. Name your tier differently (for example 'egress-blocking').` });
      }
    }
    return out;
  },
};

type Rule = { action?: string };
type PolicySpec = { tier?: string; ingress?: Rule[]; egress?: Rule[] };

export const denyTierAfterDefault: LintRule = {
  id: 'calico/deny-tier-after-default',
  severity: Severity.ERROR,
  summary: 'A tier with Deny rules is ordered at or after the default tier, so Kubernetes NetworkPolicies decide first.',
  explanation:
    `Tiers run in order (lower first); the default tier has order ${formatCount(DEFAULT_TIER_ORDER)}, and a tier without an order runs last. ` +
    'Where a Kubernetes NetworkPolicy (default tier) selects an endpoint, it allows or drops the packet there, so a later tier never ' +
    'sees it: its Deny rules do not block what a NetworkPolicy allows (Calico tier.mdx, felix policy_sorter.go; domain-notes §B.11).',
  check(index) {
    const out: RuleViolation[] = [];
    const policies = index.ofKind('GlobalNetworkPolicy', 'NetworkPolicy').filter((m) => String(m.object.apiVersion ?? '').includes('projectcalico.org'));
    for (const m of index.ofKind('Tier')) {
      const { name } = identityOf(m.object);
      if (RESERVED_TIERS.includes(name)) continue;
      const order = (m.object.spec as { order?: number } | undefined)?.order;
      if (order !== undefined && order < DEFAULT_TIER_ORDER) continue;
      const denies = policies.some((p) => {
        const spec = (p.object.spec ?? {}) as PolicySpec;
        return spec.tier === name && [...(spec.ingress ?? []), ...(spec.egress ?? [])].some((r) => r.action === 'Deny');
      });
      if (!denies) continue;
      out.push({
        manifest: m,
        path: 'spec.order',
        message: `${order === undefined ? 'has no order, so it runs after every other tier' : `has order ${formatCount(order)}, at or after the default tier (${formatCount(DEFAULT_TIER_ORDER)})`}, and its policies deny traffic: a Kubernetes NetworkPolicy that selects an endpoint decides in the default tier first, so these Deny rules never block what it allows. Give the tier an order below ${formatCount(DEFAULT_TIER_ORDER)} (netsec's egress block uses 100).`,
      });
    }
    return out;
  },
};

export const CALICO_RULES: readonly LintRule[] = [reservedTier, denyTierAfterDefault];
