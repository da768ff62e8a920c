import { ApiObject, Duration } from 'cdk8s';
import type * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import { Construct } from 'constructs';
import * as cilium from '../../imports/cilium.io.js';
import { addNote } from '../core/diagnostics.js';
import { NetsecError, echo } from '../core/errors.js';
import { Feature } from '../core/features.js';
import { HelmValues } from '../core/helm-values.js';
import { ResourceMetadataProps, applyResourceMetadata, checkLabels } from '../core/resource-metadata.js';
import { NodeLocalDnsMode, Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { DnsCachePath, IDnsCache, markDnsCache } from './cluster-dns.js';
import {
  NodeLocalDnsCacheSettings,
  PILLAR_CLUSTER_DNS,
  PILLAR_UPSTREAM_SERVERS,
  checkForwardServer,
  checkZone,
  renderNodeLocalDnsCorefile,
} from './corefile.js';
import { DNS_LABEL, isDnsSubdomain } from '../core/names.js';
import { parseQuantity } from '../core/quantity.js';
import { requireRecord } from '../core/arguments.js';

/**
 * Amounts of container resources by name (`cpu`, `memory`, ...): Kubernetes quantity strings such as '25m' and '5Mi',
 * or cdk8s-plus `Quantity` objects (`Quantity.fromString('25m')`).
 */
export type ResourceQuantities = Readonly<Record<string, string | k8s.Quantity>>;

/** Requests and limits of the node-cache container. */
export interface ContainerResources {
  /** @default - none */
  readonly requests?: ResourceQuantities;
  /** @default - none */
  readonly limits?: ResourceQuantities;
}

/** Properties for `NodeLocalDnsCache`. */
export interface NodeLocalDnsCacheProps {
  /**
   * The namespace of the cluster DNS Service (kube-dns). The cache, its Local Redirect Policy and the upstream Service
   * live there too: an LRP's serviceMatcher and its backends must be in the LRP's own namespace.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /** Name of the DaemonSet, ConfigMap and ServiceAccount, and value of the pods' `k8s-app` label. @default 'node-local-dns' */
  readonly name?: string;
  /**
   * The node-cache image. Must be 1.15.16 or later (the first with `-setupinterface=false`).
   * @default 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4' (the kubernetes addon manifest's version)
   */
  readonly image?: string;
  /**
   * Addresses node-cache listens on (`-localip`). `0.0.0.0` binds all of the pod's addresses, which is what the
   * Local Redirect Policy needs; Cilium's example uses `169.254.20.10` plus the kube-dns ClusterIP instead.
   * @default ['0.0.0.0']
   */
  readonly localIps?: string[];
  /** The cluster DNS domain. @default - the target's `cluster.clusterDomain`, else 'cluster.local' */
  readonly clusterDomain?: string;
  /** Cache sizes and TTLs. @default - the upstream values (9984 entries, 30 s success, 5 s denial, 30 s other zones) */
  readonly cache?: NodeLocalDnsCacheSettings;
  /**
   * Where queries outside the cluster zones go. The default placeholder makes node-cache use the node's
   * /etc/resolv.conf servers (the pods run with `dnsPolicy: Default`).
   * @default ['__PILLAR__UPSTREAM__SERVERS__']
   */
  readonly upstreamServers?: string[];
  /** Extra zones answered by other servers, e.g. `{ 'k8s.intra': ['10.0.0.53'] }`. @default {} */
  readonly stubDomains?: Record<string, string[]>;
  /** Whether queries to the cluster DNS use TCP, as in the upstream manifests (`force_tcp`). @default true */
  readonly forceTcpToClusterDns?: boolean;
  /** Port of the `health` plugin and the liveness and readiness probes. @default 8080 */
  readonly healthPort?: number;
  /** Port of the `prometheus` plugin. @default 9253 */
  readonly metricsPort?: number;
  /** Container resources. @default - requests cpu 25m, memory 5Mi (the upstream values) */
  readonly resources?: ContainerResources;
  /** Priority class of the pods. @default 'system-node-critical' */
  readonly priorityClassName?: string;
  /** Tolerations; the default lets the cache run on every node, tainted or not. @default - CriticalAddonsOnly, and every NoExecute and NoSchedule taint */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Whether the pods carry `policy.cilium.io/no-track-port: "53"`, which makes Cilium skip connection tracking for
   * DNS to them (both Cilium's example and the upstream write-ups set it; check its effect on your Hubble visibility).
   * @default true
   */
  readonly noTrackPort?: boolean;
  /**
   * `skipRedirectFromBackend` on the Local Redirect Policy: queries the cache itself sends to the kube-dns ClusterIP go
   * to kube-dns instead of back to the cache. Not needed here: the cache reaches CoreDNS through the `kube-dns-upstream`
   * Service (`-upstreamsvc`), which the LRP does not redirect. Needs Linux 5.12 or later on every node. The field is
   * immutable (CEL `self == oldSelf`): changing it later means deleting and re-creating the LRP and the cache pods.
   * @default false
   */
  readonly skipRedirectFromBackend?: boolean;
  /** The cluster DNS Service the LRP takes over. @default 'kube-dns' */
  readonly clusterDnsService?: string;
  /** Labels of the cluster DNS (CoreDNS) pods. @default { 'k8s-app': 'kube-dns' } */
  readonly clusterDnsLabels?: Record<string, string>;
  /** Name of the Service that reaches CoreDNS without being redirected (`-upstreamsvc`). @default 'kube-dns-upstream' */
  readonly upstreamServiceName?: string;
  /** Name of the CiliumLocalRedirectPolicy. @default 'nodelocaldns' (as in Cilium's example) */
  readonly localRedirectPolicyName?: string;
  /**
   * Labels and annotations of every object the cache renders: the ServiceAccount, ConfigMap, upstream Service, DaemonSet
   * and CiliumLocalRedirectPolicy (e.g. `argocd.argoproj.io/sync-wave`). Not the pod template: pod labels are selected
   * by the DaemonSet and the LRP, and changing them rolls every cache pod (patch `cache.daemonSet` for that). A label
   * an object carries itself (`k8s-app` on the DaemonSet, the CoreDNS labels on the upstream Service) cannot be given
   * another value. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations beyond the cache's own
   */
  readonly metadata?: ResourceMetadataProps;
}

/** `resources` as the API takes it: every quantity a string (a cdk8s-plus `Quantity` gives its value). */
function wireResources(r: ContainerResources): Record<string, Record<string, string | number>> {
  const amounts = (q: ResourceQuantities): Record<string, string | number> =>
    Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? v : v.value]));
  return { ...(r.requests ? { requests: amounts(r.requests) } : {}), ...(r.limits ? { limits: amounts(r.limits) } : {}) };
}

