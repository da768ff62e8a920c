import { ApplyMode } from '../../core/target.js';
import { Manifest, identityOf, originOf } from '../manifest-index.js';
import { formatCount } from '../../core/errors.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';

/** All annotations of an object together: APIM `pkg/api/validation/objectmeta.go` `TotalAnnotationSizeLimitB`. */
export const ANNOTATIONS_LIMIT_BYTES = 262_144;
/** etcd's default request limit (`--max-request-bytes`, 1.5 MiB): an object larger than this cannot be stored. */
export const ETCD_REQUEST_LIMIT_BYTES = 1_572_864;
/** ConfigMap `data` + `binaryData` (Kubernetes ConfigMap validation, `MaxSecretSize`). */
export const CONFIGMAP_DATA_LIMIT_BYTES = 1_048_576;
/** The annotation client-side `kubectl apply` (and Argo CD without server-side apply) copies the whole object into. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const duplicateObject: LintRule = {
  id: 'k8s/duplicate-object',
  severity: Severity.ERROR,
  summary: 'Two objects of one target share API group, kind, namespace and name.',
  notSuppressible: 'applying both leaves only the one applied last',
  explanation:
    'The API server stores one object per group, kind, namespace and name: applying both leaves only the one applied last, ' +
    'so one of the two policies silently does not exist (for example a blocking GlobalNetworkPolicy replaced by an allow-all ' +
    "one of the same name). Calico's crd.projectcalico.org and projectcalico.org groups hold the same objects.",
  check(index) {
    const seen = new Map<string, Manifest>();
    const out: RuleViolation[] = [];
    for (const m of index.manifests) {
      if (!m.applied) continue;
      const id = identityOf(m.object);
      // No name: generateName (the API server picks a fresh one) or a missing name, which the schema check reports.
      if (!id.name) continue;
      const key = `${id.group}|${id.kind}|${id.namespace ?? ''}|${id.name}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, m);
        continue;
      }
      out.push({
        manifest: m,
        path: 'metadata.name',
        message: `has the same API group, kind, namespace and name as the object from ${originOf(first, m)}; on apply only the last one survives and the other silently does not exist. Give one of them another name.`,
      });
    }
    return out;
  },
};

/** A string JSON writes as itself between quotes: printable ASCII without '"' and '\\'. */
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `Buffer.byteLength(JSON.stringify(value))` without building the text: an egress block's objects hold 100,000s of
 * prefixes, and stringifying them took ~3x longer on a cold run (this rule runs once per target, before V8 has
 * optimised anything). Plain strings are counted; everything else is measured by JSON itself.
 */
export function jsonByteLength(value: unknown): number {
  if (typeof value === 'string') return PLAIN_JSON_STRING.test(value) ? value.length + 2 : Buffer.byteLength(JSON.stringify(value));
  if (Array.isArray(value)) {
    // '[' ']' and a comma between items; JSON writes undefined, functions and symbols in arrays as null.
    let n = value.length > 0 ? value.length + 1 : 2;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      n += v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 4 : jsonByteLength(v);
    }
    return n;
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    // '{' '}', a comma between members, '"key":' for each; members JSON leaves out are not counted.
    let n = 1;
    let members = 0;
    for (const key of Object.keys(value)) {
      const v: unknown = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      n += jsonByteLength(key) + 2 + jsonByteLength(v);
      members++;
    }
    return members === 0 ? 2 : n;
  }
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

