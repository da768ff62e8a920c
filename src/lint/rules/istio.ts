import { Cidr } from '../../cidr/cidr.js';
import { FEATURES, Feature } from '../../core/features.js';
import { Target } from '../../core/target.js';
import { Product } from '../../core/versions.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { own } from '../../core/own.js';
import { WORKLOAD_KINDS, podTemplateOf } from '../workloads.js';

// Istio AuthorizationPolicy and PeerAuthentication checks (domain-notes §A.8, §B.12, §B.13, §C.3). istiod's validating
// webhook refuses what `authorizationPolicyProblems` calls errors (IST pkg/config/validation/validation.go,
// ValidateAuthorizationPolicy); the other rules judge policies istiod accepts but that very likely do not do what the
// author meant. Each check is a pure function over the wire object, shared by the lint rules and by the constructs
// (`AuthorizationPolicy`), which throw the first error where the policy is declared.

/** One problem in one object: where (a dotted path below the object, '' for the whole) and what. */
export interface IstioProblem {
  readonly path: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

/** `meshConfig.rootNamespace` of the Istio distributions netsec knows: upstream, and the AKS add-on (aks-istio-system). */
export const DEFAULT_ROOT_NAMESPACES = ['istio-system', 'aks-istio-system'] as const;

/** The `when` keys Istio documents (istio.io docs/reference/config/security/conditions); `[...]` keys take a name. */
export const CONDITION_KEYS = [
  'request.headers[]',
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.principal',
  'source.serviceAccount',
  'source.trustDomain',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'request.auth.claims[]',
  'destination.ip',
  'destination.port',
  'connection.sni',
] as const;
/** Condition keys that carry an identity: a CUSTOM policy cannot use them (its provider authorizes before identity is known). */
const IDENTITY_KEYS = /^(source\.principal|source\.namespace|source\.serviceAccount|request\.auth\.)/;
const HTTP_KEYS = /^(request\.)/;
const IP_KEYS = new Set(['source.ip', 'remote.ip', 'destination.ip']);
/** Condition keys and source fields that only some Istio lines know (pkg/config/security/security.go, the CRDs per tag). */
const GATED_KEYS: Record<string, Feature> = {
  'source.serviceAccount': Feature.ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT,
  'source.trustDomain': Feature.ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN,
};
const GATED_SOURCE_FIELDS: Record<string, Feature> = {
  serviceAccounts: Feature.ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT,
  notServiceAccounts: Feature.ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT,
  trustDomains: Feature.ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN,
  notTrustDomains: Feature.ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN,
};

const SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
  'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains',
] as const;
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
/** Fields only an HTTP request has: on a TCP connection a proxy cannot evaluate them. */
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'] as const;
const IDENTITY_SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces'] as const;
const IP_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
export const MAX_TARGET_REFS = 16;

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.map(String) : [];
}

