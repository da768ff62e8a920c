import { Cidr } from '../../cidr/cidr.js';
import { Feature } from '../../core/features.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { formatCount } from '../../core/errors.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { CalicoSelector, CalicoSelectorError, calicoSelectorMatches, parseCalicoSelector, usesGlobal } from './calico-selector.js';

/*
 * Calico policy rules (domain-notes §A.7, grammars §B.10–B.11). Each check reads GlobalNetworkPolicy and (Calico)
 * NetworkPolicy objects of either API group (`projectcalico.org/v3`, `crd.projectcalico.org/v1`): the storage CRDs
 * hold the same resources, and the v1 ones skip Calico's validator, so these rules are the only check they get.
 */

type EntityRule = {
  nets?: string[]; notNets?: string[];
  selector?: string; notSelector?: string; namespaceSelector?: string;
  ports?: (number | string)[]; notPorts?: (number | string)[];
  serviceAccounts?: { names?: string[]; selector?: string };
  services?: { name?: string; namespace?: string };
};
type Icmp = { type?: number; code?: number };
export type CalicoRule = {
  action?: string; protocol?: number | string; notProtocol?: number | string; ipVersion?: number;
  icmp?: Icmp; notICMP?: Icmp; source?: EntityRule; destination?: EntityRule; http?: unknown; metadata?: unknown;
};
type PolicySpec = {
  tier?: string; order?: number; selector?: string; namespaceSelector?: string; serviceAccountSelector?: string;
  types?: string[]; ingress?: CalicoRule[]; egress?: CalicoRule[];
  doNotTrack?: boolean; preDNAT?: boolean; applyOnForward?: boolean;
};
type Direction = 'ingress' | 'egress';
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
const TYPE_OF: Record<Direction, string> = { ingress: 'Ingress', egress: 'Egress' };

/** Calico's policy kinds; `NetworkPolicy` only in a Calico group (Kubernetes has one too). */
export function calicoPolicies(index: ManifestIndex): Manifest[] {
  return index.ofKind('GlobalNetworkPolicy', 'NetworkPolicy').filter((m) => String(m.object.apiVersion ?? '').includes('projectcalico.org/'));
}
function isCalico(m: Manifest): boolean {
  return String(m.object.apiVersion ?? '').includes('projectcalico.org/');
}
function specOf(m: Manifest): PolicySpec {
  const s = m.object.spec;
  return s && typeof s === 'object' ? (s as PolicySpec) : {};
}
function rulesOf(spec: PolicySpec, dir: Direction): CalicoRule[] {
  const r = spec[dir];
  return Array.isArray(r) ? r.filter((x): x is CalicoRule => !!x && typeof x === 'object') : [];
}
function tierOf(spec: PolicySpec): string {
  return spec.tier || 'default';
}
function labelsOf(m: Manifest): Record<string, string> {
  return ((m.object.metadata as { labels?: Record<string, string> } | undefined)?.labels) ?? {};
}

/**
 * The directions a policy applies to: `types` when written, else Calico's default (globalnetworkpolicy.mdx table):
 * Egress only when there are egress rules and no ingress rules, both when both, Ingress otherwise (no rules too).
 */
export function effectiveTypes(spec: PolicySpec): string[] {
  if (Array.isArray(spec.types) && spec.types.length > 0) return spec.types;
  const ingress = rulesOf(spec, 'ingress').length > 0;
  const egress = rulesOf(spec, 'egress').length > 0;
  if (egress && ingress) return ['Ingress', 'Egress'];
  return egress ? ['Egress'] : ['Ingress'];
}

