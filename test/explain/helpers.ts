import { parse } from 'yaml';
import { Cluster, ClusterPod, Flow, FlowResult, KubeObject, evaluate } from '../../src/explain/index.js';

/** A pod with defaults: namespace default, node n1, no ports. */
export function pod(id: string, labels: Record<string, string>, extra: Partial<ClusterPod> = {}): ClusterPod {
  const [namespace, name] = id.split('/') as [string, string];
  return { name, namespace, labels, ip: extra.ip ?? '', serviceAccount: 'default', node: 'n1', hostNetwork: false, ports: [], sidecar: false, ...extra };
}

/** A cluster of the given pods (IPs 10.0.1.x in list order unless given), one node n1 (192.168.0.4) and n2 (192.168.0.5). */
export function cluster(pods: ClusterPod[], extra: Partial<Cluster> = {}): Cluster {
  const withIps = pods.map((p, i) => (p.ip ? p : { ...p, ip: `10.0.1.${i + 1}` }));
  const namespaces = [...new Set(withIps.map((p) => p.namespace))].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } }));
  return {
    namespaces,
    pods: withIps,
    services: [],
    nodes: [{ name: 'n1', ip: '192.168.0.4', labels: {} }, { name: 'n2', ip: '192.168.0.5', labels: { role: 'db' } }],
    apiServer: [],
    dnsAnswers: {},
    agent: { enableNonDefaultDenyPolicies: true, policyEnforcementMode: 'default' },
    istio: { rootNamespace: 'istio-system' },
    ...extra,
  };
}

/** Objects of a multi-document YAML text. */
export function objects(yaml: string): KubeObject[] {
  return yaml.split(/^---$/m).map((d) => parse(d) as KubeObject).filter(Boolean);
}

/** A TCP flow (or the protocol given) from a pod to a pod or address. */
export function flow(from: string, to: string, port: number, extra: Partial<Flow> = {}): Flow {
  const toEnd = /^[\d.:a-f]+$/.test(to) ? { ip: to } : { pod: to };
  return { name: `${from} -> ${to}:${port}`, from: { pod: from }, to: toEnd, port, protocol: 'TCP', ...extra };
}

/** Judges one flow on Cilium `version` (default 1.17). */
export function judge(objs: KubeObject[], c: Cluster, f: Flow, version = '1.17'): FlowResult {
  return evaluate({ objects: objs, cluster: c, versions: { kubernetes: '1.30', cilium: version } }, f);
}

/** verdict, dropReason and by as one string: `DROPPED POLICY_DENY CiliumNetworkPolicy/default/x`. */
export function short(r: FlowResult): string {
  return [r.verdict, r.dropReason ?? r.httpStatus, r.by].filter((x) => x !== undefined).join(' ');
}
