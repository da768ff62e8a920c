import { IConstruct } from 'constructs';
import { Cidr } from '../cidr/cidr.js';
import { requireList, requireOneOf, requireRecord } from './arguments.js';
import { NetsecError } from './errors.js';
import { FEATURES, Feature } from './features.js';
import { PRODUCT_NAMES, Product, SUPPORTED_LINES, VersionLine } from './versions.js';
import { DNS_LABEL } from './names.js';

/** How the output will be applied; decides the per-object byte budget for large objects such as CIDR groups. */
export enum ApplyMode {
  /** `kubectl apply` / Argo CD default: the whole object is copied into an annotation capped at 262,144 bytes. */
  CLIENT_SIDE = 'client-side',
  /** `kubectl apply --server-side`, Flux, Argo CD `ServerSideApply=true`: objects up to ~1 MiB. */
  SERVER_SIDE = 'server-side',
}

/** What a target says about its cluster's own addresses and DNS path. */
export interface ClusterNetwork {
  /** Pod CIDRs. Egress blocks that overlap them are refused. @default - unknown, not checked */
  readonly podCidrs?: string[];
  /** Service CIDRs. @default - unknown, not checked */
  readonly serviceCidrs?: string[];
  /** API server addresses or CIDRs. @default - unknown, not checked */
  readonly apiServerCidrs?: string[];
  /** The cluster DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * Whether NodeLocal DNSCache answers the pods' DNS queries, and how they reach it: this decides what the DNS allow
   * rules netsec adds select besides kube-dns. `true` means `{ mode: NodeLocalDnsMode.LRP }`.
   * @default false (a NodeLocalDnsCache construct in the same target turns on NodeLocalDnsMode.LRP)
   */
  readonly nodeLocalDns?: boolean | NodeLocalDnsSettings;
}

/** How the pods' DNS queries reach NodeLocal DNSCache. */
export enum NodeLocalDnsMode {
  /**
   * Behind a Cilium Local Redirect Policy, as `NodeLocalDnsCache` deploys it: queries to kube-dns go to the cache pod
   * on the node, so DNS rules must select the cache pods (`k8s-app: node-local-dns`; cilium#24654).
   */
  LRP = 'lrp',
  /**
   * On an address of the node itself: the classic hostNetwork node-local-dns on a link-local IP such as 169.254.20.10,
   * or AKS LocalDNS on 169.254.10.10/11. Cilium sees that traffic as going to entity `host` (toEndpoints cannot select
   * a hostNetwork pod), so DNS rules must allow `toEntities: [host]`.
   */
  LINK_LOCAL = 'link-local',
}

/** Where NodeLocal DNSCache runs (`ClusterNetwork.nodeLocalDns`). */
export interface NodeLocalDnsSettings {
  /** How queries reach the cache. */
  readonly mode: NodeLocalDnsMode;
  /**
   * The addresses the cache listens on, e.g. ['169.254.20.10'] or, for AKS LocalDNS, ['169.254.10.10', '169.254.10.11'].
   * Required with NodeLocalDnsMode.LINK_LOCAL, not allowed otherwise: Cilium labels such an address entity host, or
   * world where it is not a known node address, so DNS rules allow both entity host and these addresses.
   */
  readonly addresses?: string[];
}

/** Properties for `Target`. */
export interface TargetProps {
  /** Name of the target; the output goes to `dist/<name>/`. A DNS-1123 label. */
  readonly name: string;
  /** Kubernetes minor line, e.g. '1.30'. @default - not named; Kubernetes-gated features are refused */
  readonly kubernetes?: string;
  /** Cilium minor line, e.g. '1.17'. @default - no Cilium in this cluster */
  readonly cilium?: string;
  /** Calico minor line, e.g. '3.30'. @default - no Calico in this cluster */
  readonly calico?: string;
  /** Istio minor line, e.g. '1.23'. @default - no Istio in this cluster */
  readonly istio?: string;
  /** The cluster's own addresses and DNS path. @default - none known */
  readonly cluster?: ClusterNetwork;
  /** How the output is applied. @default ApplyMode.CLIENT_SIDE */
  readonly applyMode?: ApplyMode;
}

