import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { rootNamespacesOf } from './istio.js';
import { own } from '../../core/own.js';

// Cilium L7 rules next to Istio mTLS (domain-notes finding 13, §A.4 cilium/l7-with-istio-mtls): Cilium's HTTP proxy sees
// the bytes on the wire, and Istio mTLS (a sidecar with PeerAuthentication PERMISSIVE or STRICT) encrypts them, so the
// HTTP rules cannot match. Moved here from the PeerAuthentication construct, which walked the construct tree; as a rule
// it also judges hand-written manifests (netsec validate), and the finding sits on the policy whose rules go blind.

type Json = Record<string, unknown>;
const NAMESPACE_LABELS = ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace'];
/** Stands for "namespaces without a PeerAuthentication of their own" when a CCNP selects every namespace. */
const OTHER_NAMESPACES = '\u0000other';

interface PeerAuth {
  readonly m: Manifest;
  readonly kind: 'mesh' | 'namespace' | 'workload';
  readonly namespace: string;
  readonly mode: string;
  readonly matchLabels: Record<string, string>;
  readonly ref: string;
}

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function peerAuthentications(index: ManifestIndex): PeerAuth[] {
  const roots = rootNamespacesOf(index);
  return index.ofKind('PeerAuthentication')
    .map((m) => {
      const spec = isObject(m.object.spec) ? m.object.spec : {};
      const id = identityOf(m.object);
      const namespace = id.namespace ?? 'default';
      const matchLabels = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? (spec.selector.matchLabels as Record<string, string>) : {};
      const workload = Object.keys(matchLabels).length > 0;
      const kind = workload ? 'workload' : roots.includes(namespace) ? 'mesh' : 'namespace';
      const mode = isObject(spec.mtls) && typeof spec.mtls.mode === 'string' ? spec.mtls.mode : 'UNSET';
      return { m, kind, namespace, mode, matchLabels, ref: `${namespace}/${id.name}` } as PeerAuth;
    })
    // A workload policy in the root namespace is ignored by Istio (istio/peerauth-shape says so).
    .filter((pa) => !(pa.kind === 'workload' && roots.includes(pa.namespace)));
}

/**
 * The PeerAuthentications whose STRICT/PERMISSIVE mode covers pods of `namespace` selected by `labels`: the deciding
 * policy (workload policy whose selector the subject implies, else the namespace's, else the mesh's; UNSET inherits),
 * plus workload policies that may select some of those pods.
 */
function decidersFor(all: PeerAuth[], namespace: string, labels: Record<string, string>): PeerAuth[] {
  const inNs = all.filter((pa) => pa.namespace === namespace && pa.kind !== 'mesh' && pa.mode !== 'UNSET');
  const workload = inNs.filter((pa) => pa.kind === 'workload');
  const implied = workload.filter((pa) => Object.entries(pa.matchLabels).every(([k, v]) => own(labels, k) === v));
  const deciding = implied[0] ?? inNs.find((pa) => pa.kind === 'namespace') ?? all.find((pa) => pa.kind === 'mesh' && pa.mode !== 'UNSET');
  const overlapping = workload.filter((pa) => !implied.includes(pa) && Object.entries(pa.matchLabels).every(([k, v]) => own(labels, k) === undefined || own(labels, k) === v));
  return [deciding, ...overlapping].filter((pa): pa is PeerAuth => pa !== undefined && pa.mode !== 'DISABLE');
}

function hasHttpRules(rule: Json): boolean {
  const sections = [rule.ingress, rule.egress].filter(Array.isArray) as Json[][];
  return sections.some((section) =>
    section.some((entry) =>
      (Array.isArray(entry?.toPorts) ? (entry.toPorts as Json[]) : []).some((pr) => {
        const http = (pr?.rules as { http?: unknown[] } | undefined)?.http;
        return Array.isArray(http) && http.length > 0;
      }),
    ),
  );
}

export const l7WithIstioMtls: LintRule = {
  id: 'cilium/l7-with-istio-mtls',
  severity: Severity.WARNING,
  summary: 'Cilium L7 HTTP rules on pods whose traffic Istio mTLS encrypts cannot match.',
  explanation:
    "Cilium's HTTP proxy reads the traffic on the wire; where a PeerAuthentication puts a workload under Istio mTLS (STRICT or PERMISSIVE " +
    'with a sidecar), that traffic is encrypted and toPorts[].rules.http cannot match (CIL Documentation/network/servicemesh/istio.rst; ' +
    'domain-notes finding 13, §A.4). Enforce HTTP rules with an Istio AuthorizationPolicy there, or exempt the workloads with a ' +
    'PeerAuthentication in mode DISABLE. Namespaces no PeerAuthentication covers are not judged (whether Istio injects them is not known).',
  check(index) {
    const all = peerAuthentications(index);
    if (all.length === 0) return [];
    const out: RuleViolation[] = [];
    for (const m of index.ofKind('CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy')) {
      const clusterwide = m.object.kind === 'CiliumClusterwideNetworkPolicy';
      const rules: { rule: Json; path: string }[] = [];
      if (isObject(m.object.spec)) rules.push({ rule: m.object.spec, path: 'spec' });
      if (Array.isArray(m.object.specs)) m.object.specs.forEach((r, i) => isObject(r) && rules.push({ rule: r, path: `specs[${i}]` }));
      const seen = new Set<string>();
      for (const { rule, path } of rules) {
        if (!hasHttpRules(rule)) continue;
        const selector = rule.endpointSelector as { matchLabels?: Record<string, string> } | undefined;
        if (!selector) continue; // host policies (nodeSelector) select no pods
        const labels: Record<string, string> = {};
        let namespace = clusterwide ? undefined : identityOf(m.object).namespace ?? 'default';
        for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
          if (NAMESPACE_LABELS.includes(k)) {
            if (clusterwide) namespace = v; // a CNP always selects its own namespace's pods
          } else {
            labels[k.replace(/^(k8s|any):/, '')] = v;
          }
        }
        const namespaces = namespace !== undefined ? [namespace] : [...new Set([OTHER_NAMESPACES, ...all.filter((pa) => pa.kind !== 'mesh').map((pa) => pa.namespace)])];
        for (const ns of namespaces) {
          for (const pa of decidersFor(all, ns, labels)) {
            const pods = ns === OTHER_NAMESPACES ? 'pods in every namespace' : `pods in namespace '${ns}'`;
            const message =
              `has L7 HTTP rules (toPorts[].rules.http) for ${pods} that PeerAuthentication '${pa.ref}' puts under Istio mTLS (${pa.mode}): ` +
              "Cilium's HTTP proxy cannot read mTLS-encrypted traffic, so those rules cannot match. Enforce them with an Istio AuthorizationPolicy, " +
              'or exempt these workloads with a PeerAuthentication in mode DISABLE.';
            if (seen.has(message)) continue;
            seen.add(message);
            out.push({ manifest: m, path, message });
          }
        }
      }
    }
    return out;
  },
};

export const CILIUM_ISTIO_RULES: readonly LintRule[] = [l7WithIstioMtls];