/** Parses a selector, or undefined when it does not parse (calico/selector-syntax reports that). */
function parsed(text: string | undefined): CalicoSelector | undefined {
  if (text === undefined) return undefined;
  try {
    return parseCalicoSelector(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether a rule has no match criteria: it matches every packet of its direction. `nets` holding a catch-all
 * (0.0.0.0/0 or ::/0) counts as no restriction, as hand-written "allow the rest" rules use it.
 */
function matchesEverything(rule: CalicoRule): boolean {
  for (const [k, v] of Object.entries(rule)) {
    if (k === 'action' || k === 'metadata' || v === undefined) continue;
    if (k !== 'source' && k !== 'destination') return false;
    for (const [ek, ev] of Object.entries((v ?? {}) as Record<string, unknown>)) {
      if (ev === undefined || ev === '' || (Array.isArray(ev) && ev.length === 0)) continue;
      if (ek === 'nets' && Array.isArray(ev) && ev.some((n) => n === '0.0.0.0/0' || n === '::/0')) continue;
      return false;
    }
  }
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether every address of the `later` nets lies in one of the `earlier` nets (a Deny of 1.2.3.0/24 matches all that a
 * Log of 1.2.3.0/25 does). A prefix that does not parse covers and is covered by nothing (calico/rule-shape reports it).
 */
function netsCover(earlier: unknown, later: unknown): boolean {
  if (!Array.isArray(earlier) || !Array.isArray(later) || later.length === 0) return sameJson(earlier, later);
  const parse = (n: unknown): Cidr | undefined => {
    try {
      return Cidr.parse(String(n), { lenient: true });
    } catch {
      return undefined;
    }
  };
  const wide = earlier.map(parse);
  return later.every((n) => {
    const narrow = parse(n);
    return narrow !== undefined && wide.some((w) => w !== undefined && w.contains(narrow));
  });
}

/** Whether every packet `later` matches is also matched by `earlier`: each criterion of `earlier` holds in `later` too. */
function covers(earlier: CalicoRule, later: CalicoRule): boolean {
  for (const [k, v] of Object.entries(earlier)) {
    if (k === 'action' || k === 'metadata') continue;
    if (k === 'source' || k === 'destination') {
      const le = (later[k] ?? {}) as Record<string, unknown>;
      for (const [ek, ev] of Object.entries(v as Record<string, unknown>)) {
        if (ek === 'nets' ? !netsCover(ev, le.nets) : !sameJson(ev, le[ek])) return false;
      }
      continue;
    }
    if (!sameJson(v, (later as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Where a policy sits in its tier: by order (omitted = last), then by name (felix policy_sorter.go). */
function runsBefore(a: Manifest, b: Manifest): boolean {
  const oa = specOf(a).order ?? Infinity;
  const ob = specOf(b).order ?? Infinity;
  if (oa !== ob) return oa < ob;
  return identityOf(a.object).name < identityOf(b.object).name;
}

/** The tier's default action from a Tier object in the index; the default tier (and unknown tiers) drop. */
function tierPasses(index: ManifestIndex, tier: string): boolean {
  if (tier === 'kube-admin' || tier === 'kube-baseline') return true;
  const t = index.ofKind('Tier').find((m) => isCalico(m) && identityOf(m.object).name === tier);
  return (t?.object.spec as { defaultAction?: string } | undefined)?.defaultAction === 'Pass';
}

/** Kubernetes NetworkPolicies become default-tier policies at this order (libcalico-go conversion.go). */
const KNP_ORDER = 1000;

/**
 * Whether some other policy of the same tier that runs later allows or passes packets of this direction. In the
 * default tier that includes Kubernetes NetworkPolicies with rules for the direction when this policy runs before them.
 */
function laterPolicyDecides(index: ManifestIndex, m: Manifest, dir: Direction): boolean {
  const tier = tierOf(specOf(m));
  if (tier === 'default' && (specOf(m).order ?? Infinity) < KNP_ORDER) {
    const knps = index.ofKind('NetworkPolicy').filter((k) => String(k.object.apiVersion ?? '').startsWith('networking.k8s.io/'));
    if (knps.some((k) => Array.isArray((k.object.spec as Record<string, unknown> | undefined)?.[dir]) && ((k.object.spec as Record<string, unknown[]>)[dir]).length > 0)) return true;
  }
  return calicoPolicies(index).some((o) => o !== m && tierOf(specOf(o)) === tier && runsBefore(m, o) && effectiveTypes(specOf(o)).includes(TYPE_OF[dir]) && rulesOf(specOf(o), dir).some((r) => r.action === 'Allow' || r.action === 'Pass'));
}

function perRule(index: ManifestIndex, fn: (m: Manifest, rule: CalicoRule, path: string, dir: Direction, spec: PolicySpec) => RuleViolation[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const m of calicoPolicies(index)) {
    const spec = specOf(m);
    for (const dir of DIRECTIONS) rulesOf(spec, dir).forEach((rule, i) => out.push(...fn(m, rule, `spec.${dir}[${i}]`, dir, spec)));
  }
  return out;
}

export const logAfterTerminalAction: LintRule = {
  id: 'calico/log-after-terminal-action',
  severity: Severity.ERROR,
  summary: 'A Log rule comes after an Allow or Deny rule that already matches all of its traffic, so it never logs.',
  explanation:
    'Calico evaluates rules in order; "after a Log action, processing continues with the next rule; Allow and Deny are immediate ' +
    'and final". A Log rule placed after an Allow or Deny whose match is at least as wide never fires (tigera/docs _rule.mdx; calico#7534).',
  check(index) {
    return perRule(index, (m, rule, path, dir, spec) => {
      if (rule.action !== 'Log') return [];
      const rules = rulesOf(spec, dir);
      const i = rules.indexOf(rule);
      const j = rules.slice(0, i).findIndex((e) => (e.action === 'Allow' || e.action === 'Deny') && covers(e, rule));
      if (j < 0) return [];
      return [{ manifest: m, path, message: `logs traffic that the ${rules[j].action} rule at spec.${dir}[${j}] already matches; Allow and Deny end rule processing, so this Log rule never fires. Move it before spec.${dir}[${j}].` }];
    });
  },
};

/**
 * The (policy, direction) pairs whose rules have `shape` and whose other packets fall off the end of their tier: the
 * policy applies in that direction, the tier does not pass, and no later policy of the tier decides.
 */
function fallingOffTheirTier(index: ManifestIndex, shape: (rules: CalicoRule[]) => boolean): { m: Manifest; dir: Direction; tier: string }[] {
  const out: { m: Manifest; dir: Direction; tier: string }[] = [];
  for (const m of calicoPolicies(index)) {
    const spec = specOf(m);
    const tier = tierOf(spec);
    for (const dir of DIRECTIONS) {
      if (!shape(rulesOf(spec, dir)) || !effectiveTypes(spec).includes(TYPE_OF[dir])) continue;
      if (tierPasses(index, tier) || laterPolicyDecides(index, m, dir)) continue;
      out.push({ m, dir, tier });
    }
  }
  return out;
}

export const logOnlyPolicyDrops: LintRule = {
  id: 'calico/log-only-policy-drops',
  severity: Severity.ERROR,
  summary: 'A policy with only Log rules drops every packet it selects unless a later policy of its tier allows or passes it.',
  explanation:
    'A Log rule does not end processing, and a tier that selects an endpoint but takes no action drops the packet at its end ' +
    '(tigera/docs log-rules.mdx: "Always pair a log action with an explicit Allow rule immediately after it"; tier.mdx; felix ' +
    'rules/endpoints.go). So a "log everything" policy blocks everything not already allowed.',
  check(index) {
    return fallingOffTheirTier(index, (rules) => rules.length > 0 && rules.every((r) => r.action === 'Log')).map(({ m, dir, tier }) => ({
      manifest: m,
      path: `spec.${dir}`,
      message: `has only Log rules for ${TYPE_OF[dir]}, and no later policy of tier '${tier}' allows or passes ${dir} traffic: Log does not end processing, so every ${dir} packet of the endpoints it selects is dropped at the end of the tier. Add { action: Allow } (or Pass) after the Log rule.`,
    }));
  },
};

export const tierWithoutTerminalAction: LintRule = {
  id: 'calico/tier-without-terminal-action',
  severity: Severity.ERROR,
  summary: 'A policy only denies (no Allow or Pass) and nothing later in its tier allows or passes, so it drops all traffic of that direction.',
  explanation:
    'If a tier applies to an endpoint but takes no action on a packet, the packet is dropped at the end of the tier and later tiers ' +
    'are never consulted (tigera/docs tier.mdx, tiered-policy.mdx "Implicit default deny"; felix rules/endpoints.go). A GNP with ' +
    'types [Egress] and only Log + Deny rules for some nets therefore blocks all egress of the endpoints it selects. Judged from the ' +
    "objects given: the policy's own rules, the other policies of its tier, and the Tier's defaultAction.",
  check(index) {
    return fallingOffTheirTier(index, (rules) => rules.some((r) => r.action === 'Deny') && !rules.some((r) => r.action === 'Allow' || r.action === 'Pass')).map(({ m, dir, tier }) => ({
      manifest: m,
      path: `spec.${dir}`,
      message: `only denies ${dir} traffic, and neither a later policy of tier '${tier}' nor the tier's defaultAction allows or passes the rest: every other ${dir} packet of the endpoints it selects is dropped at the end of the tier. End the rules with { action: Pass } (to leave the rest to later tiers) or { action: Allow }, or set the tier's defaultAction: Pass.`,
    }));
  },
};

export const defaultTierAllowOverridesKnp: LintRule = {
  id: 'calico/default-tier-allow-overrides-knp',
  severity: Severity.ERROR,
  summary: 'A default-tier Calico policy allows all traffic of a direction, which undoes Kubernetes NetworkPolicy isolation.',
  explanation:
    'Calico renders Kubernetes NetworkPolicies as default-tier policies at order 1000 (libcalico-go conversion.go); their isolation ' +
    'is the tier\'s end-of-tier drop. A NetworkPolicy that does not match a packet falls through, so an Allow-everything rule anywhere ' +
    'in the default tier allows what the NetworkPolicies meant to isolate. Put blocking policies in a tier of their own ordered before ' +
    'default and end them with Pass (Calico 3.30+). An error where the target has tiers; a warning below 3.30, where there is no such fix.',
  check(index) {
    const severity = index.target.has(Feature.CALICO_TIERS) ? Severity.ERROR : Severity.WARNING;
    return perRule(index, (m, rule, path, dir, spec) => {
      if (rule.action !== 'Allow' || tierOf(spec) !== 'default' || !matchesEverything(rule)) return [];
      const fix = severity === Severity.ERROR
        ? "Move the policy that needs it into a tier ordered before default and end that policy with { action: Pass } (CalicoEgressBlock: design: tiered)."
        : 'Calico below 3.30 has no tiers to avoid it; accept it with a suppression that says why, or drop the allow-all policy.';
      return [{ manifest: m, path, severity, message: `allows all ${dir} traffic in the default tier: Kubernetes NetworkPolicies are default-tier policies at order 1000 whose isolation is the end-of-tier drop, so this rule allows the ${dir} traffic they would isolate. ${fix}` }];
    });
  },
};

export const typesDefaultIngress: LintRule = {
  id: 'calico/types-default-ingress',
  severity: Severity.ERROR,
  summary: 'A policy without types and without rules isolates ingress, not egress: an error with egress: [] written, a warning otherwise.',
  explanation:
    'With types omitted, Calico sets Ingress unless there are egress rules, even when there are no rules at all; a "deny all egress" ' +
    'policy written without types isolates ingress instead (tigera/docs globalnetworkpolicy.mdx defaults table; calico ' +
    'api/pkg/apis/projectcalico/v3/globalnetworkpolicy.go).',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of calicoPolicies(index)) {
      const spec = specOf(m);
      if (Array.isArray(spec.types) && spec.types.length > 0) continue;
      if (rulesOf(spec, 'egress').length > 0 || rulesOf(spec, 'ingress').length > 0) continue;
      // egress: [] written says "egress"; with nothing written the intent is unknown, so only a warning.
      const egressIntent = Array.isArray(spec.egress);
      out.push({ manifest: m, path: 'spec', ...(egressIntent ? {} : { severity: Severity.WARNING }), message: `has no types and no rules${egressIntent ? ' (egress: [] is written)' : ''}: Calico then applies it to Ingress only, so it isolates ingress and leaves egress open. Write types explicitly: types: [Egress] for a default-deny egress policy, types: [Ingress] (or both) otherwise.` });
    }
    return out;
  },
};

/** The namespaces a cluster-wide default deny must not cover (kubernetes-default-deny.mdx "Best practice #2"). */
const SYSTEM_NAMESPACES = ['kube-system', 'calico-system', 'tigera-operator', 'kube-public'];

export const globalDefaultDenyTooBroad: LintRule = {
  id: 'calico/global-default-deny-too-broad',
  severity: Severity.ERROR,
  summary: "A GlobalNetworkPolicy isolates both directions of every endpoint, system namespaces and host endpoints included.",
  explanation:
    'A GNP whose selector is all() (or omitted) applies to every workload and host endpoint, including kube-system, calico-system, ' +
    'tigera-operator and kube-public; with types Ingress and Egress and no allow-all it cuts the control plane off ' +
    '(tigera/docs kubernetes-default-deny.mdx "Don\'t try this!", _selector-scopes.mdx). Exclude the system namespaces, e.g. ' +
    "selector: projectcalico.org/namespace not in {'kube-system', 'calico-system', 'tigera-operator', 'kube-public'} (with has(projectcalico.org/namespace) to leave host endpoints out).",
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind('GlobalNetworkPolicy').filter(isCalico)) {
      const spec = specOf(m);
      const types = effectiveTypes(spec);
      if (!types.includes('Ingress') || !types.includes('Egress')) continue;
      if (DIRECTIONS.some((d) => rulesOf(spec, d).some((r) => (r.action === 'Allow' || r.action === 'Pass') && matchesEverything(r)))) continue;
      const sel = spec.selector === undefined ? ({ op: 'all' } as CalicoSelector) : parsed(spec.selector);
      const nsSel = spec.namespaceSelector === undefined || spec.namespaceSelector === '' ? undefined : parsed(spec.namespaceSelector);
      if (!sel || (spec.namespaceSelector && !nsSel)) continue;
      const hit = SYSTEM_NAMESPACES.filter(
        (ns) => calicoSelectorMatches(sel, { 'projectcalico.org/namespace': ns }) && (!nsSel || calicoSelectorMatches(nsSel, { 'projectcalico.org/name': ns, 'kubernetes.io/metadata.name': ns })),
      );
      const hosts = !nsSel && calicoSelectorMatches(sel, {});
      if (hit.length === 0 && !hosts) continue;
      const what = [...(hit.length ? [`pods of ${hit.join(', ')}`] : []), ...(hosts ? ['host endpoints'] : [])].join(' and ');
      out.push({ manifest: m, path: spec.selector === undefined ? 'spec' : 'spec.selector', message: `isolates Ingress and Egress of every endpoint it selects, ${what} included, and has no rule that allows all traffic: whatever its rules do not allow is dropped there, so the control plane and Calico itself lose connectivity they need. Exclude the system namespaces, e.g. selector: "has(projectcalico.org/namespace) && projectcalico.org/namespace not in {'kube-system', 'calico-system', 'tigera-operator', 'kube-public'}".` });
    }
    return out;
  },
};

const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP', '6', '17', '132'];
const isNumericPort = (p: number | string) => typeof p === 'number' || /^\d+(:\d+)?$/.test(String(p));

export const portsNeedProtocol: LintRule = {
  id: 'calico/ports-need-protocol',
  severity: Severity.ERROR,
  summary: 'A rule with numeric ports does not set protocol TCP, UDP or SCTP.',
  explanation:
    'Calico\'s validator refuses "rules with numeric port or port range" unless protocol is TCP, UDP or SCTP; named ports need no ' +
    'protocol (libcalico-go lib/validator/v3/validator.go protocolPortsMsg).',
  check(index) {
    return perRule(index, (m, rule, path) => {
      const out: RuleViolation[] = [];
      const proto = rule.protocol === undefined ? undefined : String(rule.protocol).toUpperCase();
      if (proto !== undefined && PORT_PROTOCOLS.includes(proto)) return [];
      for (const side of ['source', 'destination'] as const) {
        for (const key of ['ports', 'notPorts'] as const) {
          const ports = rule[side]?.[key];
          if (!Array.isArray(ports) || !ports.some(isNumericPort)) continue;
          out.push({ manifest: m, path: `${path}.${side}.${key}`, message: `lists numeric ports (${ports.filter(isNumericPort).join(', ')}) but the rule's protocol is ${rule.protocol === undefined ? 'not set' : `'${String(rule.protocol)}'`}; Calico refuses numeric ports without protocol TCP, UDP or SCTP. Add protocol: TCP (or UDP, SCTP) to the rule.` });
        }
      }
      return out;
    });
  },
};

const familyOf = (cidr: string) => (cidr.includes(':') ? 6 : 4);

export const mixedIpFamilies: LintRule = {
  id: 'calico/mixed-ip-families',
  severity: Severity.ERROR,
  summary: 'A rule mixes IPv4 and IPv6 CIDRs, disagrees with its ipVersion, or negates a catch-all CIDR.',
  explanation:
    'Calico refuses a rule that "contains both IPv4 and IPv6 CIDRs" across source and destination nets/notNets, a rule whose CIDRs ' +
    'do not match its ipVersion, and notNets: 0.0.0.0/0 or ::/0 ("catch-all CIDR in negation") (libcalico-go validator.go validateRule). ' +
    'Split a dual-stack list into two rules, or use GlobalNetworkSets, which selectors match regardless of family.',
  check(index) {
    return perRule(index, (m, rule, path) => {
      const out: RuleViolation[] = [];
      const all: string[] = [];
      for (const side of ['source', 'destination'] as const) {
        for (const key of ['nets', 'notNets'] as const) {
          const nets = rule[side]?.[key];
          if (!Array.isArray(nets)) continue;
          all.push(...nets.map(String));
          if (key === 'notNets') {
            const catchAll = nets.find((n) => n === '0.0.0.0/0' || n === '::/0');
            if (catchAll) out.push({ manifest: m, path: `${path}.${side}.notNets`, message: `negates the catch-all '${catchAll}', which matches nothing; Calico refuses it. Remove it (to match everything, leave nets and notNets out).` });
          }
        }
      }
      const families = new Set(all.map(familyOf));
      if (families.size > 1) {
        out.push({ manifest: m, path, message: `mixes IPv4 and IPv6 CIDRs in its source and destination nets/notNets; Calico refuses the rule. Split it into one rule per family (with ipVersion: 4 and 6), or select GlobalNetworkSets by label.` });
      } else if (families.size === 1 && (rule.ipVersion === 4 || rule.ipVersion === 6) && !families.has(rule.ipVersion)) {
        out.push({ manifest: m, path: `${path}.ipVersion`, message: `is ${rule.ipVersion} but the rule's CIDRs are IPv${[...families][0]}; Calico refuses the rule. Set ipVersion: ${[...families][0]} or drop it.` });
      }
      return out;
    });
  },
};

/** Limits from calico api/pkg/apis/projectcalico/v3 (policy_common.go MaxItems, globalnetworkpolicy.go MaxItems/MaxLength). */
const MAX_NETS = 256;
const MAX_PORTS = 50;
const MAX_RULES = 1024;
const MAX_SELECTOR = 1024;

export const inlineNetsLimit: LintRule = {
  id: 'calico/inline-nets-limit',
  severity: Severity.ERROR,
  summary: 'A rule has more than 256 nets or 50 ports, a policy more than 1024 rules per direction, or a selector is over 1024 characters.',
  explanation:
    `Calico's API limits nets/notNets to ${MAX_NETS} entries, ports/notPorts to ${MAX_PORTS}, ingress and egress to ${MAX_RULES} rules each, ` +
    `and selectors to ${MAX_SELECTOR} characters (calico policy_common.go, globalnetworkpolicy.go). Put large CIDR lists into ` +
    'GlobalNetworkSets and select them by label.',
  check(index) {
    const out: RuleViolation[] = [];
    const selectorTooLong = (m: Manifest, path: string, s: unknown) => {
      if (typeof s === 'string' && s.length > MAX_SELECTOR) out.push({ manifest: m, path, message: `is ${formatCount(s.length)} characters long; Calico takes at most ${MAX_SELECTOR}. Label the endpoints or network sets and select by that label.` });
    };
    for (const m of calicoPolicies(index)) {
      const spec = specOf(m);
      for (const key of ['selector', 'namespaceSelector', 'serviceAccountSelector'] as const) selectorTooLong(m, `spec.${key}`, spec[key]);
      for (const dir of DIRECTIONS) {
        const rules = rulesOf(spec, dir);
        if (rules.length > MAX_RULES) out.push({ manifest: m, path: `spec.${dir}`, message: `has ${formatCount(rules.length)} rules; Calico takes at most ${MAX_RULES} per direction. Merge rules, or split the policy.` });
        rules.forEach((rule, i) => {
          for (const side of ['source', 'destination'] as const) {
            const e = rule[side];
            if (!e) continue;
            const p = `spec.${dir}[${i}].${side}`;
            for (const key of ['nets', 'notNets'] as const) {
              const n = e[key];
              if (Array.isArray(n) && n.length > MAX_NETS) out.push({ manifest: m, path: `${p}.${key}`, message: `has ${formatCount(n.length)} CIDRs; Calico takes at most ${MAX_NETS} per rule. Put them into GlobalNetworkSets (labelled) and match them with a selector (CalicoEgressBlock does this).` });
            }
            for (const key of ['ports', 'notPorts'] as const) {
              const n = e[key];
              if (Array.isArray(n) && n.length > MAX_PORTS) out.push({ manifest: m, path: `${p}.${key}`, message: `has ${n.length} ports; Calico takes at most ${MAX_PORTS} per rule. Use port ranges ('8000:8100') or split the rule.` });
            }
            for (const key of ['selector', 'notSelector', 'namespaceSelector'] as const) selectorTooLong(m, `${p}.${key}`, e[key]);
          }
        });
      }
    }
    return out;
  },
};

export const selectorAndNetsAnded: LintRule = {
  id: 'calico/selector-and-nets-anded',
  severity: Severity.WARNING,
  summary: 'An entity rule has both a selector and nets: it matches their intersection, not their union.',
  explanation:
    'Every match criterion of a Calico EntityRule must match (AND): destination {selector, nets} matches only endpoints or network ' +
    "sets that the selector picks AND whose addresses are in nets (tigera/docs _entityrule.mdx). For \"these sets or these CIDRs\" write two rules.",
  check(index) {
    return perRule(index, (m, rule, path) =>
      (['source', 'destination'] as const).flatMap((side) => {
        const e = rule[side];
        if (!e || !e.selector || !Array.isArray(e.nets) || e.nets.length === 0) return [];
        return [{ manifest: m, path: `${path}.${side}`, message: `has both selector "${e.selector}" and nets: Calico matches only addresses that satisfy both (an intersection). If you meant either, write one rule with the selector and another with the nets.` }];
      }),
    );
  },
};

export const ruleSelectorAllIsNotEverything: LintRule = {
  id: 'calico/rule-selector-all-is-not-everything',
  severity: Severity.WARNING,
  summary: 'A rule selector all() matches only known endpoints and network sets, not every address.',
  explanation:
    "In a rule, selector: all() matches packets from or to endpoints and network sets Calico knows, not the internet; to match every " +
    'packet leave the selector out (tigera/docs _entityrule.mdx: "A rule with a selector all() won\'t match \'all packets\'").',
  check(index) {
    return perRule(index, (m, rule, path) =>
      (['source', 'destination'] as const).flatMap((side) => {
        const sel = parsed(rule[side]?.selector);
        if (!sel || sel.op !== 'all') return [];
        return [{ manifest: m, path: `${path}.${side}.selector`, message: `is all(), which matches only endpoints and network sets Calico knows, not addresses outside the cluster. To match every ${side}, leave the selector out; to match known endpoints only, keep it and suppress this rule with a reason.` }];
      }),
    );
  },
};

export const namespacedPolicyCannotSeeGns: LintRule = {
  id: 'calico/namespaced-policy-cannot-see-gns',
  severity: Severity.ERROR,
  summary: 'A namespaced Calico NetworkPolicy selects GlobalNetworkSets without namespaceSelector: global().',
  explanation:
    "In a namespaced NetworkPolicy a rule's selector is scoped to the policy's namespace, so GlobalNetworkSets are matched only when " +
    'the rule has namespaceSelector: global() (tigera/docs _selector-scopes.mdx, globalnetworkset.mdx).',
  check(index) {
    const sets = index.ofKind('GlobalNetworkSet').filter(isCalico);
    return perRule(index, (m, rule, path) => {
      if (m.object.kind !== 'NetworkPolicy' || sets.length === 0) return [];
      return (['source', 'destination'] as const).flatMap((side) => {
        const e = rule[side];
        const sel = parsed(e?.selector);
        if (!e || !sel || (e.namespaceSelector !== undefined && e.namespaceSelector.trim() === 'global()')) return [];
        const hit = sets.filter((s) => calicoSelectorMatches(sel, labelsOf(s)));
        if (hit.length === 0) return [];
        return [{ manifest: m, path: `${path}.${side}.selector`, message: `matches the labels of GlobalNetworkSet '${identityOf(hit[0].object).name}'${hit.length > 1 ? ` and ${hit.length - 1} more` : ''}, but in a namespaced NetworkPolicy the selector only sees the policy's own namespace. Add namespaceSelector: global() to this ${side}, or use a GlobalNetworkPolicy.` }];
      });
    });
  },
};

export const gnsUnselected: LintRule = {
  id: 'calico/gns-unselected',
  severity: Severity.WARNING,
  summary: 'A GlobalNetworkSet has no labels, or no rule selector in these objects matches its labels.',
  explanation:
    "A GlobalNetworkSet contributes its CIDRs only to rules whose selector matches its labels (tigera/docs globalnetworkset.mdx); one " +
    'that nothing selects does nothing. Judged over the policies given, so a set meant for policies applied elsewhere is reported too.',
  check(index) {
    const selectors: { sel: CalicoSelector; global: boolean }[] = [];
    for (const m of calicoPolicies(index)) {
      const spec = specOf(m);
      for (const dir of DIRECTIONS) {
        for (const r of rulesOf(spec, dir)) {
          for (const side of ['source', 'destination'] as const) {
            const e = r[side];
            for (const text of [e?.selector, e?.notSelector]) {
              const sel = parsed(text);
              if (sel) selectors.push({ sel, global: m.object.kind === 'GlobalNetworkPolicy' || e?.namespaceSelector?.trim() === 'global()' });
            }
          }
        }
      }
    }
    const out: RuleViolation[] = [];
    for (const s of index.ofKind('GlobalNetworkSet').filter(isCalico)) {
      const labels = labelsOf(s);
      if (Object.keys(labels).length === 0) {
        out.push({ manifest: s, path: 'metadata.labels', message: 'has no labels, so no rule selector can match it and its CIDRs are never used. Label it and select it from a rule (destination: {selector: "<key> == \'<value>\'"}).' });
      } else if (!selectors.some(({ sel, global }) => global && calicoSelectorMatches(sel, labels))) {
        out.push({ manifest: s, path: 'metadata.labels', message: `is not matched by any rule selector of these Calico policies (its labels: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}), so its CIDRs are not used. Select it from a rule, or remove it.` });
      }
    }
    return out;
  },
};

const BUILTIN_TIERS = ['default', 'kube-admin', 'kube-baseline'];

export const tierMissing: LintRule = {
  id: 'calico/tier-missing',
  severity: Severity.ERROR,
  summary: 'A policy names a tier that is neither built in nor among these objects.',
  explanation:
    'spec.tier must name an existing Tier, or creating the policy fails ("check that the tier exists"; libcalico-go clientv3 ' +
    'globalnetworkpolicy.go). Built in: default, kube-admin, kube-baseline. Ship the Tier with its policies (and apply it first ' +
    'with the aggregated API server).',
  check(index) {
    const tiers = new Set(index.ofKind('Tier').filter(isCalico).map((t) => identityOf(t.object).name));
    const out: RuleViolation[] = [];
    for (const m of calicoPolicies(index)) {
      const tier = specOf(m).tier;
      if (!tier || BUILTIN_TIERS.includes(tier) || tiers.has(tier)) continue;
      out.push({ manifest: m, path: 'spec.tier', message: `names tier '${tier}', which is not a built-in tier (${BUILTIN_TIERS.join(', ')}) and is not among these objects; Calico refuses the policy until the tier exists. Add a Tier named '${tier}' (with an order) or fix the name.` });
    }
    return out;
  },
};

/** libcalico-go validator.go globalNetworkPolicyNameRegex / networkPolicyNameRegex: a DNS label with at most one dot. */
const POLICY_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const policyNameFormat: LintRule = {
  id: 'calico/policy-name-format',
  severity: Severity.ERROR,
  summary: "A Calico policy's name is not lowercase DNS labels with at most one dot, or uses the reserved knp.default. prefix.",
  explanation:
    'Calico refuses policy names outside ^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (validator.go; ' +
    "validator_test.go refuses 't.h.i.ng' and 'knp.default.thing'). The docs' looser description is not what the code checks.",
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of calicoPolicies(index)) {
      const { name } = identityOf(m.object);
      if (name.startsWith('knp.default.')) {
        out.push({ manifest: m, path: 'metadata.name', message: `'${name}' starts with 'knp.default.', which Calico reserves for converted Kubernetes NetworkPolicies. Choose another name.` });
      } else if (!POLICY_NAME.test(name)) {
        out.push({ manifest: m, path: 'metadata.name', message: `'${name}' is not a Calico policy name: expected lowercase letters, digits and '-', with at most one '.' (e.g. 'egress-blocking.geo'). Rename it.` });
      }
    }
    return out;
  },
};

export const crdV1BypassesValidation: LintRule = {
  id: 'calico/crd-v1-bypasses-validation',
  severity: Severity.WARNING,
  summary: 'A Calico policy uses crd.projectcalico.org/v1, which skips Calico\'s validation and defaulting.',
  explanation:
    'Objects written to the crd.projectcalico.org/v1 storage CRDs bypass the Calico API server: no validation and no defaulting (such ' +
    'as types), so a mistake is stored and acted on as written (projectcalico/api#60, calico#8510). Prefer projectcalico.org/v3 (the ' +
    "API server, or native v3 CRDs from Calico 3.32); netsec's lint re-checks Calico's validator rules either way.",
  check(index) {
    return calicoPolicies(index)
      .filter((m) => String(m.object.apiVersion).startsWith('crd.projectcalico.org/'))
      .map((m) => ({ manifest: m, path: 'apiVersion', message: `is crd.projectcalico.org/v1: the API server stores it without Calico's validation and defaulting (types is not filled in), so an invalid rule is silently mis-enforced. Use apiVersion: projectcalico.org/v3, and write types explicitly.` }));
  },
};

/** Felix `maxIpsetSize` default (felix/config/config_params.go); not used by the nftables dataplane. */
export const FELIX_MAX_IPSET_SIZE = 1_048_576;

export const ipsetSize: LintRule = {
  id: 'calico/ipset-size',
  severity: Severity.WARNING,
  summary: "The network sets one rule selector matches hold more addresses of one family than Felix's default maxIpsetSize.",
  explanation:
    `Felix turns the CIDRs of the network sets a selector matches into one ipset per IP family; maxIpsetSize defaults to ` +
    `${formatCount(FELIX_MAX_IPSET_SIZE)} members (felix config_params.go), beyond which Felix cannot program the set on the iptables ` +
    'dataplane. Raise maxIpsetSize in FelixConfiguration, or aggregate the list.',
  check(index) {
    const sets = index.ofKind('GlobalNetworkSet', 'NetworkSet').filter(isCalico);
    const out: RuleViolation[] = [];
    const seen = new Set<string>();
    perRule(index, (m, rule, path) => {
      for (const side of ['source', 'destination'] as const) {
        const text = rule[side]?.selector;
        const sel = parsed(text);
        if (!sel || seen.has(text!)) continue;
        seen.add(text!);
        const count = { 4: 0, 6: 0 };
        for (const s of sets) {
          if (!calicoSelectorMatches(sel, labelsOf(s))) continue;
          const nets = (s.object.spec as { nets?: unknown } | undefined)?.nets;
          if (!Array.isArray(nets)) continue;
          // An indexed loop with a local counter: ~5x faster than for-of over 100,000s of nets before V8 optimises it.
          let v6 = 0;
          for (let i = 0; i < nets.length; i++) {
            const n = nets[i];
            if ((typeof n === 'string' ? n : String(n)).includes(':')) v6++;
          }
          count[6] += v6;
          count[4] += nets.length - v6;
        }
        for (const fam of [4, 6] as const) {
          if (count[fam] <= FELIX_MAX_IPSET_SIZE) continue;
          out.push({ manifest: m, path: `${path}.${side}.selector`, message: `selects network sets with ${formatCount(count[fam])} IPv${fam} prefixes, more than Felix's default maxIpsetSize (${formatCount(FELIX_MAX_IPSET_SIZE)}); Felix cannot program the ipset. Raise maxIpsetSize in FelixConfiguration (the nftables dataplane has no such limit).` });
        }
      }
      return [];
    });
    return out;
  },
};

/** Every selector field of a policy with its path, and whether it is an EntityRule namespaceSelector (where global() may stand alone). */
function selectorFields(spec: PolicySpec): { path: string; text: unknown; entityNamespace: boolean }[] {
  const out: { path: string; text: unknown; entityNamespace: boolean }[] = [];
  for (const key of ['selector', 'namespaceSelector', 'serviceAccountSelector'] as const) if (spec[key] !== undefined) out.push({ path: `spec.${key}`, text: spec[key], entityNamespace: false });
  for (const dir of DIRECTIONS) {
    rulesOf(spec, dir).forEach((r, i) => {
      for (const side of ['source', 'destination'] as const) {
        const e = r[side];
        if (!e) continue;
        const p = `spec.${dir}[${i}].${side}`;
        for (const key of ['selector', 'notSelector', 'namespaceSelector'] as const) if (e[key] !== undefined) out.push({ path: `${p}.${key}`, text: e[key], entityNamespace: key === 'namespaceSelector' });
        if (e.serviceAccounts?.selector !== undefined) out.push({ path: `${p}.serviceAccounts.selector`, text: e.serviceAccounts.selector, entityNamespace: false });
      }
    });
  }
  return out;
}

export const selectorSyntax: LintRule = {
  id: 'calico/selector-syntax',
  severity: Severity.ERROR,
  summary: "A Calico selector does not parse, or uses global() other than as a rule's whole namespaceSelector.",
  explanation:
    "Calico parses selectors with libcalico-go's selector grammar (domain-notes §B.10: labels, quoted strings, ==, !=, in, not in, " +
    'contains, starts with, ends with, has(), all(), global(), !, &&, ||, parentheses) and refuses the object when one does not ' +
    'parse. global() is valid only as the entire namespaceSelector of a rule\'s source or destination (validator.go globalSelectorOnly).',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of calicoPolicies(index)) {
      for (const { path, text, entityNamespace } of selectorFields(specOf(m))) {
        if (typeof text !== 'string') continue;
        let sel: CalicoSelector;
        try {
          sel = parseCalicoSelector(text);
        } catch (e) {
          if (!(e instanceof CalicoSelectorError)) throw e;
          out.push({ manifest: m, path, message: `${JSON.stringify(text)} is not a Calico selector: ${e.message}. Example: "app == 'web' && has(tier)"; quote values and separate terms with && or ||.` });
          continue;
        }
        if (usesGlobal(sel) && !(entityNamespace && sel.op === 'global')) {
          out.push({ manifest: m, path, message: `${JSON.stringify(text)} uses global(), which Calico accepts only as the entire namespaceSelector of a rule's source or destination. Write namespaceSelector: global() on its own.` });
        }
      }
    }
    return out;
  },
};

const ACTIONS = ['Allow', 'Deny', 'Log', 'Pass'];
const PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPV6', 'SCTP', 'UDPLITE'];
const NAMED_PORT = /^[a-zA-Z0-9_.-]{1,128}$/;

function protocolProblem(p: unknown): string | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 1 && p <= 255 ? undefined : `${p} is not a protocol number (1-255)`;
  if (typeof p === 'string' && PROTOCOL_NAMES.includes(p.toUpperCase())) return undefined;
  return `${JSON.stringify(p)} is not a protocol`;
}

