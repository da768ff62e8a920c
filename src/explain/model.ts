// The vocabulary of the offline evaluator: the cluster a scenario describes, the flows it judges and the verdicts it
// gives (format v1, ../shared/guides/explain-scenarios.md). Plain data: no cdk8s, no I/O.

/** Labels of a pod, namespace, node or object. */
export type Labels = Readonly<Record<string, string>>;

/** L4 protocols a flow can use. */
export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** A namespace of the cluster. `kubernetes.io/metadata.name` is added to its labels. */
export interface ClusterNamespace {
  readonly name: string;
  readonly labels: Labels;
}

/** A container port of a pod (named ports in policies resolve against these). */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A pod of the cluster. */
export interface ClusterPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Given, or made up (stable) when the scenario leaves it out. */
  readonly ip: string;
  readonly serviceAccount: string;
  readonly node?: string;
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  /** An Istio sidecar runs in the pod. */
  readonly sidecar: boolean;
}

/** A port of a Service. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** A number or the name of a container port. @default - the same as `port` */
  readonly targetPort: number | string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A Service of the cluster. */
export interface ClusterService {
  readonly name: string;
  readonly namespace: string;
  readonly clusterIP?: string;
  readonly selector: Labels;
  readonly ports: readonly ServicePort[];
}

/** A node of the cluster. */
export interface ClusterNode {
  readonly name: string;
  readonly ip: string;
  readonly labels: Labels;
}

/** Cilium agent settings the verdicts depend on. */
export interface CiliumAgentSettings {
  /** Helm `enableNonDefaultDenyPolicies`: when false, `enableDefaultDeny: false` is ignored. @default true */
  readonly enableNonDefaultDenyPolicies: boolean;
  /** `policy-enforcement-mode`. @default 'default' */
  readonly policyEnforcementMode: 'default' | 'always' | 'never';
}

/** What a scenario says the cluster looks like. */
export interface Cluster {
  readonly namespaces: readonly ClusterNamespace[];
  readonly pods: readonly ClusterPod[];
  readonly services: readonly ClusterService[];
  readonly nodes: readonly ClusterNode[];
  /** Addresses of the kube-apiserver (entity `kube-apiserver`). */
  readonly apiServer: readonly string[];
  /** What names resolve to, keyed by the canonical name (lower case, final dot). */
  readonly dnsAnswers: Readonly<Record<string, readonly string[]>>;
  readonly agent: CiliumAgentSettings;
  /** Istio settings the verdicts depend on (an extension of format v1: `cluster.istio`). */
  readonly istio: IstioSettings;
}

/** Istio mesh settings. */
export interface IstioSettings {
  /** `meshConfig.rootNamespace`: `istio-system` upstream, `aks-istio-system` with the AKS add-on. @default 'istio-system' */
  readonly rootNamespace: string;
}

/** One end of a flow as a scenario names it. */
export type FlowEnd =
  | { readonly pod: string }
  | { readonly ip: string }
  | { readonly node: string }
  | { readonly service: string }
  | { readonly fqdn: string };

/** An HTTP request a flow carries (judged by L7 rules). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
  readonly headers: Labels;
}

/** What `netsec test` compares; only the fields present are compared. */
export interface FlowExpectation {
  readonly verdict?: Verdict;
  readonly dropReason?: string;
  readonly httpStatus?: number;
  readonly by?: string;
}

/** A flow to judge. */
export interface Flow {
  readonly name: string;
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  /** The destination port; 0 for ICMP. */
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly icmp?: { readonly type: number; readonly code?: number };
  readonly http?: HttpRequest;
  readonly dns?: { readonly query: string };
  readonly expect?: FlowExpectation;
}

/** What the datapath does to a flow. */
export type Verdict = 'FORWARDED' | 'DROPPED' | 'DENIED';

/** Which rule of which object decided, as explanations name it. */
export interface RuleRef {
  /** `Kind/namespace/name` or `Kind/name` for cluster-scoped objects. */
  readonly by: string;
  /** JSON path of the rule inside the object, e.g. `spec.egressDeny[0]`. */
  readonly path: string;
}

/** One layer the packet met, in order. */
export interface Step {
  /** `service`, `lrp`, `dns-proxy`, `fqdn`, `cilium-egress`, `cilium-ingress`, `l7-http`, `host`, `note`. */
  readonly layer: string;
  /** The endpoint this layer judged (`namespace/pod`, an IP, a node). */
  readonly endpoint?: string;
  /** What this layer did, in one sentence. */
  readonly detail: string;
  /** Objects whose rules select the endpoint in this direction. */
  readonly selectedBy?: readonly string[];
  /** Whether the endpoint is in default-deny for this direction. */
  readonly defaultDeny?: boolean;
  /** The rules that matched (deny or allow). */
  readonly matched?: readonly RuleRef[];
  /** `allow`, `deny`, `default-deny`, `default-allow`, `l7-deny`, `info`. */
  readonly outcome: string;
}

/** The verdict for one flow and why. */
export interface FlowResult {
  readonly name: string;
  readonly verdict: Verdict;
  /** With DROPPED: Hubble's drop reason name (`POLICY_DENIED`, `POLICY_DENY`). */
  readonly dropReason?: string;
  readonly dropReasonCode?: number;
  /** With DENIED on HTTP: 403. */
  readonly httpStatus?: number;
  /** `Kind/namespace/name` of the policy whose rule decided, or `default`. */
  readonly by: string;
  readonly steps: readonly Step[];
}
