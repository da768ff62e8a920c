import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumNetworkPolicy } from '../cilium/cilium-network-policy.js';
import { Peer } from '../cilium/peers.js';
import { Port } from '../cilium/ports.js';
import { EndpointSelector } from '../cilium/selectors.js';
import { addNote } from '../core/diagnostics.js';
import { NetsecError } from '../core/errors.js';
import { ResourceMetadataProps, applyResourceMetadata, checkLabels, checkResourceMetadata } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { OutboundTrafficPolicyMode } from './istio-mesh-settings.js';
import { checkNamespace } from './names.js';
import { DNS_LABEL, isDnsSubdomain } from '../core/names.js';
import { requireList, requireOneOf, requireRecord } from '../core/arguments.js';

// Istio's egress controls (domain-notes §A.8; Istio networking.istio.io/v1 Sidecar and ServiceEntry, served by every
// supported line 1.23-1.30: istio/istio manifests/charts/base crd-all.gen.yaml at 1.23.6 and 1.30.3), and one construct
// that declares "these workloads may reach these hosts" once for both Cilium and Istio.

const SIDECAR_GVK = { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar' };
const SERVICE_ENTRY_GVK = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry' };
const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Protocol of a ServiceEntry port: how the sidecar treats the traffic. */
export enum ExternalProtocol {
  /** TLS the application starts itself (HTTPS to an API): passed through, routed by SNI. */
  TLS = 'TLS',
  /** Plain HTTP; the sidecar sees requests. */
  HTTP = 'HTTP',
  /** Opaque TCP. */
  TCP = 'TCP',
}

/** One external host and port that workloads may reach. */
export interface ExternalHost {
  /** A DNS name (`api.example.com`); `*.example.com` only in `ServiceEntry` and `IstioSidecar`, not in `MeshEgressAllowance`. */
  readonly host: string;
  /** @default 443 */
  readonly port?: number;
  /** @default ExternalProtocol.TLS */
  readonly protocol?: ExternalProtocol;
}

/** Properties for `IstioServiceEntry`. */
export interface IstioServiceEntryProps {
  readonly name: string;
  readonly namespace: string;
  /** The external hosts and their ports; every port applies to every host. */
  readonly hosts: string[];
  readonly ports: { readonly port: number; readonly protocol?: ExternalProtocol }[];
  /**
   * Namespaces that see the entry (`exportTo`); `.` is its own namespace.
   * @default ['.'] - only its own namespace, so the allowance does not leak to the mesh
   */
  readonly exportTo?: string[];
  /**
   * Labels and annotations of the ServiceEntry (e.g. `argocd.argoproj.io/sync-wave`); more can be added later with
   * `serviceEntry.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/** An Istio `ServiceEntry` (`networking.istio.io/v1`) for external hosts: `location: MESH_EXTERNAL`, DNS resolution (NONE for wildcards). */
export class IstioServiceEntry extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The ServiceEntry's metadata, as cdk8s-plus exposes it: `serviceEntry.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: IstioServiceEntryProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`IstioServiceEntry '${this.node.path}'`, 'props', props);
    const who = `IstioServiceEntry '${this.node.path}'`;
    Target.of(this).requireProduct(Product.ISTIO, who);
    this.name = checkName(props.name, who);
    this.namespace = checkNamespace(props.namespace, `${who} 'namespace'`);
    if (!props.hosts?.length) throw new NetsecError('INVALID', `${who}: 'hosts' is empty; name the external hosts (api.example.com).`);
    for (const h of props.hosts) checkHost(h, who);
    if (!props.ports?.length) throw new NetsecError('INVALID', `${who}: 'ports' is empty; Istio needs at least one port (443 for HTTPS).`);
    const wildcard = props.hosts.some((h) => h.startsWith('*'));
    this.apiObject = new ApiObject(this, 'Resource', {
      ...SERVICE_ENTRY_GVK,
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        hosts: [...requireList(who, 'hosts', props.hosts)],
        // From JavaScript, exportTo: 'abc' had been spread into [a, b, c].
        exportTo: [...(props.exportTo === undefined ? ['.'] : requireList(who, 'exportTo', props.exportTo))],
        location: 'MESH_EXTERNAL',
        ports: props.ports.map((p) => {
          const protocol = requireOneOf(who, 'ports[].protocol', p.protocol ?? ExternalProtocol.TLS, Object.values(ExternalProtocol));
          return { number: checkPort(p.port, who), name: `${protocol.toLowerCase()}-${p.port}`, protocol };
        }),
        // Istio refuses DNS resolution for wildcard hosts (there is no one name to resolve).
        resolution: wildcard ? 'NONE' : 'DNS',
      },
    });
    applyResourceMetadata(who, props.metadata, [this.apiObject]);
    this.metadata = this.apiObject.metadata;
  }
}

