// Istio on the server side of a flow (domain-notes §C.3, §B.12, §B.13; istio/api security/v1beta1
// authorization_policy.proto, peer_authentication.proto): the effective PeerAuthentication mode decides whether a
// plaintext client is accepted; then AuthorizationPolicies of the server's namespace and the root namespace: CUSTOM, DENY, ALLOW in that order, an ALLOW policy's
// implied deny, allow-nothing (an ALLOW policy without rules).

import { Cidr } from '../cidr/cidr.js';
import { selectorMatches } from '../lint/selectors.js';
import type { KubeObject } from './cilium.js';
import { refOf } from './cilium.js';
import { ClusterPod, Flow, IstioSettings } from './model.js';

/** The trust domain principals carry (meshConfig `trustDomain` default). */
const TRUST_DOMAIN = 'cluster.local';

/** What the server's sidecar decided. */
export interface IstioDecision {
  readonly outcome: 'allow' | 'deny';
  /** `Kind/namespace/name` of the deciding object, or `default`. */
  readonly by: string;
  /** JSON path of the deciding rule, when one decided. */
  readonly path?: string;
  readonly detail: string;
  /** True when the connection is refused below HTTP (plaintext under STRICT): no 403, the connection is reset. */
  readonly belowHttp?: boolean;
  /** Parts of policies not evaluated (they are judged as noted in the detail). */
  readonly notes: readonly string[];
}

const isIstio = (o: KubeObject) => String(o.apiVersion ?? '').startsWith('security.istio.io/');

function appliesTo(o: KubeObject, pod: ClusterPod, root: string): boolean {
  const ns = o.metadata.namespace ?? 'default';
  if (ns !== pod.namespace && ns !== root) return false;
  const labels = o.spec?.selector?.matchLabels;
  return labels === undefined || selectorMatches({ matchLabels: labels }, pod.labels);
}

/** The PeerAuthentication mode for a workload and port: port level, workload, namespace, mesh, then PERMISSIVE. */
export function effectiveMtlsMode(objects: readonly KubeObject[], pod: ClusterPod, port: number, root: string): { mode: string; by: string } {
  const pas = objects.filter((o) => isIstio(o) && o.kind === 'PeerAuthentication').sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const workload = pas.filter((o) => o.metadata.namespace === pod.namespace && o.spec?.selector?.matchLabels && selectorMatches({ matchLabels: o.spec.selector.matchLabels }, pod.labels));
  const levels: KubeObject[][] = [
    workload,
    pas.filter((o) => o.metadata.namespace === pod.namespace && !o.spec?.selector),
    pas.filter((o) => o.metadata.namespace === root && !o.spec?.selector),
  ];
  for (const level of levels) {
    const o = level[0];
    if (!o) continue;
    const portMode = level === workload ? o.spec?.portLevelMtls?.[String(port)]?.mode : undefined;
    const mode = portMode ?? o.spec?.mtls?.mode;
    if (mode && mode !== 'UNSET') return { mode, by: refOf(o) };
  }
  return { mode: 'PERMISSIVE', by: 'default' };
}