function isIpOrCidr(text: string): boolean {
  try {
    Cidr.parse(text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`);
    return true;
  } catch {
    return false;
  }
}

function isPort(text: string): boolean {
  return /^[0-9]+$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

/**
 * Istio's path templates (1.22+): `{*}` matches one segment and `{**}` the rest of the path, last only; a template
 * must be a whole segment and cannot mix with a `*` prefix/suffix match (validation.go `validatePathTemplate`).
 */
export function pathTemplateProblem(path: string): string | undefined {
  if (!path.includes('{') && !path.includes('}')) return undefined;
  const segments = path.split('/');
  for (const [i, seg] of segments.entries()) {
    if (!seg.includes('{') && !seg.includes('}')) continue;
    if (seg !== '{*}' && seg !== '{**}') return `segment '${seg}' is not a path template operator; use '{*}' (one segment) or '{**}' (the rest of the path) as a whole segment`;
    if (seg === '{**}' && i !== segments.length - 1) return "'{**}' must be the last segment";
  }
  if (path.startsWith('*') || path.endsWith('*')) return "a path template cannot be combined with a '*' prefix or suffix match";
  return undefined;
}

/** Where a policy applies, in words: 'every workload in the mesh', "workloads with app: sample in namespace 'foo'". */
export function authorizationScope(namespace: string, spec: Json, rootNamespaces: readonly string[]): string {
  const labels = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? Object.entries(spec.selector.matchLabels).map(([k, v]) => `${k}: ${String(v)}`) : [];
  const refs = Array.isArray(spec.targetRefs) ? spec.targetRefs.filter(isObject).map((r) => `${String(r.kind)} '${String(r.name)}'`) : isObject(spec.targetRef) ? [`${String(spec.targetRef.kind)} '${String(spec.targetRef.name)}'`] : [];
  const root = rootNamespaces.includes(namespace);
  if (refs.length) return `${refs.join(', ')} in namespace '${namespace}'`;
  if (labels.length) return root ? `every workload labelled ${labels.join(', ')} in every namespace of the mesh` : `the workloads labelled ${labels.join(', ')} in namespace '${namespace}'`;
  return root ? 'every workload in the mesh' : `every workload in namespace '${namespace}'`;
}

/** The action of a policy (ALLOW when absent, as Istio reads it). */
export function actionOf(spec: Json): string {
  return spec.action === undefined ? 'ALLOW' : String(spec.action);
}

/**
 * What istiod refuses in an AuthorizationPolicy spec (`istio/authz-structural-errors`), with paths below `spec`.
 * Every message says what was found, what Istio expects, and how to fix it.
 */
export function authorizationPolicyProblems(spec: Json, target?: Target): IstioProblem[] {
  const out: IstioProblem[] = [];
  // A field or key the target's Istio line does not know: istiod refuses an unknown condition key, and the line's CRD
  // prunes an unknown source field, which silently widens the source. Without an Istio version nothing is gated.
  const istio = target?.version(Product.ISTIO);
  const missing = (feature: Feature): string | undefined =>
    istio !== undefined && !target!.has(feature) ? `only from Istio ${FEATURES[feature].since} (target '${target!.name}' runs Istio ${istio})` : undefined;
  const add = (path: string, message: string) => out.push({ path, message });
  const action = actionOf(spec);
  const rules = spec.rules;
  if (!['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(action)) add('spec.action', `action ${JSON.stringify(spec.action)} is not one of ALLOW, DENY, AUDIT, CUSTOM.`);
  if ((action === 'DENY' || action === 'CUSTOM') && (!Array.isArray(rules) || rules.length === 0)) {
    add('spec', `a ${action} policy without rules never matches, and istiod refuses it as meaningless; add an empty rule {} to ${action === 'DENY' ? 'deny' : 'send'} every request${action === 'DENY' ? ' (denyAll)' : ' to the provider'}, or rules that say which requests.`);
  }
  const provider = isObject(spec.provider) ? spec.provider : undefined;
  if (action === 'CUSTOM' && !(provider && typeof provider.name === 'string' && provider.name !== '')) {
    add('spec.provider', 'a CUSTOM policy needs provider.name, the name of an extension provider in meshConfig.extensionProviders; name it.');
  }
  if (action !== 'CUSTOM' && spec.provider !== undefined) {
    add('spec.provider', `provider is only for action CUSTOM (this policy is ${action}); remove it or set action: CUSTOM.`);
  }
  const hasSelector = spec.selector !== undefined;
  const hasRefs = spec.targetRef !== undefined || spec.targetRefs !== undefined;
  if (hasSelector && hasRefs) add('spec', 'selector and targetRef(s) are both set; Istio takes one way to pick workloads. Keep selector for sidecars, or targetRefs for gateways and waypoints.');
  if (spec.targetRef !== undefined && spec.targetRefs !== undefined) add('spec.targetRef', 'targetRef and targetRefs are both set; use targetRefs only.');
  if (Array.isArray(spec.targetRefs) && spec.targetRefs.length > MAX_TARGET_REFS) add('spec.targetRefs', `has ${spec.targetRefs.length} entries; Istio takes at most ${MAX_TARGET_REFS}. Split the policy.`);
  if (Array.isArray(spec.targetRefs)) {
    spec.targetRefs.forEach((r, i) => {
      if (!isObject(r) || typeof r.kind !== 'string' || !r.kind || typeof r.name !== 'string' || !r.name) add(`spec.targetRefs[${i}]`, 'a target reference needs kind and name (for example kind: Gateway, group: gateway.networking.k8s.io, name: my-gateway).');
    });
  }
  if (!Array.isArray(rules)) return out;
  rules.forEach((rule, r) => {
    const at = `spec.rules[${r}]`;
    if (!isObject(rule)) return add(at, 'a rule must be an object with from, to and when (all optional); {} matches every request.');
    if (Array.isArray(rule.from) && rule.from.length === 0) add(`${at}.from`, 'from: [] is refused by istiod; leave from out to match every source, or list sources.');
    if (Array.isArray(rule.to) && rule.to.length === 0) add(`${at}.to`, 'to: [] is refused by istiod; leave to out to match every operation, or list operations.');
    (Array.isArray(rule.from) ? rule.from : []).forEach((f, i) => {
      const p = `${at}.from[${i}].source`;
      const source = isObject(f) && isObject(f.source) ? f.source : undefined;
      if (!source || SOURCE_FIELDS.every((k) => source[k] === undefined)) return add(p, 'a source must set at least one field (principals, namespaces, ipBlocks, remoteIpBlocks, requestPrincipals or their not* forms); an empty source is refused. Leave the from entry out to match every source.');
      for (const k of SOURCE_FIELDS) if (Array.isArray(source[k]) && (source[k] as unknown[]).length === 0) add(`${p}.${k}`, `${k}: [] is refused by istiod (an empty list); remove the key or list values.`);
      for (const [k, feature] of Object.entries(GATED_SOURCE_FIELDS)) {
        const gate = source[k] !== undefined ? missing(feature) : undefined;
        if (gate) add(`${p}.${k}`, `${k} exists ${gate}; that line's CRD drops the field, so the source would match more than written. Use principals (cluster.local/ns/<namespace>/sa/<name>) instead.`);
      }
      if ((source.serviceAccounts !== undefined || source.notServiceAccounts !== undefined) && (source.principals !== undefined || source.notPrincipals !== undefined || source.namespaces !== undefined || source.notNamespaces !== undefined)) {
        add(p, 'serviceAccounts cannot be combined with principals or namespaces in one source; use one of them.');
      }
      for (const k of IP_FIELDS) {
        for (const [j, ip] of strings(source[k]).entries()) if (!isIpOrCidr(ip)) add(`${p}.${k}[${j}]`, `${JSON.stringify(ip)} is not an IP address or CIDR; write it as 192.0.2.1 or 192.0.2.0/24.`);
      }
      if (actionOfRuleIsCustom(action)) {
        for (const k of IDENTITY_SOURCE_FIELDS) if (source[k] !== undefined) add(`${p}.${k}`, `a CUSTOM policy cannot use identity fields (${k}): the provider authorizes before Istio's identity checks. Move the identity condition into an ALLOW or DENY policy.`);
      }
    });
    (Array.isArray(rule.to) ? rule.to : []).forEach((t, i) => {
      const p = `${at}.to[${i}].operation`;
      const op = isObject(t) && isObject(t.operation) ? t.operation : undefined;
      if (!op || OPERATION_FIELDS.every((k) => op[k] === undefined)) return add(p, 'an operation must set at least one field (hosts, ports, methods, paths or their not* forms); an empty operation is refused. Leave the to entry out to match every operation.');
      for (const k of OPERATION_FIELDS) if (Array.isArray(op[k]) && (op[k] as unknown[]).length === 0) add(`${p}.${k}`, `${k}: [] is refused by istiod (an empty list); remove the key or list values.`);
      for (const k of ['ports', 'notPorts'] as const) {
        for (const [j, port] of strings(op[k]).entries()) if (!isPort(port)) add(`${p}.${k}[${j}]`, `${JSON.stringify(port)} is not a port; ports are numbers 1-65535 written as strings ("8080").`);
      }
      for (const k of ['paths', 'notPaths'] as const) {
        for (const [j, path] of strings(op[k]).entries()) {
          const problem = pathTemplateProblem(path);
          if (problem) add(`${p}.${k}[${j}]`, `${JSON.stringify(path)} is not a valid path template: ${problem}.`);
        }
      }
    });
    (Array.isArray(rule.when) ? rule.when : []).forEach((w, i) => {
      const p = `${at}.when[${i}]`;
      if (!isObject(w)) return add(p, 'a condition must be an object with key and values or notValues.');
      const key = typeof w.key === 'string' ? w.key : '';
      if (!key) return add(`${p}.key`, `a condition needs a key, one of: ${CONDITION_KEYS.join(', ')}.`);
      const base = key.replace(/\[[^\]]+\]$/, '[]');
      if (!(CONDITION_KEYS as readonly string[]).includes(base) && !key.startsWith('experimental.envoy.filters.')) {
        add(`${p}.key`, `${JSON.stringify(key)} is not a condition key Istio knows; expected one of: ${CONDITION_KEYS.join(', ')} (names in [...]).`);
      } else if (GATED_KEYS[key] && missing(GATED_KEYS[key]!)) {
        add(`${p}.key`, `condition key ${JSON.stringify(key)} exists ${missing(GATED_KEYS[key]!)}; istiod refuses it as an unknown attribute. Use source.principal instead.`);
      } else if (base.endsWith('[]') && !/\[[^\]]+\]$/.test(key)) {
        add(`${p}.key`, `${JSON.stringify(key)} needs a name in brackets, for example ${key.replace(/\[\]$/, '')}[x-token].`);
      }
      const values = strings(w.values);
      const notValues = strings(w.notValues);
      if (values.length === 0 && notValues.length === 0) add(p, `condition ${JSON.stringify(key)} has neither values nor notValues; istiod refuses it. List the values it must (values) or must not (notValues) have.`);
      if (IP_KEYS.has(key)) for (const v of [...values, ...notValues]) if (!isIpOrCidr(v)) add(p, `${JSON.stringify(v)} is not an IP address or CIDR, as ${key} needs.`);
      if (key === 'destination.port') for (const v of [...values, ...notValues]) if (!isPort(v)) add(p, `${JSON.stringify(v)} is not a port (1-65535), as destination.port needs.`);
      if (actionOfRuleIsCustom(action) && IDENTITY_KEYS.test(key)) add(`${p}.key`, `a CUSTOM policy cannot use identity conditions (${key}): the provider authorizes before Istio's identity checks. Move it into an ALLOW or DENY policy.`);
    });
  });
  return out;
}