function portProblem(p: unknown): string | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 0 && p <= 65535 ? undefined : `${p} is not a port (0-65535)`;
  if (typeof p !== 'string') return `${JSON.stringify(p)} is not a port`;
  const range = /^(\d+):(\d+)$/.exec(p);
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    if (hi > 65535) return `'${p}' goes past 65535`;
    return lo <= hi ? undefined : `'${p}' has its start after its end`;
  }
  if (/^\d+$/.test(p)) return Number(p) <= 65535 ? undefined : `'${p}' is not a port (0-65535)`;
  return NAMED_PORT.test(p) ? undefined : `'${p}' is neither a port, a range 'min:max' nor a port name`;
}

export const ruleShape: LintRule = {
  id: 'calico/rule-shape',
  severity: Severity.ERROR,
  summary: 'A Calico rule has an unknown action, protocol or port, an HTTP match on a non-Allow rule, or invalid doNotTrack/preDNAT settings.',
  explanation:
    'Calico refuses: an action other than Allow, Deny, Log, Pass; a protocol other than TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255; ' +
    "ports that are not 0-65535, 'min:max' with min <= max, or a port name (numorstring/port.go); http matches on anything but Allow " +
    'rules; doNotTrack or preDNAT without applyOnForward: true, both together, and preDNAT with egress rules (policy_common.go, ' +
    'validator.go; domain-notes §B.11).',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of calicoPolicies(index)) {
      const spec = specOf(m);
      if ((spec.doNotTrack || spec.preDNAT) && spec.applyOnForward !== true) {
        out.push({ manifest: m, path: 'spec.applyOnForward', message: `must be true when ${spec.doNotTrack ? 'doNotTrack' : 'preDNAT'} is set; Calico refuses the policy. Set applyOnForward: true.` });
      }
      if (spec.doNotTrack && spec.preDNAT) out.push({ manifest: m, path: 'spec', message: 'sets both doNotTrack and preDNAT; Calico refuses the combination. Keep one.' });
      if (spec.preDNAT && rulesOf(spec, 'egress').length > 0) out.push({ manifest: m, path: 'spec.egress', message: 'has egress rules in a preDNAT policy; preDNAT applies to ingress only and Calico refuses egress rules. Remove them or move them to another policy.' });
    }
    out.push(...perRule(index, (m, rule, path) => {
      const v: RuleViolation[] = [];
      if (!ACTIONS.includes(String(rule.action))) v.push({ manifest: m, path: `${path}.action`, message: `${rule.action === undefined ? 'is missing' : `is ${JSON.stringify(rule.action)}`}; expected one of ${ACTIONS.join(', ')} (case-sensitive).` });
      for (const key of ['protocol', 'notProtocol'] as const) {
        const p = rule[key] === undefined ? undefined : protocolProblem(rule[key]);
        if (p) v.push({ manifest: m, path: `${path}.${key}`, message: `${p}; expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255.` });
      }
      for (const side of ['source', 'destination'] as const) {
        for (const key of ['ports', 'notPorts'] as const) {
          const ports = rule[side]?.[key];
          if (!Array.isArray(ports)) continue;
          ports.forEach((p, i) => {
            const problem = portProblem(p);
            if (problem) v.push({ manifest: m, path: `${path}.${side}.${key}[${i}]`, message: `${problem}; expected a number 0-65535, a range such as '8000:8100', or a named port.` });
          });
        }
      }
      if (rule.http !== undefined && rule.action !== 'Allow') v.push({ manifest: m, path: `${path}.http`, message: `is an HTTP match on a ${String(rule.action)} rule; Calico accepts http only on Allow rules. Use action: Allow, or drop http.` });
      return v;
    }));
    return out;
  },
};

