import { NetsecError } from '../../core/errors.js';
import { Feature } from '../../core/features.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { WireSelector, maySelectNamespace, selectsEverything, withoutSource } from '../selectors.js';

// The wire form of Cilium policy rules (CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy `spec` and `specs[]`, as the
// API server stores them), and the plumbing that turns a pure check over one rule or one rule entry into a lint rule.
// The constructs (src/cilium/policy-base.ts) call the same check functions on the rules they render.

/** One entry of `egress`, `egressDeny`, `ingress` or `ingressDeny`, as plain JSON. */
export type WireEntry = Record<string, unknown>;

/** A Cilium rule (`spec` or one of `specs[]`) as plain JSON. */
export interface WireRule {
  readonly endpointSelector?: WireSelector;
  readonly nodeSelector?: WireSelector;
  readonly egress?: WireEntry[];
  readonly egressDeny?: WireEntry[];
  readonly ingress?: WireEntry[];
  readonly ingressDeny?: WireEntry[];
  readonly enableDefaultDeny?: { readonly egress?: boolean; readonly ingress?: boolean };
  readonly [key: string]: unknown;
}

export const SECTIONS = ['egress', 'egressDeny', 'ingress', 'ingressDeny'] as const;
export type Section = (typeof SECTIONS)[number];

export const CILIUM_POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** What a check needs to know about the policy a rule belongs to. */
export interface RuleContext {
  /** The target's features (a `Target`): checks are version-gated through it, never by comparing versions. */
  readonly target: { has(feature: Feature): boolean };
  /** Whether the policy is a CiliumClusterwideNetworkPolicy. */
  readonly clusterwide: boolean;
  /** The policy's namespace; undefined for a clusterwide policy (or a namespaced one that names none). */
  readonly namespace?: string;
}

/** What a check needs to know about the section an entry is in. */
export interface EntryContext extends RuleContext {
  readonly section: Section;
  /** The rule selects nodes (`nodeSelector`): a host policy. */
  readonly hostPolicy: boolean;
}

/** One problem a check found, at a path relative to what it was given ('' for the thing itself, else `.field[0]...`). */
export interface Problem {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
  /** The rule's severity unless the problem says otherwise. */
  readonly severity?: Severity;
}

/** A check over one wire entry of a rule. Pure: the same input gives the same problems. */
export type EntryCheck = (entry: WireEntry, ctx: EntryContext) => Problem[];
/** A check over one wire rule as a whole. */
export type RuleCheck = (rule: WireRule, ctx: RuleContext) => Problem[];

/** `egress`/`egressDeny` → 'egress'. */
export function directionOf(section: Section): 'egress' | 'ingress' {
  return section.startsWith('egress') ? 'egress' : 'ingress';
}

export function isDeny(section: Section): boolean {
  return section.endsWith('Deny');
}

/** A field that should be a list, as a list (anything else as empty; the schema reports wrong types). */
export function list<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rules of a Cilium policy object: `spec`, and each of `specs[]`, with their paths. */
export function rulesOf(m: Manifest): { rule: WireRule; path: string }[] {
  const out: { rule: WireRule; path: string }[] = [];
  if (isObject(m.object.spec)) out.push({ rule: m.object.spec as WireRule, path: 'spec' });
  list(m.object.specs).forEach((r, i) => isObject(r) && out.push({ rule: r as WireRule, path: `specs[${i}]` }));
  return out;
}

/** The context of a policy object's rules. */
export function contextOf(index: ManifestIndex, m: Manifest): RuleContext {
  const clusterwide = m.object.kind === 'CiliumClusterwideNetworkPolicy';
  const namespace = clusterwide ? undefined : identityOf(m.object).namespace;
  return { target: index.target, clusterwide, ...(namespace ? { namespace } : {}) };
}

/** Runs an entry check over every entry of one rule; paths are relative to the rule (`.egress[0].toPorts[1]`). */
export function checkEntries(rule: WireRule, ctx: RuleContext, check: EntryCheck): Problem[] {
  const out: Problem[] = [];
  const hostPolicy = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
  for (const section of SECTIONS) {
    list<WireEntry>(rule[section]).forEach((entry, i) => {
      if (!isObject(entry)) return;
      for (const p of check(entry, { ...ctx, section, hostPolicy })) out.push({ ...p, path: `.${section}[${i}]${p.path}` });
    });
  }
  return out;
}