/** Properties for `IstioSidecar`. */
export interface IstioSidecarProps {
  /** @default 'default' */
  readonly name?: string;
  readonly namespace: string;
  /**
   * Pod labels of the workloads it configures (`workloadSelector.labels`).
   * @default - every workload of the namespace (one such Sidecar per namespace)
   */
  readonly workloadSelector?: Record<string, string>;
  /**
   * The services the workloads' sidecars know, as `<namespace>/<host>`: `./api.example.com` (the Sidecar's namespace),
   * `istio-system/` followed by `*` (the control plane), or `*` followed by `/api.example.com` (any namespace).
   */
  readonly egressHosts: string[];
  /**
   * What the sidecars do with hosts outside the registry (`outboundTrafficPolicy.mode`), overriding the mesh setting.
   * @default - the mesh setting
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /**
   * Labels and annotations of the Sidecar (e.g. `argocd.argoproj.io/sync-wave`); more can be added later with
   * `sidecar.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/** An Istio `Sidecar` (`networking.istio.io/v1`): which hosts the sidecars of a namespace or some workloads know. */
export class IstioSidecar extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The Sidecar's metadata, as cdk8s-plus exposes it: `sidecar.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: IstioSidecarProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`IstioSidecar '${this.node.path}'`, 'props', props);
    const who = `IstioSidecar '${this.node.path}'`;
    Target.of(this).requireProduct(Product.ISTIO, who);
    this.name = checkName(props.name ?? 'default', who);
    this.namespace = checkNamespace(props.namespace, `${who} 'namespace'`);
    if (!props.egressHosts?.length) throw new NetsecError('INVALID', `${who}: 'egressHosts' is empty; name the hosts the sidecars may know as <namespace>/<host>, e.g. './api.example.com' or 'istio-system/*'.`);
    for (const h of props.egressHosts) {
      const slash = h.indexOf('/');
      const ns = h.slice(0, slash);
      const host = h.slice(slash + 1);
      if (slash < 1 || !(ns === '.' || ns === '*' || ns === '~' || DNS_LABEL.test(ns)) || !(host === '*' || DNS_NAME.test(host))) {
        throw new NetsecError('INVALID', `${who}: egress host ${JSON.stringify(h)} is not <namespace>/<host>; write './api.example.com' (this namespace), 'istio-system/*' or '*/api.example.com'.`);
      }
    }
    if (props.workloadSelector !== undefined) checkLabels(who, 'workloadSelector', props.workloadSelector);
    if (props.outboundTrafficPolicy !== undefined && !Object.values(OutboundTrafficPolicyMode).includes(props.outboundTrafficPolicy)) {
      throw new NetsecError('INVALID', `${who}: 'outboundTrafficPolicy' must be one of: ${Object.values(OutboundTrafficPolicyMode).join(', ')} (got ${JSON.stringify(props.outboundTrafficPolicy)}).`);
    }
    this.apiObject = new ApiObject(this, 'Resource', {
      ...SIDECAR_GVK,
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        ...(props.workloadSelector ? { workloadSelector: { labels: { ...props.workloadSelector } } } : {}),
        egress: [{ hosts: [...props.egressHosts] }],
        ...(props.outboundTrafficPolicy ? { outboundTrafficPolicy: { mode: props.outboundTrafficPolicy } } : {}),
      },
    });
    applyResourceMetadata(who, props.metadata, [this.apiObject]);
    this.metadata = this.apiObject.metadata;
  }
}