export const objectTooLarge: LintRule = {
  id: 'k8s/object-too-large',
  severity: Severity.ERROR,
  summary: "An object is larger than its target's apply mode can store.",
  explanation:
    `Client-side apply copies the whole object into the ${LAST_APPLIED} annotation, and all annotations of an object are capped at ` +
    `${formatCount(ANNOTATIONS_LIMIT_BYTES)} bytes (apimachinery objectmeta.go). Server-side apply is bounded by etcd's request limit ` +
    `(${formatCount(ETCD_REQUEST_LIMIT_BYTES)} bytes by default); ConfigMap data by ${formatCount(CONFIGMAP_DATA_LIMIT_BYTES)} bytes. ` +
    'An object over its limit is refused by the API server, so whatever policy it carries is absent.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.manifests) {
      if (!m.applied) continue;
      const json = jsonByteLength(m.object);
      if (index.target.applyMode === ApplyMode.CLIENT_SIDE) {
        const annotations = (m.object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
        const others = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
        const total = others + Buffer.byteLength(LAST_APPLIED) + json + 1;
        if (total > ANNOTATIONS_LIMIT_BYTES) {
          out.push({
            manifest: m,
            path: '',
            message: `is ${formatCount(json)} bytes; client-side apply copies it into the ${LAST_APPLIED} annotation, and all annotations (${formatCount(total)} bytes then) are capped at ${formatCount(ANNOTATIONS_LIMIT_BYTES)}. Split the content over several objects, or set the target's applyMode: server-side if the cluster is applied with server-side apply (Flux, Argo CD ServerSideApply=true).`,
          });
          continue;
        }
      } else if (json > ETCD_REQUEST_LIMIT_BYTES) {
        out.push({ manifest: m, path: '', message: `is ${formatCount(json)} bytes; etcd refuses requests over ${formatCount(ETCD_REQUEST_LIMIT_BYTES)} bytes by default. Split the content over several objects.` });
        continue;
      }
      if (m.object.kind === 'ConfigMap') {
        const data = { ...(m.object.data as Record<string, string> | undefined), ...(m.object.binaryData as Record<string, string> | undefined) };
        const bytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
        if (bytes > CONFIGMAP_DATA_LIMIT_BYTES) {
          out.push({ manifest: m, path: 'data', message: `holds ${formatCount(bytes)} bytes of data; a ConfigMap holds at most ${formatCount(CONFIGMAP_DATA_LIMIT_BYTES)}. Split it.` });
        }
      }
    }
    return out;
  },
};