/** The texts a lint rule is documented by. */
export interface RuleDoc {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly explanation: string;
}

/** A lint rule over every rule of every Cilium policy, from a check over one wire rule. */
export function ruleFromCheck(doc: RuleDoc, check: RuleCheck): LintRule {
  return {
    ...doc,
    check(index) {
      const out: RuleViolation[] = [];
      for (const m of index.ofKind(...CILIUM_POLICY_KINDS)) {
        const ctx = contextOf(index, m);
        for (const { rule, path } of rulesOf(m)) {
          for (const p of check(rule, ctx)) {
            if (p.ruleId !== doc.id) continue;
            out.push({ manifest: m, path: `${path}${p.path}`, message: p.message, ...(p.severity ? { severity: p.severity } : {}) });
          }
        }
      }
      return out;
    },
  };
}

/** A lint rule over every entry of every Cilium policy rule, from a check over one wire entry. */
export function ruleFromEntryCheck(doc: RuleDoc, check: EntryCheck): LintRule {
  return ruleFromCheck(doc, (rule, ctx) => checkEntries(rule, ctx, check));
}

/** The peer (L3) fields of an entry, by direction. */
const PEER_KEYS = {
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'],
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'],
} as const;
export type Direction = keyof typeof PEER_KEYS;

/** The peer fields an entry sets. */
export function peerKeys(entry: WireEntry, d: Direction): string[] {
  return PEER_KEYS[d].filter((k) => entry[k] !== undefined && entry[k] !== null);
}

/**
 * Whether a peer selector names its namespace (`io.kubernetes.pod.namespace`, or a namespace label): in a
 * CiliumNetworkPolicy one that does not matches only the policy's own namespace (domain-notes finding 2).
 */
export function namesNamespace(sel: WireSelector): boolean {
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)].map(withoutSource);
  return keys.some((k) => k === POD_NAMESPACE || k.startsWith('io.cilium.k8s.namespace.labels.'));
}

/**
 * Whether allow entry `wide` (of a policy in `wideCtx`) certainly reaches every peer of `narrow` (in `narrowCtx`), as
 * written: no peer field (every peer), entity all, entity world for peers outside the cluster (CIDRs, names), entity
 * cluster or `{}` for pod selectors, or the same peers. Conservative: false when it cannot tell, so a check that
 * looks for a covering allow reports rather than assumes one.
 */
export function peersCover(wide: WireEntry, wideCtx: RuleContext, narrow: WireEntry, narrowCtx: RuleContext, d: Direction): boolean {
  const wideKeys = peerKeys(wide, d);
  if (wideKeys.length === 0) return true;
  const entities = list<unknown>(wide[d === 'egress' ? 'toEntities' : 'fromEntities']);
  if (entities.includes('all')) return true;
  const narrowKeys = peerKeys(narrow, d);
  if (narrowKeys.length === 0) return false;
  const outside = [`${d === 'egress' ? 'to' : 'from'}CIDR`, `${d === 'egress' ? 'to' : 'from'}CIDRSet`, 'toFQDNs'];
  if (entities.includes('world') && narrowKeys.every((k) => outside.includes(k))) return true;
  const endpointsKey = d === 'egress' ? 'toEndpoints' : 'fromEndpoints';
  const sameScope = wideCtx.clusterwide === narrowCtx.clusterwide && wideCtx.namespace === narrowCtx.namespace;
  if (narrowKeys.every((k) => k === endpointsKey)) {
    const selectors = list<unknown>(narrow[endpointsKey]).filter(isObject) as WireSelector[];
    if (entities.includes('cluster')) return true;
    const wideSelectors = list<unknown>(wide[endpointsKey]).filter(isObject) as WireSelector[];
    // `{}` in a clusterwide policy is every pod; in a namespaced one, every pod of its namespace.
    if (wideSelectors.some(selectsEverything)) {
      if (wideCtx.clusterwide) return true;
      if (!narrowCtx.clusterwide && narrowCtx.namespace === wideCtx.namespace && selectors.every((s) => !namesNamespace(s))) return true;
    }
    if (sameScope && selectors.every((s) => wideSelectors.some((w) => JSON.stringify(w) === JSON.stringify(s)))) return true;
  }
  return (sameScope || !narrowKeys.includes(endpointsKey)) && PEER_KEYS[d].every((k) => JSON.stringify(wide[k] ?? null) === JSON.stringify(narrow[k] ?? null));
}