function actionOfRuleIsCustom(action: string): boolean {
  return action === 'CUSTOM';
}

/** The HTTP-only attributes a rule uses, as `to.operation.methods`-style names. */
export function httpAttributesOf(rule: Json): string[] {
  const found = new Set<string>();
  for (const t of Array.isArray(rule.to) ? rule.to : []) {
    const op = isObject(t) && isObject(t.operation) ? t.operation : {};
    for (const k of HTTP_OPERATION_FIELDS) if (op[k] !== undefined) found.add(k);
  }
  for (const f of Array.isArray(rule.from) ? rule.from : []) {
    const source = isObject(f) && isObject(f.source) ? f.source : {};
    for (const k of HTTP_SOURCE_FIELDS) if (source[k] !== undefined) found.add(k);
  }
  for (const w of Array.isArray(rule.when) ? rule.when : []) {
    if (isObject(w) && typeof w.key === 'string' && HTTP_KEYS.test(w.key)) found.add(w.key);
  }
  return [...found];
}

/** Whether a rule limits itself to ports (`to.operation.ports`, or a destination.port condition). */
function namesPorts(rule: Json): boolean {
  const ops = (Array.isArray(rule.to) ? rule.to : []).map((t) => (isObject(t) && isObject(t.operation) ? t.operation : {}));
  if (ops.length && ops.every((op) => op.ports !== undefined)) return true;
  return (Array.isArray(rule.when) ? rule.when : []).some((w) => isObject(w) && w.key === 'destination.port' && w.values !== undefined);
}