/** Istio's string match: exact, `prefix*`, `*suffix`, or `*` (presence). */
function stringMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/** Path templates: `{*}` one segment, `{**}` the rest (last only); else the string match. */
function pathMatch(pattern: string, requested: string | undefined): boolean {
  if (requested === undefined) return false;
  // istiod compiles paths to Envoy RBAC url_path, which matches "the URL path portion of the :path header": the query
  // and fragment are removed first (Envoy type.matcher.v3.PathMatcher), so `/admin` matches `GET /admin?x=1`.
  const path = requested.replace(/[?#].*$/s, '');
  if (!pattern.includes('{')) return stringMatch(pattern, path);
  const re = pattern.split('/').map((seg) => (seg === '{*}' ? '[^/]+' : seg === '{**}' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${re}$`).test(path);
}

interface Request {
  readonly sourceIp: string;
  /** The mTLS identity, when the client has a sidecar and the connection is mTLS. */
  readonly principal?: string;
  readonly namespace?: string;
  readonly port: number;
  readonly http?: Flow['http'];
}

function anyOf(list: unknown, test: (v: string) => boolean): boolean {
  return Array.isArray(list) && list.some((v) => test(String(v)));
}

function inBlock(block: string, ip: string): boolean {
  try {
    return Cidr.parse(block, { lenient: true }).contains(Cidr.parse(ip));
  } catch {
    return false;
  }
}

/**
 * Whether a rule matches (≥1 `from` and ≥1 `to` and every `when`). `deny`: HTTP-only fields on a TCP request and the
 * conditions netsec cannot judge count as a match (Istio denies all TCP in scope); in ALLOW rules they never match.
 */
function ruleMatches(rule: any, req: Request, deny: boolean, notes: string[], where: string): boolean {
  const unknown = deny;
  const from: any[] | undefined = Array.isArray(rule?.from) ? rule.from : undefined;
  const to: any[] | undefined = Array.isArray(rule?.to) ? rule.to : undefined;
  const when: any[] | undefined = Array.isArray(rule?.when) ? rule.when : undefined;
  const sourceOk = (s: any): boolean => {
    if (!s) return true;
    if (s.principals && !anyOf(s.principals, (p) => stringMatch(p, req.principal))) return false;
    if (s.notPrincipals && req.principal !== undefined && anyOf(s.notPrincipals, (p) => stringMatch(p, req.principal))) return false;
    if (s.namespaces && !anyOf(s.namespaces, (n) => stringMatch(n, req.namespace))) return false;
    if (s.notNamespaces && req.namespace !== undefined && anyOf(s.notNamespaces, (n) => stringMatch(n, req.namespace))) return false;
    const blocks = s.ipBlocks ?? s.remoteIpBlocks;
    if (blocks && !anyOf(blocks, (b) => inBlock(b, req.sourceIp))) return false;
    const notBlocks = s.notIpBlocks ?? s.notRemoteIpBlocks;
    if (notBlocks && anyOf(notBlocks, (b) => inBlock(b, req.sourceIp))) return false;
    if (s.serviceAccounts && !anyOf(s.serviceAccounts, (a) => req.principal !== undefined && req.principal.endsWith(`/sa/${a.includes('/') ? a.split('/')[1] : a}`) && (!a.includes('/') || req.namespace === a.split('/')[0]))) return false;
    if (s.requestPrincipals || s.notRequestPrincipals) {
      notes.push(`${where}: requestPrincipals (JWT) are not evaluated`);
      if (!unknown) return false;
    }
    return true;
  };
  const operationOk = (o: any): boolean => {
    if (!o) return true;
    if (o.ports && !anyOf(o.ports, (p) => Number(p) === req.port)) return false;
    if (o.notPorts && anyOf(o.notPorts, (p) => Number(p) === req.port)) return false;
    const httpFields = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'].filter((f) => o[f] !== undefined);
    if (httpFields.length && !req.http) return unknown;
    const h = req.http;
    if (!h) return true;
    if (o.methods && !anyOf(o.methods, (m) => stringMatch(m, h.method))) return false;
    if (o.notMethods && anyOf(o.notMethods, (m) => stringMatch(m, h.method))) return false;
    if (o.paths && !anyOf(o.paths, (p) => pathMatch(p, h.path))) return false;
    if (o.notPaths && anyOf(o.notPaths, (p) => pathMatch(p, h.path))) return false;
    if (o.hosts && !anyOf(o.hosts, (x) => stringMatch(x.toLowerCase(), h.host?.toLowerCase()))) return false;
    if (o.notHosts && anyOf(o.notHosts, (x) => stringMatch(x.toLowerCase(), h.host?.toLowerCase()))) return false;
    return true;
  };
  if (from && !from.some((f) => sourceOk(f?.source))) return false;
  if (to && !to.some((t) => operationOk(t?.operation))) return false;
  if (when && when.length) {
    notes.push(`${where}.when: conditions are not evaluated (judged as ${unknown ? 'matching, for a DENY' : 'not matching, for an ALLOW'})`);
    return unknown;
  }
  return true;
}

/**
 * What the server's sidecar does with a connection or request from `source` to the sidecar-injected pod `server` on
 * `port`: PeerAuthentication first (STRICT refuses plaintext), then the AuthorizationPolicies that apply.
 */
export function istioServerDecision(
  objects: readonly KubeObject[], settings: IstioSettings, source: { ip: string; pod?: ClusterPod }, server: ClusterPod, port: number, http: Flow['http'],
): IstioDecision {
  const notes: string[] = [];
  const root = settings.rootNamespace;
  const mtls = effectiveMtlsMode(objects, server, port, root);
  const clientMesh = source.pod?.sidecar === true && !source.pod.hostNetwork;
  if (mtls.mode === 'STRICT' && !clientMesh) {
    return { outcome: 'deny', by: mtls.by, belowHttp: true, detail: `PeerAuthentication mode STRICT (${mtls.by}) refuses plaintext from ${source.pod ? `${source.pod.namespace}/${source.pod.name}, which has no sidecar` : source.ip}`, notes };
  }
  const mutual = clientMesh && mtls.mode !== 'DISABLE';
  const req: Request = {
    sourceIp: source.ip,
    principal: mutual ? `${TRUST_DOMAIN}/ns/${source.pod!.namespace}/sa/${source.pod!.serviceAccount}` : undefined,
    namespace: mutual ? source.pod!.namespace : undefined,
    port,
    http,
  };
  const policies = objects.filter((o) => isIstio(o) && o.kind === 'AuthorizationPolicy').filter((o) => {
    if (o.spec?.targetRefs || o.spec?.targetRef) {
      notes.push(`${refOf(o)}: targetRefs (waypoints, gateways) are not evaluated`);
      return false;
    }
    return appliesTo(o, server, root);
  });
  const action = (o: KubeObject) => String(o.spec?.action ?? 'ALLOW');
  for (const o of policies.filter((p) => action(p) === 'CUSTOM')) notes.push(`${refOf(o)}: CUSTOM (external authorizer) is not evaluated; taken as allowing`);
  const identity = req.principal ? `as ${req.principal}` : 'without an mTLS identity';
  for (const o of policies.filter((p) => action(p) === 'DENY')) {
    const rules: any[] = Array.isArray(o.spec?.rules) ? o.spec.rules : [];
    const i = rules.findIndex((r, k) => ruleMatches(r, req, true, notes, `${refOf(o)} spec.rules[${k}]`));
    if (i >= 0) return { outcome: 'deny', by: refOf(o), path: `spec.rules[${i}]`, detail: `the DENY rule ${refOf(o)} spec.rules[${i}] matches the request (${identity})`, notes };
  }
  const allows = policies.filter((p) => action(p) === 'ALLOW');
  if (allows.length === 0) return { outcome: 'allow', by: 'default', detail: `no ALLOW AuthorizationPolicy applies to ${server.namespace}/${server.name}, so the request is allowed`, notes };
  for (const o of allows) {
    const rules: any[] = Array.isArray(o.spec?.rules) ? o.spec.rules : [];
    const i = rules.findIndex((r, k) => ruleMatches(r, req, false, notes, `${refOf(o)} spec.rules[${k}]`));
    if (i >= 0) return { outcome: 'allow', by: refOf(o), path: `spec.rules[${i}]`, detail: `the ALLOW rule ${refOf(o)} spec.rules[${i}] matches the request (${identity})`, notes };
  }
  return {
    outcome: 'deny',
    by: 'default',
    detail: `ALLOW policies apply to ${server.namespace}/${server.name} (${allows.map(refOf).join(', ')}) and none of their rules matches the request (${identity}), so it is denied`,
    notes,
  };
}