/** The first node-cache release with the knobs the LRP setup needs (Cilium docs: "release version >= 1.15.16"). */
const MIN_NODE_CACHE = [1, 15, 16] as const;
const DEFAULT_IMAGE = 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4';
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * NodeLocal DNSCache behind a Cilium Local Redirect Policy, as Cilium documents it: node-cache runs as an ordinary
 * pod (`hostNetwork: false`) without its own interface or iptables rules, and a `CiliumLocalRedirectPolicy` sends the
 * traffic for the kube-dns ClusterIP to the cache pod on the same node. Cache misses go to CoreDNS through the
 * `kube-dns-upstream` Service, which the LRP does not redirect. Also writes the Cilium Helm values that enable LRPs,
 * and every Cilium policy of the target (in any chart, built before or after) allows DNS to the cache pods
 * (cilium#24654): it finds this construct in the construct tree.
 *
 * This is NodeLocalDnsMode.LRP. For a cache deployed otherwise on a link-local address of each node (classic
 * hostNetwork node-local-dns, AKS LocalDNS), do not use this construct: set the target's
 * `cluster.nodeLocalDns: { mode: NodeLocalDnsMode.LINK_LOCAL }` so that policies allow DNS to entity host.
 *
 * Children are public for escape hatches: `daemonSet`, `configMap`, `service`, `serviceAccount`, `localRedirectPolicy`.
 */
export class NodeLocalDnsCache extends Construct implements IDnsCache {
  /** How the pods' queries reach this cache: always through the Local Redirect Policy. */
  public readonly mode = NodeLocalDnsMode.LRP;
  public readonly namespace: string;
  public readonly name: string;
  public readonly image: string;
  public readonly localIps: string[];
  public readonly clusterDomain: string;
  public readonly cache: Required<NodeLocalDnsCacheSettings>;
  public readonly upstreamServers: string[];
  public readonly stubDomains: Record<string, string[]>;
  public readonly forceTcpToClusterDns: boolean;
  public readonly healthPort: number;
  public readonly metricsPort: number;
  public readonly resources: ContainerResources;
  public readonly priorityClassName: string;
  public readonly tolerations: k8s.Toleration[];
  public readonly noTrackPort: boolean;
  public readonly skipRedirectFromBackend: boolean;
  public readonly clusterDnsService: string;
  public readonly clusterDnsLabels: Record<string, string>;
  public readonly upstreamServiceName: string;
  public readonly localRedirectPolicyName: string;
  /** The labels of the cache pods (`k8s-app: <name>`); the LRP and DNS allow rules select them. */
  public readonly podLabels: Record<string, string>;
  /** The generated Corefile (the ConfigMap's `Corefile`, read by node-cache as /etc/coredns/Corefile.base). */
  public readonly corefile: string;

  public readonly serviceAccount: ApiObject;
  public readonly configMap: ApiObject;
  /** The `kube-dns-upstream` Service. */
  public readonly service: ApiObject;
  public readonly daemonSet: ApiObject;
  public readonly localRedirectPolicy: cilium.CiliumLocalRedirectPolicy;
  /** The Cilium Helm values fragment that enables Local Redirect Policies. */
  public readonly helmValues: HelmValues;
  /** What the cache puts in the target's DNS path: the DNS rules of its target's Cilium policies read it. */
  public readonly dnsCachePath: DnsCachePath;

  public constructor(scope: Construct, id: string, props: NodeLocalDnsCacheProps = {}) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`NodeLocalDnsCache '${this.node.path}'`, 'props', props);
    const target = Target.of(this);
    this.namespace = props.namespace ?? 'kube-system';
    this.name = props.name ?? 'node-local-dns';
    const who = `NodeLocalDnsCache '${this.namespace}/${this.name}'`;
    target.requireProduct(Product.CILIUM, `${who} (it redirects DNS with a CiliumLocalRedirectPolicy)`);
    if (target.nodeLocalDns?.mode === NodeLocalDnsMode.LINK_LOCAL) {
      throw new NetsecError('INVALID', `${who}: target '${target.name}' says NodeLocal DNSCache listens on an address of each node (cluster.nodeLocalDns mode link-local), but this construct runs it behind a Cilium Local Redirect Policy, where DNS rules must select the cache pods instead. Set cluster.nodeLocalDns to mode lrp (or leave it out), or remove this cache.`);
    }
    for (const [field, value] of [['namespace', this.namespace], ['name', this.name]] as const) {
      if (!DNS_LABEL.test(value) || value.length > 63) throw new NetsecError('INVALID', `${who}: '${field}' '${value}' must be a DNS-1123 label.`);
    }

    this.image = props.image ?? DEFAULT_IMAGE;
    checkImage(who, this.image);
    this.localIps = [...(props.localIps ?? ['0.0.0.0'])];
    if (this.localIps.length === 0) throw new NetsecError('INVALID', `${who}: 'localIps' must name at least one address (e.g. '0.0.0.0').`);
    for (const ip of this.localIps) checkForwardServer(who, 'localIps', ip, []);
    this.clusterDomain = props.clusterDomain ?? target.cluster.clusterDomain ?? 'cluster.local';
    checkZone(who, 'clusterDomain', this.clusterDomain);
    this.cache = {
      successCapacity: props.cache?.successCapacity ?? 9984,
      successTtl: props.cache?.successTtl ?? Duration.seconds(30),
      denialCapacity: props.cache?.denialCapacity ?? 9984,
      denialTtl: props.cache?.denialTtl ?? Duration.seconds(5),
      otherZonesTtl: props.cache?.otherZonesTtl ?? Duration.seconds(30),
    };
    for (const [field, n] of [['cache.successCapacity', this.cache.successCapacity], ['cache.denialCapacity', this.cache.denialCapacity]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new NetsecError('INVALID', `${who}: '${field}' must be a positive whole number (got ${n}).`);
    }
    this.upstreamServers = [...(props.upstreamServers ?? [PILLAR_UPSTREAM_SERVERS])];
    if (this.upstreamServers.length === 0) throw new NetsecError('INVALID', `${who}: 'upstreamServers' must name at least one server; leave it out to use the node's resolvers.`);
    for (const s of this.upstreamServers) checkForwardServer(who, 'upstreamServers', s, [PILLAR_UPSTREAM_SERVERS]);
    this.stubDomains = Object.fromEntries(Object.entries(props.stubDomains ?? {}).map(([k, v]) => [k, [...v]]));
    for (const [zone, servers] of Object.entries(this.stubDomains)) {
      checkZone(who, 'stubDomains', zone);
      if (zone === this.clusterDomain || zone.endsWith('.arpa')) throw new NetsecError('INVALID', `${who}: stub domain '${zone}' is already a zone of the Corefile.`);
      if (servers.length === 0) throw new NetsecError('INVALID', `${who}: stub domain '${zone}' needs at least one server.`);
      for (const s of servers) checkForwardServer(who, `stubDomains.${zone}`, s, []);
    }
    this.forceTcpToClusterDns = props.forceTcpToClusterDns ?? true;
    this.healthPort = props.healthPort ?? 8080;
    this.metricsPort = props.metricsPort ?? 9253;
    for (const [field, port] of [['healthPort', this.healthPort], ['metricsPort', this.metricsPort]] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 53) throw new NetsecError('INVALID', `${who}: '${field}' must be 1-65535 and not 53 (got ${port}).`);
    }
    if (this.healthPort === this.metricsPort) throw new NetsecError('INVALID', `${who}: 'healthPort' and 'metricsPort' must differ (both ${this.healthPort}).`);
    this.resources = props.resources ?? { requests: { cpu: '25m', memory: '5Mi' } };
    checkResources(who, this.resources);
    this.priorityClassName = props.priorityClassName ?? 'system-node-critical';
    if (!isDnsSubdomain(this.priorityClassName)) {
      throw new NetsecError('INVALID', `${who}: 'priorityClassName' '${echo(this.priorityClassName)}' is not a PriorityClass name; the API server refuses the DaemonSet unless it is a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'), e.g. 'system-node-critical'.`);
    }
    this.tolerations = props.tolerations ?? [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { effect: 'NoExecute', operator: 'Exists' },
      { effect: 'NoSchedule', operator: 'Exists' },
    ];
    this.noTrackPort = props.noTrackPort ?? true;
    // Off unless asked: the kube-dns-upstream Service already keeps the cache's own queries from looping back, and the
    // flag would add a kernel requirement (Linux 5.12) for no gain (domain-notes lrp/node-local-dns-needs-upstream-service).
    this.skipRedirectFromBackend = props.skipRedirectFromBackend ?? false;
    if (this.skipRedirectFromBackend) target.require(Feature.CILIUM_LRP_SKIP_REDIRECT_FROM_BACKEND, who);
    this.clusterDnsService = props.clusterDnsService ?? 'kube-dns';
    this.clusterDnsLabels = checkLabels(who, 'clusterDnsLabels', props.clusterDnsLabels) ?? { 'k8s-app': 'kube-dns' };
    this.upstreamServiceName = props.upstreamServiceName ?? 'kube-dns-upstream';
    this.localRedirectPolicyName = props.localRedirectPolicyName ?? 'nodelocaldns';
    for (const [field, value] of [['clusterDnsService', this.clusterDnsService], ['upstreamServiceName', this.upstreamServiceName]] as const) {
      if (!DNS_1035.test(value) || value.length > 63) throw new NetsecError('INVALID', `${who}: '${field}' '${value}' must be a Service name (a DNS-1035 label).`);
    }
    if (this.upstreamServiceName === this.clusterDnsService) {
      throw new NetsecError('INVALID', `${who}: 'upstreamServiceName' must differ from 'clusterDnsService' ('${this.clusterDnsService}'): the LRP redirects that Service, so cache misses would loop back to the cache.`);
    }
    if (Object.keys(this.clusterDnsLabels).length === 0) throw new NetsecError('INVALID', `${who}: 'clusterDnsLabels' must select the CoreDNS pods (e.g. { 'k8s-app': 'kube-dns' }).`);
    this.podLabels = { 'k8s-app': this.name };

    this.corefile = renderNodeLocalDnsCorefile({
      clusterDomain: this.clusterDomain,
      cache: this.cache,
      clusterDnsServers: [PILLAR_CLUSTER_DNS],
      forceTcp: this.forceTcpToClusterDns,
      upstreamServers: this.upstreamServers,
      stubDomains: this.stubDomains,
      healthPort: this.healthPort,
      metricsPort: this.metricsPort,
    });

    const metadata = { name: this.name, namespace: this.namespace };
    // Plain ApiObjects with the wire shape: cdk8s-plus' generated classes for core kinds cost ~80 ms to load on every
    // run (a 1 MB module) for what is four literal objects; the synth validates them against the core-kind schemas.
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata });
    this.configMap = new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { Corefile: this.corefile } });
    this.service = new ApiObject(this, 'UpstreamService', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: this.upstreamServiceName,
        namespace: this.namespace,
        // As upstream: the Service carries the CoreDNS label and the name node-cache looks it up by.
        labels: { ...this.clusterDnsLabels, 'kubernetes.io/name': 'KubeDNSUpstream' },
      },
      spec: {
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
        selector: this.clusterDnsLabels,
      },
    });
    this.daemonSet = new ApiObject(this, 'DaemonSet', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { ...metadata, labels: this.podLabels },
      spec: {
        updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } },
        selector: { matchLabels: this.podLabels },
        template: {
          metadata: {
            labels: this.podLabels,
            annotations: {
              ...(this.noTrackPort ? { 'policy.cilium.io/no-track-port': '53' } : {}),
              'prometheus.io/port': String(this.metricsPort),
              'prometheus.io/scrape': 'true',
            },
          },
          spec: {
            priorityClassName: this.priorityClassName,
            serviceAccountName: this.name,
            // Not on the host network: the LRP redirects to the pod's own address, and a hostNetwork pod would take
            // port 53 of the whole node (Cilium docs; domain-notes lrp/backend-hostnetwork).
            hostNetwork: false,
            // Resolve through the node's resolvers, never through the cluster DNS the cache stands in for.
            dnsPolicy: 'Default',
            tolerations: this.tolerations,
            containers: [
              {
                name: 'node-cache',
                image: this.image,
                resources: wireResources(this.resources),
                args: [
                  '-localip', this.localIps.join(','),
                  '-conf', '/etc/Corefile',
                  '-upstreamsvc', this.upstreamServiceName,
                  // Cilium does the redirection: node-cache must not create its dummy interface or iptables rules,
                  // and must not tear down what it did not set up.
                  '-skipteardown=true',
                  '-setupinterface=false',
                  '-setupiptables=false',
                ],
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: this.metricsPort, name: 'metrics', protocol: 'TCP' },
                ],
                // No `host`: the health plugin listens on the pod's own address.
                livenessProbe: {
                  httpGet: { path: '/health', port: this.healthPort },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                },
                readinessProbe: {
                  httpGet: { path: '/health', port: this.healthPort },
                  timeoutSeconds: 5,
                },
                volumeMounts: [
                  { name: 'config-volume', mountPath: '/etc/coredns' },
                  { name: 'kube-dns-config', mountPath: '/etc/kube-dns' },
                ],
              },
            ],
            volumes: [
              { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
              { name: 'config-volume', configMap: { name: this.name, items: [{ key: 'Corefile', path: 'Corefile.base' }] } },
            ],
          },
        },
      },
    });
    this.localRedirectPolicy = new cilium.CiliumLocalRedirectPolicy(this, 'LocalRedirectPolicy', {
      metadata: { name: this.localRedirectPolicyName, namespace: this.namespace },
      spec: {
        redirectFrontend: { serviceMatcher: { serviceName: this.clusterDnsService, namespace: this.namespace } },
        redirectBackend: {
          localEndpointSelector: { matchLabels: this.podLabels },
          // Named like the container ports: frontend and backend ports pair by name.
          toPorts: [
            { port: '53', name: 'dns', protocol: cilium.CiliumLocalRedirectPolicySpecRedirectBackendToPortsProtocol.UDP },
            { port: '53', name: 'dns-tcp', protocol: cilium.CiliumLocalRedirectPolicySpecRedirectBackendToPortsProtocol.TCP },
          ],
        },
        ...(this.skipRedirectFromBackend ? { skipRedirectFromBackend: true } : {}),
      },
    });

    applyResourceMetadata(who, props.metadata, [this.serviceAccount, this.configMap, this.service, this.daemonSet, this.localRedirectPolicy]);

    const newKey = target.has(Feature.CILIUM_LRP_HELM_LOCAL_REDIRECT_POLICIES);
    this.helmValues = new HelmValues(this, 'CiliumValues', {
      release: 'cilium',
      values: newKey ? { localRedirectPolicies: { enabled: true } } : { localRedirectPolicy: true },
      reason: `${newKey ? 'localRedirectPolicies.enabled' : 'localRedirectPolicy'}: CiliumLocalRedirectPolicy ${this.namespace}/${this.localRedirectPolicyName} (NodeLocal DNSCache) does nothing unless Local Redirect Policies are enabled; restart the Cilium agents and operator after changing it.`,
    });
    const lrp = `CiliumLocalRedirectPolicy ${this.namespace}/${this.localRedirectPolicyName}`;
    addNote(this, `${lrp}: its spec is immutable; to change it, delete and re-create it (for Argo CD, sync with Replace=true).`);
    if (this.skipRedirectFromBackend) {
      addNote(this, `${lrp} sets skipRedirectFromBackend, which needs Linux 5.12 or later on every node; LRPs and ${this.name} pods created before it was set must be re-created.`);
    } else {
      addNote(this, `${lrp} leaves skipRedirectFromBackend off: the ${this.upstreamServiceName} Service already keeps the cache's own queries from looping back to it. The field is immutable, so turning it on later (it needs Linux 5.12 or later on every node) means deleting and re-creating the LRP and the ${this.name} pods.`);
    }

    this.dnsCachePath = {
      cache: { kind: 'pods', name: this.name, namespace: this.namespace, labels: this.podLabels },
      clusterDns: { kind: 'pods', name: this.clusterDnsService, namespace: this.namespace, labels: this.clusterDnsLabels },
    };
    markDnsCache(this);
  }
}