/** A Service port as `istio/http-fields-on-tcp` judges it: its name and appProtocol decide HTTP or TCP. */
export interface ServicePortInfo {
  /** `Service 'ns/name' port 5432 (name 'db')`. */
  readonly label: string;
  readonly port: string;
  readonly targetPort: string;
  readonly http: boolean;
}

/** Istio's protocol selection: a port named `http`, `http2`, `grpc`... (`<protocol>[-<suffix>]`) or an appProtocol of those is HTTP. */
function isHttpPort(name: string | undefined, appProtocol: string | undefined): boolean {
  if (appProtocol !== undefined) return ['http', 'http2', 'grpc', 'grpc-web', 'kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(appProtocol.toLowerCase());
  return ['http', 'http2', 'grpc'].includes((name ?? '').toLowerCase().split('-')[0]!);
}

/**
 * `istio/http-fields-on-tcp`: HTTP-only attributes in a rule that does not name its ports. On a TCP port (a Service port
 * not named http*, grpc* and without an HTTP appProtocol) a proxy cannot read them: a DENY rule then denies all TCP
 * traffic in scope (istiod warns so); an ALLOW rule never matches there. With the Services of the selected workloads
 * (`servicePorts`, from the same target) the ports are known: a DENY rule is judged on the TCP ones it reaches (named or
 * not: the authz-tcp task's methods + ports: ["9000"] denies all of TCP port 9000), and not at all when every port is
 * HTTP; an ALLOW rule is judged only then, since the policy alone does not say which ports speak HTTP.
 */
export function httpOnTcpProblems(spec: Json, servicePorts: readonly ServicePortInfo[] = []): IstioProblem[] {
  const action = actionOf(spec);
  const out: IstioProblem[] = [];
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule, r) => {
    if (!isObject(rule)) return;
    const http = httpAttributesOf(rule);
    if (http.length === 0) return;
    const ports = new Set((Array.isArray(rule.to) ? rule.to : []).flatMap((t) => (isObject(t) && isObject(t.operation) ? strings(t.operation.ports) : [])));
    const tcp = servicePorts.filter((p) => !p.http && (ports.size === 0 || ports.has(p.targetPort) || ports.has(p.port)));
    if (action === 'DENY' && servicePorts.length > 0 && tcp.length > 0) {
      out.push({
        path: `spec.rules[${r}]`,
        message: `decides on HTTP attributes (${http.join(', ')}), but ${tcp.map((p) => p.label).join(', ')} is TCP to Istio: there they cannot be read, so the rule denies all traffic on ${tcp.length === 1 ? 'that port' : 'those ports'} (istio.io authz-tcp task). Scope the rule to the HTTP ports with to.operation.ports, or name the port http-<suffix> if it speaks HTTP.`,
      });
    } else if (action === 'DENY' && servicePorts.length === 0 && !namesPorts(rule)) {
      out.push({
        path: `spec.rules[${r}]`,
        message: `uses only HTTP attributes to decide (${http.join(', ')}) and names no ports: on TCP ports in its scope these cannot be read, so the rule denies all TCP traffic there (istiod warns the same). Add to.operation.ports with the HTTP ports it is meant for.`,
      });
    }
    if (action === 'ALLOW') {
      if (tcp.length) {
        out.push({
          path: `spec.rules[${r}]`,
          message: `allows by HTTP attributes (${http.join(', ')}), but ${tcp.map((p) => p.label).join(', ')} is TCP to Istio (the port name does not start with http, http2 or grpc and no appProtocol says so): there the rule never matches and the traffic is denied. Name the port http-<suffix> or set appProtocol: http, or allow that port by ports alone.`,
        });
      }
    }
  });
  return out;
}

/** The Service ports of the workloads an AuthorizationPolicy selects, from the Services of the same target. */
function servicePortsFor(index: ManifestIndex, namespace: string, spec: Json, rootNamespaces: readonly string[]): ServicePortInfo[] {
  if (spec.targetRefs !== undefined || spec.targetRef !== undefined) return [];
  const labels = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? (spec.selector.matchLabels as Record<string, string>) : {};
  const out: ServicePortInfo[] = [];
  for (const m of index.ofKind('Service')) {
    const id = identityOf(m.object);
    if (!rootNamespaces.includes(namespace) && (id.namespace ?? 'default') !== namespace) continue;
    const svc = isObject(m.object.spec) ? m.object.spec : {};
    const selector = isObject(svc.selector) ? (svc.selector as Record<string, string>) : undefined;
    // A Service without a selector fronts no pods of the policy; one whose selector contradicts the policy's selects others.
    if (!selector || Object.entries(labels).some(([k, v]) => own(selector, k) !== undefined && own(selector, k) !== v)) continue;
    for (const p of Array.isArray(svc.ports) ? svc.ports.filter(isObject) : []) {
      const name = typeof p.name === 'string' ? p.name : undefined;
      const appProtocol = typeof p.appProtocol === 'string' ? p.appProtocol : undefined;
      out.push({
        label: `Service '${id.namespace ?? 'default'}/${id.name}' port ${String(p.port)}${name ? ` (name '${name}')` : ''}`,
        port: String(p.port),
        targetPort: String(p.targetPort ?? p.port),
        http: isHttpPort(name, appProtocol),
      });
    }
  }
  return out;
}