/** One item of a port rule's `ports` as plain JSON. */
export interface PortItem { readonly port?: unknown; readonly endPort?: unknown; readonly protocol?: unknown }

/** The first and last port of a numeric item ('0' or none: every port); undefined for a named port. */
export function rangeOf(p: PortItem): [number, number] | undefined {
  const text = String(p.port ?? '0');
  if (!/^\d+$/.test(text)) return undefined;
  const first = Number(text);
  if (first === 0) return [0, 65535];
  return [first, typeof p.endPort === 'number' && p.endPort > first ? p.endPort : first];
}

/**
 * Whether port item `outer` lets through `protocol` traffic to every port `inner` names: omitted or ANY protocol is
 * TCP, UDP and SCTP; port 0 (or none) every port; a range holds a port or range inside it; a name only the same name
 * (a name never matches a number: it resolves against the destination's container ports).
 */
export function portItemCovers(outer: PortItem, inner: PortItem, protocol: 'TCP' | 'UDP' | 'SCTP'): boolean {
  const written = typeof outer.protocol === 'string' && outer.protocol ? outer.protocol.toUpperCase() : 'ANY';
  if (written !== 'ANY' && written !== protocol) return false;
  const o = rangeOf(outer);
  if (o && o[0] === 0) return true;
  const i = rangeOf(inner);
  if (!o || !i) return !o && !i && String(outer.port).toLowerCase() === String(inner.port).toLowerCase();
  return o[0] <= i[0] && i[1] <= o[1];
}

/** A message quoting a value as the user wrote it: `'x'` for strings, JSON otherwise. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** The pods (or nodes) a rule applies to, and where: what "the same endpoints" means across policies. */
export interface Subject {
  readonly clusterwide: boolean;
  readonly namespace?: string;
  readonly node: boolean;
  readonly selector: WireSelector;
  /** The selector's requirements as comparable strings, computed once (rules are compared pairwise). */
  readonly requirements: ReadonlySet<string>;
}

const POD_NAMESPACE = 'io.kubernetes.pod.namespace';

export function subjectOf(rule: WireRule, ctx: RuleContext): Subject {
  const node = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
  const base = { clusterwide: ctx.clusterwide, ...(ctx.namespace ? { namespace: ctx.namespace } : {}), node, selector: (node ? rule.nodeSelector : rule.endpointSelector) ?? {} };
  return { ...base, requirements: requirementsOf(base) };
}

function requirementsOf(s: Omit<Subject, 'requirements'>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(s.selector.matchLabels ?? {})) out.add(`${withoutSource(k)}=${String(v)}`);
  for (const e of s.selector.matchExpressions ?? []) out.add(`${withoutSource(e.key)} ${e.operator} (${[...(e.values ?? [])].sort().join(',')})`);
  // A CiliumNetworkPolicy selects only pods of its own namespace (domain-notes finding 2).
  if (!s.clusterwide && s.namespace) out.add(`${POD_NAMESPACE}=${s.namespace}`);
  return out;
}

/**
 * Whether every endpoint `b` selects is certainly selected by `a` too: same kind of endpoint (pods or nodes), and every
 * requirement of `a` is one of `b`'s (a selector with fewer requirements selects more). Conservative: false when it
 * cannot tell, so a rule that needs another rule's help reports rather than assumes it.
 */
export function subjectCovers(a: Subject, b: Subject): boolean {
  if (a.node !== b.node) return false;
  if (!a.clusterwide && (a.namespace === undefined || a.namespace !== b.namespace)) return false;
  for (const r of a.requirements) {
    if (b.requirements.has(r)) continue;
    // A namespace requirement of a clusterwide rule (`namespace NotIn (kube-system)`, `namespace=shop`) is decided by
    // the namespace of a CiliumNetworkPolicy, whose pods all live there.
    if (a.clusterwide && !b.clusterwide && b.namespace !== undefined && namespaceRequirementHolds(a.selector, r, b.namespace)) continue;
    return false;
  }
  return true;
}