export const icmpFields: LintRule = {
  id: 'calico/icmp-fields',
  severity: Severity.ERROR,
  summary: 'ICMP fields without protocol ICMP/ICMPv6, disagreeing with ipVersion, out of range, or a code without a type.',
  explanation:
    'Calico refuses icmp/notICMP unless protocol is ICMP or ICMPv6; ICMP needs ipVersion 4 and ICMPv6 ipVersion 6 when ipVersion is ' +
    'set; type is 0-254, code 0-255, and a code needs a type (policy_common.go CEL, validator.go; domain-notes §B.11).',
  check(index) {
    return perRule(index, (m, rule, path) => {
      const v: RuleViolation[] = [];
      const proto = rule.protocol === undefined ? undefined : String(rule.protocol).toUpperCase();
      for (const key of ['icmp', 'notICMP'] as const) {
        const icmp = rule[key];
        if (!icmp || typeof icmp !== 'object') continue;
        const p = `${path}.${key}`;
        if (proto !== 'ICMP' && proto !== 'ICMPV6' && proto !== '1' && proto !== '58') {
          v.push({ manifest: m, path: p, message: `needs protocol: ICMP or ICMPv6 on the rule (it is ${rule.protocol === undefined ? 'not set' : `'${String(rule.protocol)}'`}); Calico refuses ICMP fields otherwise. Add protocol: ICMP (or ICMPv6).` });
        } else if (rule.ipVersion !== undefined) {
          const want = proto === 'ICMP' || proto === '1' ? 4 : 6;
          if (rule.ipVersion !== want) v.push({ manifest: m, path: `${path}.ipVersion`, message: `is ${rule.ipVersion} but protocol ${String(rule.protocol)} is IPv${want}-only; Calico refuses the rule. Set ipVersion: ${want} or drop it.` });
        }
        if (icmp.type !== undefined && !(Number.isInteger(icmp.type) && icmp.type >= 0 && icmp.type <= 254)) v.push({ manifest: m, path: `${p}.type`, message: `is ${JSON.stringify(icmp.type)}; expected an ICMP type 0-254 (255 is reserved).` });
        if (icmp.code !== undefined && !(Number.isInteger(icmp.code) && icmp.code >= 0 && icmp.code <= 255)) v.push({ manifest: m, path: `${p}.code`, message: `is ${JSON.stringify(icmp.code)}; expected an ICMP code 0-255.` });
        if (icmp.code !== undefined && icmp.type === undefined) v.push({ manifest: m, path: `${p}.code`, message: 'is set without a type; Calico refuses an ICMP code without its type. Add type (e.g. type: 3 for destination unreachable).' });
      }
      return v;
    });
  },
};

export const CALICO_POLICY_RULES: readonly LintRule[] = [
  selectorSyntax, ruleShape, icmpFields, portsNeedProtocol, mixedIpFamilies, inlineNetsLimit, policyNameFormat, tierMissing,
  typesDefaultIngress, globalDefaultDenyTooBroad, logAfterTerminalAction, logOnlyPolicyDrops, tierWithoutTerminalAction,
  defaultTierAllowOverridesKnp, selectorAndNetsAnded, ruleSelectorAllIsNotEverything, namespacedPolicyCannotSeeGns, gnsUnselected, crdV1BypassesValidation, ipsetSize,
];