/**
 * Refuses requests and limits the API server refuses (ValidateResourceRequirements, pkg/apis/core/validation): a
 * negative quantity, or a request above its limit. The DaemonSet would not be created, and
 * the cluster DNS behind the Local Redirect Policy would have no cache.
 */
function checkResources(who: string, resources: ContainerResources): void {
  const read = (field: 'requests' | 'limits'): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [name, q] of Object.entries(resources[field] ?? {})) {
      const text = typeof q === 'string' ? q : String(q?.value ?? q);
      const value = parseQuantity(text);
      // A value that is not a quantity at all is the schema check's (format 'quantity', at the DaemonSet's field).
      if (value === undefined) continue;
      if (value < 0) throw new NetsecError('INVALID', `${who}: 'resources.${field}.${name}' is '${echo(text)}'; the API server refuses a negative quantity ("must be greater than or equal to 0").`);
      out.set(name, value);
    }
    return out;
  };
  const requests = read('requests');
  const limits = read('limits');
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit !== undefined && request > limit) {
      throw new NetsecError('INVALID', `${who}: 'resources.requests.${name}' is above 'resources.limits.${name}'; the API server refuses the DaemonSet ("must be less than or equal to ${name} limit"). Raise the limit or lower the request.`);
    }
  }
}

/** Refuses node-cache images older than 1.15.16 when the tag says so (other registries and digests pass). */
function checkImage(who: string, image: string): void {
  const m = /k8s-dns-node-cache:v?(\d+)\.(\d+)\.(\d+)/.exec(image);
  if (!m) return;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) {
    if (v[i] > MIN_NODE_CACHE[i]) return;
    if (v[i] < MIN_NODE_CACHE[i]) {
      throw new NetsecError('INVALID', `${who}: image '${image}' is node-cache ${v.join('.')}, but running behind a Local Redirect Policy needs ${MIN_NODE_CACHE.join('.')} or later (the first with -setupinterface=false).`);
    }
  }
}