/** Properties for `MeshEgressAllowance`. */
export interface MeshEgressAllowanceProps {
  /** Name of every object it writes (CiliumNetworkPolicy, ServiceEntry, Sidecar). */
  readonly name: string;
  readonly namespace: string;
  /** Pod labels of the workloads that may reach the hosts. */
  readonly workloads: Record<string, string>;
  /** The external hosts (exact DNS names) and ports. */
  readonly hosts: ExternalHost[];
  /**
   * The Istio control-plane namespace the sidecars must keep knowing.
   * @default 'istio-system'
   */
  readonly controlPlaneNamespace?: string;
  /**
   * Labels and annotations of every object it writes (the CiliumNetworkPolicy, each ServiceEntry and the Sidecar), e.g.
   * `argocd.argoproj.io/sync-wave`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/**
 * "These workloads may reach these hosts", declared once and written for every layer the target runs, so the layers
 * cannot drift apart:
 * - Cilium (if the target runs it): a CiliumNetworkPolicy with `toFQDNs` per host and port; netsec adds the DNS rules
 *   (to the resolvers the cluster uses, with the DNS proxy seeing the queries) and the workloads go to egress
 *   default-deny, so nothing else leaves them at L3/L4.
 * - Istio (if the target runs it): a ServiceEntry for the hosts (visible in the namespace only) and a Sidecar for the
 *   workloads that knows only those hosts and the control plane, with `outboundTrafficPolicy: REGISTRY_ONLY`, so the
 *   sidecar refuses every other host whatever the mesh-wide mode is.
 * Host names are exact: Istio's `*.example.com` and Cilium's `matchPattern` wildcards do not mean the same names, so a
 * wildcard is refused here (declare it on each layer on purpose).
 */
export class MeshEgressAllowance extends Construct {
  public readonly ciliumPolicy?: CiliumNetworkPolicy;
  /** The (first) ServiceEntry; hosts on different ports get one entry per port set. */
  public readonly serviceEntry?: IstioServiceEntry;
  public readonly sidecar?: IstioSidecar;

  public constructor(scope: Construct, id: string, props: MeshEgressAllowanceProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`MeshEgressAllowance '${this.node.path}'`, 'props', props);
    const who = `MeshEgressAllowance '${this.node.path}'`;
    const target = Target.of(this);
    const cilium = target.version(Product.CILIUM) !== undefined;
    const istio = target.version(Product.ISTIO) !== undefined;
    if (!cilium && !istio) throw new NetsecError('INVALID', `${who}: target '${target.name}' runs neither Cilium nor Istio, so there is no layer to write; name a cilium or istio version in the target.`);
    checkLabels(who, 'workloads', props.workloads);
    if (Object.keys(props.workloads ?? {}).length === 0) throw new NetsecError('INVALID', `${who}: 'workloads' names no label; an allowance for every pod of the namespace is too broad to be an exception. Name the workloads' labels.`);
    if (!props.hosts?.length) throw new NetsecError('INVALID', `${who}: 'hosts' is empty; name the external hosts the workloads may reach.`);
    for (const h of props.hosts) {
      if (h.host.includes('*')) {
        throw new NetsecError('INVALID', `${who}: host '${h.host}' is a wildcard; Istio's '*.example.com' matches names at any depth and Cilium's matchPattern '*.example.com' one label only, so one declaration would allow different names on each layer. Name the hosts exactly.`);
      }
      checkHost(h.host, who);
      checkPort(h.port ?? 443, who);
    }
    // Checked here so that a refusal names the allowance; each object it writes gets the same labels and annotations.
    const metadata = checkResourceMetadata(who, props.metadata);
    const hosts = [...new Set(props.hosts.map((h) => h.host))].sort();
    const ports = [...new Map(props.hosts.map((h) => [`${h.port ?? 443}/${h.protocol ?? ExternalProtocol.TLS}`, { port: h.port ?? 443, protocol: h.protocol ?? ExternalProtocol.TLS }])).values()].sort((a, b) => a.port - b.port);