/** Istio's root namespaces as far as the objects of one target tell: the defaults, plus any IstioOperator's meshConfig.rootNamespace. */
export function rootNamespacesOf(index: ManifestIndex): string[] {
  const extra = index.ofKind('IstioOperator').map((m) => ((m.object.spec as Json | undefined)?.meshConfig as Json | undefined)?.rootNamespace).filter((x): x is string => typeof x === 'string');
  return [...new Set([...DEFAULT_ROOT_NAMESPACES, ...extra])];
}

function policies(index: ManifestIndex): { m: Manifest; spec: Json; namespace: string }[] {
  return index.ofKind('AuthorizationPolicy')
    .map((m) => ({ m, spec: isObject(m.object.spec) ? m.object.spec : {}, namespace: identityOf(m.object).namespace ?? 'default' }));
}

/** Whether a rule matches every request: it sets no from, to or when (an empty `{}`, as the allow-all examples write it). */
function matchesEveryRequest(rule: unknown): boolean {
  return isObject(rule) && ['from', 'to', 'when'].every((k) => rule[k] === undefined || rule[k] === null);
}

/** Whether an ALLOW policy is allow-nothing: no rules, so it never matches, yet it makes its workloads deny by default. */
export function isAllowNothing(spec: Json): boolean {
  return actionOf(spec) === 'ALLOW' && (!Array.isArray(spec.rules) || spec.rules.length === 0);
}

export const authzStructuralErrors: LintRule = {
  id: 'istio/authz-structural-errors',
  severity: Severity.ERROR,
  summary: 'An AuthorizationPolicy istiod refuses: DENY/CUSTOM without rules, CUSTOM without provider, empty from/to/source/operation, bad IPs, ports, paths or conditions.',
  explanation:
    "istiod's validating webhook refuses these AuthorizationPolicies (IST pkg/config/validation/validation.go ValidateAuthorizationPolicy; " +
    'domain-notes §A.8): DENY or CUSTOM without rules ("meaningless as it will never be triggered"), CUSTOM without provider.name, a provider on ' +
    'another action, from: [] or to: [], an empty source or operation, serviceAccounts with principals or namespaces, selector together with ' +
    'targetRef(s), a condition without values or notValues or with a key Istio does not know, invalid IPs, ports or path templates, and identity ' +
    "fields in a CUSTOM policy. Per line: the condition key source.serviceAccount and the serviceAccounts field exist from Istio 1.25, " +
    'source.trustDomain and trustDomains from 1.30 (pkg/config/security/security.go and the CRDs at each tag); an older CRD drops the field.',
  check(index) {
    return policies(index).flatMap(({ m, spec }) => authorizationPolicyProblems(spec, index.target).map((p): RuleViolation => ({ manifest: m, path: p.path, message: p.message })));
  },
};

export const httpFieldsOnTcp: LintRule = {
  id: 'istio/http-fields-on-tcp',
  severity: Severity.WARNING,
  summary: 'An AuthorizationPolicy rule decides on HTTP attributes but names no ports: on TCP ports a DENY denies everything, an ALLOW never matches.',
  explanation:
    'A proxy can read methods, paths, hosts, request principals and request.* conditions only on HTTP traffic. On a TCP port (protocol selection by ' +
    "port name http*/grpc* or appProtocol), a DENY rule that uses only HTTP attributes denies all traffic, and istiod warns \"configured " +
    'AuthorizationPolicy will deny all traffic to TCP ports under its scope"; an ALLOW rule with HTTP attributes never matches (IAPI ' +
    'authorization_policy.proto; istio.io security-issues page; domain-notes §A.8, §C.3). Scope DENY rules with to.operation.ports. ' +
    'The ALLOW case is judged where the target holds the Services of the selected workloads, whose port names say HTTP or TCP.',
  check(index) {
    const roots = rootNamespacesOf(index);
    return policies(index).flatMap(({ m, spec, namespace }) =>
      httpOnTcpProblems(spec, servicePortsFor(index, namespace, spec, roots)).map((p): RuleViolation => ({ manifest: m, path: p.path, message: p.message })),
    );
  },
};

/** The message of `istio/allow-nothing-scope` for an allow-nothing policy in `namespace`. */
export function allowNothingMessage(namespace: string, spec: Json, rootNamespaces: readonly string[]): string {
  const scope = authorizationScope(namespace, spec, rootNamespaces);
  return rootNamespaces.includes(namespace)
    ? `is an ALLOW policy without rules (allow-nothing) in Istio's root namespace '${namespace}': every request to ${scope} is denied with 403 unless another ALLOW policy matches it. If a mesh-wide deny-by-default is intended, suppress istio/allow-nothing-scope with that reason; otherwise add rules or move the policy to the namespace it is for.`
    : `is an ALLOW policy without rules (allow-nothing): every request to ${scope} is denied with 403 unless another ALLOW policy matches it. If that deny-by-default is intended, add ALLOW policies for every caller that must keep working.`;
}

