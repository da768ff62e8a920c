import { SourceLocation, formatLocation } from '../core/errors.js';
import { fieldText } from '../core/validation/finding.js';
import { Target } from '../core/target.js';
import { own } from '../core/own.js';

/** A Kubernetes object as plain JSON. */
export type KubeObject = Record<string, unknown>;

/** One object of a target, with where it came from. */
export interface Manifest {
  readonly object: KubeObject;
  /** Where the user described it: a netsec.yaml entry or a manifest file, when known. */
  readonly location?: SourceLocation;
  /** The construct that rendered it, when it came from a cdk8s app. */
  readonly constructPath?: string;
  /** Whether it is applied to the cluster (false for inputs of other tools, such as an IstioOperator for istioctl). */
  readonly applied: boolean;
  /**
   * True when the object breaks its kind's schema (the schema check reports why) or netsec has no schema for its
   * apiVersion and kind: its fields may hold values of any type, where rules read them as the schema types them.
   * @default false - the object passed its schema check
   */
  readonly outsideSchema?: boolean;
}

/** What identifies an object in a cluster: API group (without version), kind, namespace and name. */
export interface ObjectIdentity {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * Groups that serve the same stored objects. Calico's native `projectcalico.org/v3` CRDs and its
 * `crd.projectcalico.org/v1` storage CRDs hold the same resources, so a GlobalNetworkPolicy written in both is one object.
 */
const SAME_OBJECTS_GROUP: Record<string, string> = { 'crd.projectcalico.org': 'projectcalico.org' };

export function identityOf(obj: KubeObject): ObjectIdentity {
  const apiVersion = fieldText(obj.apiVersion);
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const metadata = (obj.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return {
    group: own(SAME_OBJECTS_GROUP, group) ?? group,
    kind: fieldText(obj.kind),
    name: fieldText(metadata.name),
    ...(typeof metadata.namespace === 'string' && metadata.namespace ? { namespace: metadata.namespace } : {}),
  };
}

/** `Kind 'ns/name'` as messages name objects. */
export function describeObject(obj: KubeObject): string {
  const id = identityOf(obj);
  return `${id.kind} '${id.namespace ? `${id.namespace}/` : ''}${id.name}'`;
}

/**
 * Where a manifest came from, for messages: `netsec.yaml:12:5`, `[app/chart/Block]` or `Kind 'name'`; with `beside`,
 * the construct path is added when both come from the same place (one netsec.yaml entry writes several objects).
 */
export function originOf(m: Manifest, beside?: Manifest): string {
  if (m.location) {
    const here = formatLocation(m.location);
    const same = beside?.location && formatLocation(beside.location) === here;
    return same && m.constructPath !== undefined ? `${here} [${m.constructPath}]` : here;
  }
  if (m.constructPath !== undefined) return `[${m.constructPath}]`;
  return describeObject(m.object);
}

/** What rules may need besides the objects. */
export interface ManifestIndexOptions {
  /**
   * The Helm values netsec writes for this target (`dist/<target>/<release>-values.yaml`), by release name, merged:
   * rules such as hubble/configmap-wiring judge objects together with the values the cluster must set.
   * @default - none known (rules that need them say nothing)
   */
  readonly helmValues?: ReadonlyMap<string, Record<string, unknown>>;
  /** The time rules compare dates with (a flow log's `end`); tests pass a fixed one. @default the time the index is built */
  readonly now?: Date;
}

const CALICO_GROUPS = ['crd.projectcalico.org', 'projectcalico.org'];

/**
 * The API groups of the kinds the rules read by name: an `example.com/v1` CiliumNetworkPolicy is some other product's
 * kind, and Cilium's rules must not judge it (they reported Cilium errors on it).
 */
const GROUPS_OF_KIND: Readonly<Record<string, readonly string[]>> = {
  CiliumNetworkPolicy: ['cilium.io'],
  CiliumClusterwideNetworkPolicy: ['cilium.io'],
  CiliumCIDRGroup: ['cilium.io'],
  CiliumLocalRedirectPolicy: ['cilium.io'],
  GlobalNetworkPolicy: CALICO_GROUPS,
  GlobalNetworkSet: CALICO_GROUPS,
  NetworkSet: CALICO_GROUPS,
  Tier: CALICO_GROUPS,
  NetworkPolicy: ['networking.k8s.io', ...CALICO_GROUPS],
  AuthorizationPolicy: ['security.istio.io'],
  PeerAuthentication: ['security.istio.io'],
  Sidecar: ['networking.istio.io'],
  IstioOperator: ['install.istio.io'],
  ConfigMap: [''],
  Service: [''],
  DaemonSet: ['apps'],
};

/** Whether `apiVersion` is of a group that serves `kind` (true for kinds the table does not name). */
function ofKnownGroup(kind: string, apiVersion: string): boolean {
  const groups = own(GROUPS_OF_KIND, kind);
  return groups === undefined || groups.includes(apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');
}

/**
 * Every object of one target, built once and shared by all rules (cdk-nag's model: rules see the whole set, so
 * cross-object checks such as "a policy references a CIDR group that does not exist" are possible).
 */
export class ManifestIndex {
  private readonly byKind = new Map<string, Manifest[]>();
  /** Helm values by release (see `ManifestIndexOptions.helmValues`); empty when unknown. */
  public readonly helmValues: ReadonlyMap<string, Record<string, unknown>>;
  public readonly now: Date;

  public constructor(
    public readonly target: Target,
    public readonly manifests: readonly Manifest[],
    options: ManifestIndexOptions = {},
  ) {
    this.helmValues = options.helmValues ?? new Map();
    this.now = options.now ?? new Date();
    for (const m of manifests) {
      const kind = String(m.object.kind ?? '');
      if (!ofKnownGroup(kind, String(m.object.apiVersion ?? ''))) continue;
      const list = this.byKind.get(kind) ?? [];
      list.push(m);
      this.byKind.set(kind, list);
    }
  }

  /** The objects of one or more kinds, in index order; only those of the kind's own API group (`GROUPS_OF_KIND`). */
  public ofKind(...kinds: string[]): Manifest[] {
    return kinds.flatMap((k) => this.byKind.get(k) ?? []);
  }

  /** The objects outside their schema (`Manifest.outsideSchema`), in index order. */
  public outsideSchema(): Manifest[] {
    return this.manifests.filter((m) => m.outsideSchema);
  }

  /** This index without the objects outside their schema (the same helm values and time). */
  public withinSchema(): ManifestIndex {
    return new ManifestIndex(this.target, this.manifests.filter((m) => !m.outsideSchema), { helmValues: this.helmValues, now: this.now });
  }
}