/** Whether requirement `r` (one of `selector`'s, as requirementsOf writes it) is about the pod namespace and holds for `namespace`. */
function namespaceRequirementHolds(selector: WireSelector, r: string, namespace: string): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (withoutSource(k) === POD_NAMESPACE && r === `${POD_NAMESPACE}=${String(v)}`) return v === namespace;
  }
  for (const e of selector.matchExpressions ?? []) {
    if (withoutSource(e.key) !== POD_NAMESPACE || r !== `${POD_NAMESPACE} ${e.operator} (${[...(e.values ?? [])].sort().join(',')})`) continue;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': return values.includes(namespace);
      case 'NotIn': return !values.includes(namespace);
      case 'Exists': return true;
      default: return false;
    }
  }
  return false;
}

/**
 * Whether two subjects may share an endpoint, as written: the same kind (pods or nodes), namespaces that can meet,
 * and no label both require with different values. True when it cannot tell (expressions are not compared), so a
 * check that asks "could another rule help" does not rule a helper out on a guess.
 */
export function subjectsMayOverlap(a: Subject, b: Subject): boolean {
  if (a.node !== b.node) return false;
  if (!a.clusterwide && !b.clusterwide && a.namespace !== b.namespace) return false;
  // A clusterwide selector's namespace requirement against a namespaced policy's namespace.
  for (const [wide, narrow] of [[a, b], [b, a]] as const) {
    if (wide.clusterwide && !narrow.clusterwide && narrow.namespace !== undefined && !maySelectNamespace(wide.selector, narrow.namespace)) return false;
  }
  const labelsOf = (s: Subject) => new Map(Object.entries(s.selector.matchLabels ?? {}).map(([k, v]) => [withoutSource(k), String(v)]));
  const la = labelsOf(a);
  for (const [k, v] of labelsOf(b)) if (la.has(k) && la.get(k) !== v) return false;
  return true;
}

/**
 * For each rule, the rules that apply to at least its endpoints (itself included). Only clusterwide rules and rules of
 * the same namespace can, so each rule is compared with those alone.
 */
export function coveringRules<R extends { subject: Subject }>(rules: readonly R[]): (r: R) => R[] {
  const clusterwide = rules.filter((r) => r.subject.clusterwide);
  const byNamespace = new Map<string, R[]>();
  for (const r of rules) {
    if (r.subject.clusterwide || r.subject.namespace === undefined) continue;
    byNamespace.set(r.subject.namespace, [...(byNamespace.get(r.subject.namespace) ?? []), r]);
  }
  return (r) => [...clusterwide, ...(r.subject.namespace !== undefined ? byNamespace.get(r.subject.namespace) ?? [] : [])].filter((o) => subjectCovers(o.subject, r.subject));
}

/** Every rule of every Cilium policy in the index, with its subject, path and context. */
export function allRules(index: ManifestIndex): { manifest: Manifest; rule: WireRule; path: string; ctx: RuleContext; subject: Subject }[] {
  return index.ofKind(...CILIUM_POLICY_KINDS).flatMap((m) => {
    const ctx = contextOf(index, m);
    return rulesOf(m).map(({ rule, path }) => ({ manifest: m, rule, path, ctx, subject: subjectOf(rule, ctx) }));
  });
}

/**
 * A construct's error for a problem a lint rule's check found in what the construct was asked to build: the rule id
 * first, then who and where, then the rule's message (`cilium/x: CiliumNetworkPolicy 'ns/p' at egress[0].toPorts: ...`).
 */
export function constructError(who: string, problem: Problem, hint = ''): NetsecError {
  const at = problem.path ? ` at ${problem.path.replace(/^\./, '')}` : '';
  return new NetsecError('INVALID', `${problem.ruleId}: ${who}${at}: ${problem.message}${hint ? ` ${hint}` : ''}`);
}