export const allowNothingScope: LintRule = {
  id: 'istio/allow-nothing-scope',
  severity: Severity.ERROR,
  summary: 'An ALLOW AuthorizationPolicy without rules denies every request to what it selects; in the root namespace, to the whole mesh.',
  explanation:
    'An AuthorizationPolicy with spec: {}, or ALLOW without rules, "allows nothing and effectively denies all requests" to the workloads it ' +
    'selects; in the root namespace (istio-system, aks-istio-system for the AKS add-on, or meshConfig.rootNamespace) it applies to every ' +
    'namespace of the mesh (IAPI security/v1beta1/authorization_policy.proto; domain-notes finding 12, §A.8). istioctl analyze does not warn about ' +
    'it. An error in the root namespace (suppress it with a reason when a mesh-wide deny-by-default is intended), a warning elsewhere.',
  check(index) {
    const roots = rootNamespacesOf(index);
    return policies(index)
      .filter(({ spec }) => isAllowNothing(spec))
      .map(({ m, spec, namespace }): RuleViolation => ({
        manifest: m,
        path: 'spec',
        severity: roots.includes(namespace) ? Severity.ERROR : Severity.WARNING,
        message: allowNothingMessage(namespace, spec, roots),
      }));
  },
};

/** The message of `istio/allow-policy-implies-deny`: what an ALLOW policy with rules implies for everything else. */
export function allowImpliesDenyMessage(namespace: string, spec: Json, rootNamespaces: readonly string[]): string {
  return `is an ALLOW policy: once it exists, a request to ${authorizationScope(namespace, spec, rootNamespaces)} that no ALLOW policy matches is denied with 403 (Istio checks CUSTOM, then DENY, then ALLOW policies; no ALLOW match means deny). Make sure every caller those workloads must keep serving is allowed, health checks and other namespaces included.`;
}

export const allowPolicyImpliesDeny: LintRule = {
  id: 'istio/allow-policy-implies-deny',
  severity: Severity.WARNING,
  summary: 'An ALLOW AuthorizationPolicy denies every request to its workloads that no ALLOW policy matches.',
  explanation:
    'Istio evaluates a request to a workload as: a CUSTOM policy that denies → deny; a matching DENY policy → deny; no ALLOW policy applies → ' +
    'allow; a matching ALLOW policy → allow; otherwise deny (IAPI authorization_policy.proto; domain-notes §C.3). Adding the first, narrow ALLOW ' +
    'policy to a workload therefore cuts every other caller. The warning says so in the output header, so reviewers see it next to the policy.',
  check(index) {
    const roots = rootNamespacesOf(index);
    return policies(index)
      // A rule with no from, to or when (`rules: [{}]`) matches every request: such a policy allows all and denies nothing.
      .filter(({ spec }) => actionOf(spec) === 'ALLOW' && !isAllowNothing(spec) && !(Array.isArray(spec.rules) && spec.rules.some(matchesEveryRequest)))
      .map(({ m, spec, namespace }): RuleViolation => ({ manifest: m, path: 'spec', message: allowImpliesDenyMessage(namespace, spec, roots) }));
  },
};

export const auditNeedsProvider: LintRule = {
  id: 'istio/audit-needs-provider',
  severity: Severity.INFO,
  summary: 'An AUDIT AuthorizationPolicy only marks requests; nothing is audited without an audit plugin.',
  explanation:
    'AUDIT policies never allow or deny. A matching request is "internally marked that it should be audited"; "a separate plugin must be ' +
    'configured and enabled to actually fulfill the audit decision", and without one nothing is recorded (IAPI security/v1beta1/authorization_policy.proto, ' +
    'AUDIT paragraph; istio.io authorization-policy reference). Istio names Stackdriver as the only supported plugin.',
  check(index) {
    return policies(index)
      .filter(({ spec }) => actionOf(spec) === 'AUDIT')
      .map(({ m }): RuleViolation => ({
        manifest: m,
        path: 'spec.action',
        message: 'is AUDIT: matching requests are only marked for audit, neither allowed nor denied, and nothing is recorded unless an audit plugin is configured in the mesh (Istio names Stackdriver as the only one). To log requests without one, use Istio access logging (Telemetry accessLogging); to block them, use DENY.',
      }));
  },
};

/** The pod annotation that overrides ENABLE_NATIVE_SIDECARS for one pod (Istio 1.24+; IAPI annotation/annotations.yaml). */
export const NATIVE_SIDECAR_ANNOTATION = 'sidecar.istio.io/nativeSidecar';

/**
 * Why native sidecars cannot run on the target's Kubernetes version, or undefined when they can (or the version is not
 * known): they need the SidecarContainers feature, beta and on by default from 1.29; on 1.28 it is alpha and off, and
 * pods with an init container of `restartPolicy: Always` are rejected. `IstioMeshSettings` refuses with it, and
 * istio/native-sidecar-cluster-support reports it on hand-written objects.
 */
export function nativeSidecarsUnsupported(target: Target): string | undefined {
  const k8s = target.version(Product.KUBERNETES);
  if (!k8s || target.has(Feature.K8S_SIDECAR_CONTAINERS_BETA)) return undefined;
  const feature = FEATURES[Feature.K8S_SIDECAR_CONTAINERS_BETA];
  return `need ${feature.title}, which needs Kubernetes ${feature.since} or later; target '${target.name}' runs Kubernetes ${k8s}, where the feature gate is alpha and off, so injected pods would be rejected`;
}