/** Symbol under which a chart carries its target; `Target.of()` looks it up along the construct path. */
export const TARGET_SYMBOL = Symbol.for('netsec.target');

/** Characters of a bare IPv4 or IPv6 address; `isAddress` checks the rest. */
const IP_ADDRESS = /^[0-9A-Fa-f:.]+$/;

/**
 * A target profile: the version lines of one cluster's Kubernetes, Cilium, Calico and Istio, and what it knows about
 * its own network. Every versioned decision goes through `has()` and `require()` so that the table in
 * `features.ts` is the only place a version number appears.
 */
export class Target {
  /** The target of the NetsecChart that contains `scope`. Throws if `scope` is not inside one. */
  public static of(scope: IConstruct): Target {
    for (const s of scope.node.scopes.slice().reverse()) {
      const target = (s as unknown as Record<symbol, Target | undefined>)[TARGET_SYMBOL];
      if (target) return target;
    }
    throw new NetsecError('USAGE', `'${scope.node.path}' is not inside a NetsecChart; netsec constructs need a chart with a target.`);
  }

  public readonly name: string;
  public readonly cluster: ClusterNetwork;
  /** `cluster.nodeLocalDns` resolved: undefined when the target does not say the cache is on. */
  public readonly nodeLocalDns?: NodeLocalDnsSettings;
  public readonly applyMode: ApplyMode;
  private readonly versions: Partial<Record<Product, VersionLine>> = {};

  public constructor(props: TargetProps) {
    requireRecord('Target', 'props', props);
    if (typeof props.name !== 'string' || !DNS_LABEL.test(props.name) || props.name.length > 63) {
      throw new NetsecError('CONFIG', `target name '${String(props.name)}' must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters); it names the folder dist/${String(props.name)}/.`);
    }
    this.name = props.name;
    const who = `Target '${this.name}'`;
    this.cluster = props.cluster === undefined ? {} : (requireRecord(who, 'cluster', props.cluster) as ClusterNetwork);
    // The cluster's own ranges guard the egress-block refusals (a block over the pod CIDR): a value a JavaScript caller
    // got wrong ([42], a string) had been skipped, and with it the refusal.
    for (const key of ['podCidrs', 'serviceCidrs', 'apiServerCidrs'] as const) {
      const list = this.cluster[key];
      if (list === undefined) continue;
      requireList(who, `cluster.${key}`, list).forEach((c, i) => {
        if (typeof c !== 'string') throw new NetsecError('CONFIG', `${who}: 'cluster.${key}[${i}]' must be a CIDR string such as '10.244.0.0/16' (got ${JSON.stringify(c)}).`);
        Cidr.parse(c, { lenient: true });
      });
    }
    if (this.cluster.clusterDomain !== undefined && typeof this.cluster.clusterDomain !== 'string') {
      throw new NetsecError('CONFIG', `${who}: 'cluster.clusterDomain' must be a string such as 'cluster.local' (got ${JSON.stringify(this.cluster.clusterDomain)}).`);
    }
    this.nodeLocalDns = resolveNodeLocalDns(this.name, this.cluster.nodeLocalDns);
    this.applyMode = requireOneOf(who, 'applyMode', props.applyMode ?? ApplyMode.CLIENT_SIDE, Object.values(ApplyMode));
    for (const product of Object.values(Product)) {
      const given = props[product];
      if (given === undefined) continue;
      const version = VersionLine.parse(given, `target '${this.name}' ${product}`);
      const { first, last } = SUPPORTED_LINES[product];
      if (!version.atLeast(first) || version.compare(last) > 0) {
        throw new NetsecError('CONFIG', `target '${this.name}': ${PRODUCT_NAMES[product]} ${version} is not supported; supported lines are ${first} to ${last}.`);
      }
      this.versions[product] = version;
    }
  }

  /** The version line of `product`, or undefined when the target does not run it. */
  public version(product: Product): VersionLine | undefined {
    return this.versions[product];
  }

  /** Whether the target runs `product` at all. */
  public runs(product: Product): boolean {
    return this.versions[product] !== undefined;
  }