    if (cilium) {
      this.ciliumPolicy = new CiliumNetworkPolicy(this, 'CiliumPolicy', { name: props.name, namespace: props.namespace, endpointSelector: EndpointSelector.labels(props.workloads), metadata });
      // One rule per port, with the hosts declared on that port: a host allowed on 443 is not allowed on 80.
      for (const port of [...new Set(props.hosts.map((h) => h.port ?? 443))].sort((a, b) => a - b)) {
        const names = [...new Set(props.hosts.filter((h) => (h.port ?? 443) === port).map((h) => h.host))].sort();
        this.ciliumPolicy.allowEgress({ to: names.map((n) => Peer.fqdn(n)), ports: [Port.tcp(port)] });
      }
    }
    if (istio) {
      // ServiceEntry ports apply to every host of the entry; one entry per distinct port set keeps host and port paired.
      const portSets = new Map<string, { hosts: string[]; ports: { port: number; protocol: ExternalProtocol }[] }>();
      for (const host of hosts) {
        const mine = ports.filter((p) => props.hosts.some((h) => h.host === host && (h.port ?? 443) === p.port && (h.protocol ?? ExternalProtocol.TLS) === p.protocol));
        const key = mine.map((p) => `${p.port}/${p.protocol}`).join(',');
        const set = portSets.get(key) ?? { hosts: [], ports: mine };
        set.hosts.push(host);
        portSets.set(key, set);
      }
      const entries = [...portSets.values()].map(
        (set, i) => new IstioServiceEntry(this, i === 0 ? 'ServiceEntry' : `ServiceEntry${i + 1}`, { name: i === 0 ? props.name : `${props.name}-${i + 1}`, namespace: props.namespace, hosts: set.hosts, ports: set.ports, metadata }),
      );
      this.serviceEntry = entries[0];
      this.sidecar = new IstioSidecar(this, 'Sidecar', {
        name: props.name,
        namespace: props.namespace,
        workloadSelector: props.workloads,
        egressHosts: [...hosts.map((h) => `./${h}`), `${checkNamespace(props.controlPlaneNamespace ?? 'istio-system', `${who} 'controlPlaneNamespace'`)}/*`],
        outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY,
        metadata,
      });
    }
    const layers = [cilium ? 'Cilium (CiliumNetworkPolicy with toFQDNs and the DNS rules)' : '', istio ? 'Istio (ServiceEntry, and a Sidecar with REGISTRY_ONLY)' : ''].filter(Boolean).join(' and ');
    const labels = Object.entries(props.workloads).map(([k, v]) => `${k}: ${v}`).join(', ');
    addNote(
      this,
      `Egress allowance '${props.namespace}/${props.name}': pods labelled ${labels} may reach ${props.hosts.map((h) => `${h.host}:${h.port ?? 443}`).join(', ')}, enforced by ${layers}.` +
        (istio ? ' Istio uses only one Sidecar per workload: no other Sidecar with a workloadSelector may select these pods.' : ''),
    );
  }
}

function checkName(name: string, who: string): string {
  if (typeof name !== 'string' || !isDnsSubdomain(name)) {
    throw new NetsecError('INVALID', `${who}: name ${JSON.stringify(name)} must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters).`);
  }
  return name;
}

function checkHost(host: string, who: string): void {
  // An address passes the DNS-name pattern (1.2.3.4 is four digit labels), yet it is no name: Cilium's toFQDNs matches
  // names in DNS answers, which never name an address, and Istio's ServiceEntry hosts are names (addresses go in
  // `addresses`). The allowance would allow nothing.
  if (typeof host === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    throw new NetsecError('INVALID', `${who}: host ${JSON.stringify(host)} is an IP address, not a DNS name: the Cilium policy matches names in DNS answers and the ServiceEntry names hosts, so an address would allow nothing. Name the host (api.example.com), or allow the address with a CIDR rule (a Cilium policy's to.cidrs).`);
  }
  if (typeof host !== 'string' || !DNS_NAME.test(host) || host.length > 253) {
    throw new NetsecError('INVALID', `${who}: host ${JSON.stringify(host)} is not a DNS name (lowercase labels separated by '.', optionally starting with '*.'); write it as api.example.com.`);
  }
}

function checkPort(port: number, who: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NetsecError('INVALID', `${who}: port ${JSON.stringify(port)} must be an integer 1-65535.`);
  return port;
}