/** Go's strconv.ParseBool spellings of true, as istiod reads a boolean environment variable. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export const nativeSidecarClusterSupport: LintRule = {
  id: 'istio/native-sidecar-cluster-support',
  severity: Severity.ERROR,
  summary: 'Native sidecars are forced on (ENABLE_NATIVE_SIDECARS=true, or a pod annotation) on Kubernetes before 1.29, which rejects the injected pods.',
  explanation:
    'With ENABLE_NATIVE_SIDECARS=true, or the pod annotation sidecar.istio.io/nativeSidecar: "true", istiod injects istio-proxy as an init container ' +
    'with restartPolicy: Always. That needs the Kubernetes SidecarContainers feature: beta and on by default from 1.29, GA in 1.33; on 1.28 it is ' +
    'alpha and off, and such pods are rejected (IST pilot/pkg/features/pilot.go ENABLE_NATIVE_SIDECARS, pkg/kube/inject/webhook.go; kubernetes.io ' +
    'sidecar containers). The default auto turns them on only where every kubelet is 1.33 or later, so it is no problem. Checked on IstioOperator ' +
    'values (spec.values.pilot.env) and on the pod templates of Deployments, DaemonSets, StatefulSets, ReplicaSets and Pods.',
  check(index) {
    const reason = nativeSidecarsUnsupported(index.target);
    if (!reason) return [];
    const out: RuleViolation[] = [];
    for (const m of index.ofKind('IstioOperator')) {
      const env = ((((m.object.spec as Json | undefined)?.values as Json | undefined)?.pilot as Json | undefined)?.env as Json | undefined) ?? {};
      const value = env.ENABLE_NATIVE_SIDECARS;
      if (value === true || (typeof value === 'string' && GO_TRUE.has(value))) {
        out.push({ manifest: m, path: 'spec.values.pilot.env.ENABLE_NATIVE_SIDECARS', message: `turns native sidecars on for every injected pod, but native sidecars ${reason}. Set it to false.` });
      }
    }
    for (const m of index.ofKind(...WORKLOAD_KINDS)) {
      const pod = podTemplateOf(m);
      if (pod.annotations[NATIVE_SIDECAR_ANNOTATION] !== 'true') continue;
      out.push({ manifest: m, path: `${pod.metadataPath}.annotations.${NATIVE_SIDECAR_ANNOTATION}`, message: `asks for istio-proxy as a native sidecar in these pods, but native sidecars ${reason}. Remove the annotation, or set it to "false".` });
    }
    return out;
  },
};

/**
 * What Istio refuses or ignores in one PeerAuthentication (`istio/peerauth-shape`): port-level modes without a
 * workload selector, an empty portLevelMtls, ports outside 1-65535, a selector in the root namespace (ignored).
 */
export function peerAuthenticationProblems(namespace: string, spec: Json, rootNamespaces: readonly string[]): IstioProblem[] {
  const out: IstioProblem[] = [];
  const selector = isObject(spec.selector) && isObject(spec.selector.matchLabels) && Object.keys(spec.selector.matchLabels).length > 0;
  const modes = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
  const mode = isObject(spec.mtls) ? spec.mtls.mode : undefined;
  if (mode !== undefined && !modes.includes(String(mode))) out.push({ path: 'spec.mtls.mode', message: `mode ${JSON.stringify(mode)} is not one of ${modes.join(', ')}.` });
  if (spec.portLevelMtls !== undefined) {
    const ports = isObject(spec.portLevelMtls) ? Object.keys(spec.portLevelMtls) : [];
    if (!selector) out.push({ path: 'spec.portLevelMtls', message: 'port-level mTLS needs a workload selector; Istio refuses it on mesh-wide and namespace-wide PeerAuthentications. Add selector.matchLabels or remove portLevelMtls.' });
    if (ports.length === 0) out.push({ path: 'spec.portLevelMtls', message: 'portLevelMtls is empty, which Istio refuses; remove it for one mode on every port, or name the ports.' });
    for (const p of ports) if (!isPort(p)) out.push({ path: `spec.portLevelMtls.${p}`, message: `port ${JSON.stringify(p)} is not 1-65535; keys are the workload's container ports.` });
  }
  if (selector && rootNamespaces.includes(namespace)) {
    out.push({ path: 'spec.selector', message: `a PeerAuthentication with a selector in Istio's root namespace '${namespace}' is ignored; put it in the namespace of the workloads it selects.` });
  }
  return out;
}