  /** Whether the target has `feature` (false when the product is absent). */
  public has(feature: Feature): boolean {
    const spec = FEATURES[feature];
    const version = this.versions[spec.product];
    if (!version) return false;
    if (spec.since && !version.atLeast(spec.since)) return false;
    if (spec.until && version.compare(spec.until) > 0) return false;
    return true;
  }

  /** Throws unless the target runs `product`. @param who the construct or input asking, e.g. `CiliumEgressBlock 'geo'` */
  public requireProduct(product: Product, who: string): VersionLine {
    const version = this.versions[product];
    if (!version) {
      throw new NetsecError('INVALID', `${who}: needs ${PRODUCT_NAMES[product]}, but target '${this.name}' names no ${PRODUCT_NAMES[product]} version.`);
    }
    return version;
  }

  /** Throws unless the target has `feature`; the message names the feature, the target and the versions that have it. */
  public require(feature: Feature, who: string): void {
    const spec = FEATURES[feature];
    const product = PRODUCT_NAMES[spec.product];
    const version = this.requireProduct(spec.product, who);
    if (spec.since && !version.atLeast(spec.since)) {
      throw new NetsecError('INVALID', `${who}: ${spec.title} needs ${product} ${spec.since} or later; target '${this.name}' runs ${product} ${version}.`);
    }
    if (spec.until && version.compare(spec.until) > 0) {
      throw new NetsecError('INVALID', `${who}: ${spec.title} exists only up to ${product} ${spec.until}; target '${this.name}' runs ${product} ${version}.`);
    }
  }

  /** e.g. `Kubernetes 1.30, Cilium 1.17, Istio 1.23`, in a fixed product order. */
  public describe(): string {
    const parts = Object.values(Product)
      .filter((p) => this.versions[p])
      .map((p) => `${PRODUCT_NAMES[p]} ${this.versions[p]}`);
    return parts.length ? parts.join(', ') : 'no versions named';
  }
}

/** `cluster.nodeLocalDns` as settings (`true` is LRP mode), checked. */
function resolveNodeLocalDns(target: string, given: boolean | NodeLocalDnsSettings | undefined): NodeLocalDnsSettings | undefined {
  if (given === undefined || given === false) return undefined;
  if (given === true) return { mode: NodeLocalDnsMode.LRP };
  const where = `target '${target}': cluster.nodeLocalDns`;
  const modes = Object.values(NodeLocalDnsMode);
  if (!modes.includes(given.mode)) {
    throw new NetsecError('CONFIG', `${where}.mode is '${String(given.mode)}'; expected one of ${modes.join(', ')} (lrp: behind a Cilium Local Redirect Policy; link-local: on an address of each node, such as 169.254.20.10).`);
  }
  if (given.addresses === undefined) {
    if (given.mode === NodeLocalDnsMode.LINK_LOCAL) {
      throw new NetsecError('CONFIG', `${where} has mode link-local but no addresses; name the addresses the cache listens on (e.g. addresses: [169.254.20.10]; AKS LocalDNS: [169.254.10.10, 169.254.10.11]). Cilium labels such an address entity host, or world where it is not a known node address, and only a rule for the address itself covers the second case.`);
    }
    return { mode: given.mode };
  }
  if (given.mode !== NodeLocalDnsMode.LINK_LOCAL) {
    throw new NetsecError('CONFIG', `${where}.addresses is set, but mode is '${given.mode}'; addresses name where a link-local cache listens. Remove addresses, or set mode: link-local.`);
  }
  if (given.addresses.length === 0) {
    throw new NetsecError('CONFIG', `${where}.addresses is empty; name the addresses the cache listens on (e.g. [169.254.20.10]) or leave addresses out.`);
  }
  for (const a of given.addresses) {
    if (!IP_ADDRESS.test(a) || !isAddress(a)) {
      throw new NetsecError('CONFIG', `${where}.addresses has '${a}', which is not an IP address; expected the address the cache listens on, such as 169.254.20.10 (without a prefix length).`);
    }
  }
  return { mode: given.mode, addresses: [...given.addresses] };
}

function isAddress(text: string): boolean {
  try {
    const c = Cidr.parse(text);
    return c.length === (c.family === 4 ? 32 : 128);
  } catch {
    return false;
  }
}