/** The kinds a component's name is taken for: its workload, identity, configuration and Service. Policies may share it. */
const COMPONENT_KINDS = ['DaemonSet', 'Deployment', 'StatefulSet', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service', 'Role', 'RoleBinding'];

/**
 * Objects every cluster (or its CNI) already has and owns. Writing them from GitOps replaces the cluster's own copy:
 * `ConfigMap kube-system/coredns` is CoreDNS's Corefile, `Service kube-system/kube-dns` the cluster DNS address, a
 * `DaemonSet kube-system/cilium` (a NodeLocal DNSCache given that name) would replace the Cilium agent on every node.
 * `namespace: '*'` is every namespace. Sources: the kubeadm CoreDNS and kube-proxy add-ons and constants
 * (`KubeProxyConfigMap`, `KubeadmConfigConfigMap`, `kubelet-config`), the API server's `extension-apiserver-authentication`,
 * the root CA publisher (`RootCACertConfigMapName = "kube-root-ca.crt"`, in every namespace), the Cilium Helm chart's
 * agent, operator, Envoy and Hubble Relay/UI objects, and Calico's calico-node, calico-kube-controllers and
 * calico-typha (kube-system in manifest installs, calico-system with the operator); domain-notes §A.5.
 */
const CLUSTER_OWNED: readonly { readonly kinds: readonly string[]; readonly namespace: string; readonly name: string; readonly owner: string }[] = [
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'coredns', owner: "CoreDNS's own Corefile" },
  { kinds: ['Deployment'], namespace: 'kube-system', name: 'coredns', owner: 'the CoreDNS Deployment' },
  { kinds: ['ServiceAccount'], namespace: 'kube-system', name: 'coredns', owner: "CoreDNS's ServiceAccount" },
  { kinds: ['Service'], namespace: 'kube-system', name: 'kube-dns', owner: "the cluster DNS Service (every pod's nameserver)" },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'cilium-config', owner: "the Cilium agent's configuration (set it through the Helm values netsec writes)" },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'cilium', owner: 'a name of the Cilium agent (its DaemonSet and ServiceAccount)' },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'cilium-operator', owner: 'a name of the Cilium operator' },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'cilium-envoy', owner: "a name of Cilium's Envoy DaemonSet" },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'cilium-envoy-config', owner: "Cilium Envoy's configuration" },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'hubble-relay', owner: 'a name of Hubble Relay' },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'hubble-relay-config', owner: "Hubble Relay's configuration" },
  { kinds: ['Service'], namespace: 'kube-system', name: 'hubble-peer', owner: "the Service Hubble Relay finds the agents' Hubble servers by" },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'hubble-ui', owner: 'a name of the Hubble UI' },
  { kinds: COMPONENT_KINDS, namespace: 'kube-system', name: 'kube-proxy', owner: "a name of kube-proxy (its DaemonSet, ServiceAccount and configuration)" },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'kubeadm-config', owner: "kubeadm's cluster configuration" },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'kubelet-config', owner: "the kubelets' shared configuration (kubeadm)" },
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'extension-apiserver-authentication', owner: "the API server's client CA for extension API servers" },
  { kinds: ['ConfigMap'], namespace: '*', name: 'kube-root-ca.crt', owner: "the cluster's root CA bundle, which Kubernetes publishes into every namespace for pods to trust the API server" },
  ...['kube-system', 'calico-system'].flatMap((namespace) => [
    { kinds: COMPONENT_KINDS, namespace, name: 'calico-node', owner: "a name of Calico's node agent (calico-node)" },
    { kinds: COMPONENT_KINDS, namespace, name: 'calico-kube-controllers', owner: "a name of Calico's kube-controllers" },
    { kinds: COMPONENT_KINDS, namespace, name: 'calico-typha', owner: "a name of Calico's Typha" },
  ]),
  { kinds: ['ConfigMap'], namespace: 'kube-system', name: 'calico-config', owner: "Calico's CNI configuration (manifest installs)" },
];

export const clusterOwnedObject: LintRule = {
  id: 'k8s/cluster-owned-object',
  severity: Severity.ERROR,
  summary: 'An object has the name of one the cluster already owns (CoreDNS, kube-dns, kube-proxy, the Cilium, Hubble and Calico components, kube-root-ca.crt).',
  notSuppressible: "applying it replaces the cluster's own object",
  explanation:
    'Applying it replaces the cluster\'s own object: a ConfigMap named kube-system/coredns overwrites CoreDNS\'s Corefile and ' +
    "takes down cluster DNS, and a NodeLocal DNSCache named cilium would replace the Cilium agent's DaemonSet on every node. " +
    "Checked against the names of CoreDNS, kube-dns, kube-proxy, kubeadm's and the API server's ConfigMaps, kube-root-ca.crt (every " +
    'namespace), and the Cilium, Hubble and Calico components (their workloads, ServiceAccounts, ConfigMaps, Secrets, Services and ' +
    "RBAC; a policy may carry such a name). Name netsec's objects so they cannot collide (for example node-local-dns).",
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.manifests) {
      if (!m.applied) continue;
      const id = identityOf(m.object);
      const owned = CLUSTER_OWNED.find((o) => o.kinds.includes(id.kind) && (o.namespace === '*' || o.namespace === id.namespace) && o.name === id.name);
      if (owned) out.push({ manifest: m, path: 'metadata.name', message: `is ${owned.owner}; applying this object replaces it. Choose another name.` });
    }
    return out;
  },
};

export const K8S_RULES: readonly LintRule[] = [duplicateObject, objectTooLarge, clusterOwnedObject];

/** Exported for tests and docs: the objects `k8s/cluster-owned-object` protects. */
export { CLUSTER_OWNED };