export const peerAuthShape: LintRule = {
  id: 'istio/peerauth-shape',
  severity: Severity.ERROR,
  summary: 'A PeerAuthentication Istio refuses or ignores: port-level modes without a selector, bad ports, a selector in the root namespace, a second mesh- or namespace-wide policy.',
  explanation:
    'portLevelMtls requires a workload selector ("mesh/namespace peer authentication cannot have port level mTLS"), must not be empty, and its ' +
    'ports are 1-65535 (IST validation.go ValidatePeerAuthentication; IAPI peer_authentication.proto CEL rule). A PeerAuthentication with a selector ' +
    'in the root namespace is ignored. Only one mesh-wide and one namespace-wide PeerAuthentication per namespace count: Istio ignores the newer ' +
    'ones (istio.io concepts/security; domain-notes §A.8, §B.13).',
  check(index) {
    const roots = rootNamespacesOf(index);
    const out: RuleViolation[] = [];
    const firstWide = new Map<string, Manifest>();
    for (const m of index.ofKind('PeerAuthentication')) {
      const spec = isObject(m.object.spec) ? m.object.spec : {};
      const namespace = identityOf(m.object).namespace ?? 'default';
      for (const p of peerAuthenticationProblems(namespace, spec, roots)) out.push({ manifest: m, path: p.path, message: p.message });
      const selector = isObject(spec.selector) && isObject(spec.selector.matchLabels) && Object.keys(spec.selector.matchLabels).length > 0;
      if (selector) continue;
      const first = firstWide.get(namespace);
      if (!first) {
        firstWide.set(namespace, m);
        continue;
      }
      const what = roots.includes(namespace) ? `mesh-wide PeerAuthentication (root namespace '${namespace}')` : `namespace-wide PeerAuthentication in '${namespace}'`;
      out.push({
        manifest: m,
        path: '',
        message: `is a second ${what}; Istio honours only one and ignores the newer ones, and ${describe(first)} is one already. Merge them into one.`,
      });
    }
    return out;
  },
};

function describe(m: Manifest): string {
  const id = identityOf(m.object);
  return `${String(m.object.kind)} '${id.namespace ? `${id.namespace}/` : ''}${id.name}'`;
}

/** `app: payments, tier: web` */
function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ');
}

/**
 * Whether every pod `narrow` selects is selected by `wide` too: each label `wide` requires, `narrow` requires with the
 * same value (the empty selector selects every pod of the namespace).
 */
function selectsAll(wide: Readonly<Record<string, string>>, narrow: Readonly<Record<string, string>>): boolean {
  return Object.entries(wide).every(([k, v]) => own(narrow, k) === v);
}

export const sidecarSelectorsOverlap: LintRule = {
  id: 'istio/sidecar-selectors-overlap',
  severity: Severity.ERROR,
  summary: 'Two Sidecars of one namespace select the same pods, or a namespace has two Sidecars without a workloadSelector.',
  explanation:
    'Istio applies one Sidecar per workload: a Sidecar with a workloadSelector before the namespace\'s one without, and the ' +
    "behaviour is undefined when two with selectors select the same pod (istioctl analyze IST0110 ConflictingSidecarWorkloadSelectors) " +
    'or a namespace has two without (IST0111 MultipleSidecarsWithoutWorkloadSelectors; istio.io Sidecar reference). One of the two ' +
    'egress host lists then silently does not apply. An error when one selector selects every pod the other does (same or fewer ' +
    'labels with the same values), a warning when only pods that carry both label sets are selected twice. Merge them into one Sidecar.',
  check(index) {
    const out: RuleViolation[] = [];
    const seen = new Map<string, { m: Manifest; labels?: Record<string, string> }[]>();
    for (const m of index.ofKind('Sidecar')) {
      const spec = isObject(m.object.spec) ? m.object.spec : {};
      const selector = isObject(spec.workloadSelector) && isObject(spec.workloadSelector.labels) ? spec.workloadSelector.labels : undefined;
      const labels = selector && Object.keys(selector).length > 0
        ? Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)]))
        : undefined;
      const namespace = identityOf(m.object).namespace ?? 'default';
      const earlier = seen.get(namespace) ?? [];
      for (const other of earlier) {
        if ((labels === undefined) !== (other.labels === undefined)) continue; // one with a selector wins over one without
        if (labels === undefined || other.labels === undefined) {
          out.push({ manifest: m, path: '', message: `is a second Sidecar without a workloadSelector in namespace '${namespace}', like ${describe(other.m)}; Istio's choice between them is undefined (IST0111). Merge them into one Sidecar.` });
          continue;
        }
        const conflict = Object.keys(labels).some((k) => own(other.labels!, k) !== undefined && own(other.labels!, k) !== labels[k]);
        if (conflict) continue;
        const certain = selectsAll(labels, other.labels) || selectsAll(other.labels, labels);
        out.push({
          manifest: m,
          path: 'spec.workloadSelector',
          severity: certain ? Severity.ERROR : Severity.WARNING,
          message: certain
            ? `selects ${labelText(labels) === labelText(other.labels) ? `the same pods as ${describe(other.m)} (${labelText(labels)})` : `pods that ${describe(other.m)} selects too (${labelText(labels)} and ${labelText(other.labels)})`}; Istio applies one Sidecar per pod and which one is undefined (IST0110), so one of the two host lists silently does not apply. Merge them into one Sidecar (in netsec.yaml: one egressAllowances entry with both hosts).`
            : `selects the pods that carry both ${labelText(labels)} and ${labelText(other.labels)} together with ${describe(other.m)}; for such pods Istio's choice of Sidecar is undefined (IST0110). Make the selectors disjoint or merge the two Sidecars.`,
        });
      }
      earlier.push({ m, labels });
      seen.set(namespace, earlier);
    }
    return out;
  },
};

export const ISTIO_RULES: readonly LintRule[] = [authzStructuralErrors, httpFieldsOnTcp, allowNothingScope, allowPolicyImpliesDeny, auditNeedsProvider, peerAuthShape, sidecarSelectorsOverlap, nativeSidecarClusterSupport];
