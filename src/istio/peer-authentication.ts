import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { PeerAuthentication as L1PeerAuthentication, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode } from '../../imports/security.istio.io.js';
import { NetsecError } from '../core/errors.js';
import { ResourceMetadataProps, applyResourceMetadata, checkLabels } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { peerAuthenticationProblems } from '../lint/rules/istio.js';
import { checkNamespace } from './names.js';
import { requireInstance, requireRecord } from '../core/arguments.js';

/** Istio mutual-TLS mode of a PeerAuthentication (`mtls.mode`). */
export enum MtlsMode {
  /** Inherit from the parent scope (namespace, then mesh); PERMISSIVE when nothing is set. */
  UNSET = 'UNSET',
  /** Plaintext only. Not supported in ambient mode. */
  DISABLE = 'DISABLE',
  /** Accept mTLS and plaintext (migration). */
  PERMISSIVE = 'PERMISSIVE',
  /** mTLS only: clients without a sidecar are refused, and HTTP probes need the injector's probe rewrite. */
  STRICT = 'STRICT',
}

/** Which workloads a PeerAuthentication applies to. */
export class PeerAuthenticationScope {
  /** Every workload in the mesh: the PeerAuthentication goes to the root namespace without a selector. */
  public static mesh(): PeerAuthenticationScope {
    return new PeerAuthenticationScope('mesh');
  }

  /**
   * Every workload in one namespace.
   * @example PeerAuthenticationScope.namespace('shop')
   */
  public static namespace(namespace: string): PeerAuthenticationScope {
    return new PeerAuthenticationScope('namespace', checkNamespace(namespace, `PeerAuthenticationScope.namespace('${namespace}')`));
  }

  /**
   * The workloads of one namespace whose pods carry all of `matchLabels`; the only scope that may set port-level modes.
   * @example PeerAuthenticationScope.workload('shop', { app: 'frontend' })
   */
  public static workload(namespace: string, matchLabels: Record<string, string>): PeerAuthenticationScope {
    const who = `PeerAuthenticationScope.workload('${namespace}')`;
    if (!matchLabels || Object.keys(matchLabels).length === 0) {
      throw new NetsecError('INVALID', `${who}: 'matchLabels' must name at least one label; for every workload of the namespace use PeerAuthenticationScope.namespace('${namespace}').`);
    }
    for (const [k, v] of Object.entries(matchLabels)) {
      if (k.includes('*') || v.includes('*')) throw new NetsecError('INVALID', `${who}: label '${k}=${v}' must not contain '*' (Istio matches labels exactly).`);
    }
    checkLabels(who, 'matchLabels', matchLabels);
    return new PeerAuthenticationScope('workload', checkNamespace(namespace, who), { ...matchLabels });
  }

  private constructor(
    /** mesh, namespace or workload. */
    public readonly kind: 'mesh' | 'namespace' | 'workload',
    /** The namespace (undefined for the mesh scope: the root namespace). */
    public readonly namespace?: string,
    /** The workload selector (workload scope only). */
    public readonly matchLabels?: Readonly<Record<string, string>>,
  ) {}
}

/** Properties for `PeerAuthentication`. */
export interface PeerAuthenticationProps {
  /** The mTLS mode for the workloads in scope. */
  readonly mode: MtlsMode;
  /** The workloads it applies to. @default PeerAuthenticationScope.mesh() */
  readonly scope?: PeerAuthenticationScope;
  /** Name of the object. @default 'default' */
  readonly name?: string;
  /** Istio's root namespace (`meshConfig.rootNamespace`), where the mesh-wide policy lives. @default 'istio-system' */
  readonly rootNamespace?: string;
  /**
   * Per-port modes, keyed by the workload's container port (not the Service port). Workload scope only.
   * @default - the same mode on every port
   */
  readonly portLevelMtls?: Record<number, MtlsMode>;
  /**
   * Labels and annotations of the PeerAuthentication object (e.g. `argocd.argoproj.io/sync-wave`); more can be added later with
   * `peerAuthentication.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/**
 * An Istio `PeerAuthentication` (`security.istio.io/v1`): the mTLS mode of the mesh, a namespace or some workloads.
 *
 * Checks at synthesis: Istio honours one mesh-wide and one namespace-wide PeerAuthentication each, so a second one in
 * the same target is an error. A Cilium L7 HTTP rule on workloads this policy puts under STRICT or PERMISSIVE mTLS is
 * the lint rule `cilium/l7-with-istio-mtls`'s business (src/lint/rules/cilium-istio.ts), which judges the whole target.
 */
export class PeerAuthentication extends Construct {
  /** Whether `x` is a netsec PeerAuthentication. */
  public static isPeerAuthentication(x: unknown): x is PeerAuthentication {
    return x instanceof Construct && (x as unknown as Record<string, unknown>)[MARK] === true;
  }

  /** The mTLS mode. */
  public readonly mode: MtlsMode;
  /** The workloads it applies to. */
  public readonly scope: PeerAuthenticationScope;
  /** The object's name. */
  public readonly name: string;
  /** The object's namespace: the root namespace for the mesh scope. */
  public readonly namespace: string;
  /** Istio's root namespace. */
  public readonly rootNamespace: string;
  /** Per-port modes (workload scope only). */
  public readonly portLevelMtls?: Readonly<Record<number, MtlsMode>>;
  /** The target of the chart it is in. */
  public readonly target: Target;
  /** The PeerAuthentication object's metadata, as cdk8s-plus exposes it: `peerAuthentication.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  /** The L1 object (escape hatch: `ApiObject.of(peerAuthentication)`). */
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: PeerAuthenticationProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`PeerAuthentication '${this.node.path}'`, 'props', props);
    (this as unknown as Record<string, unknown>)[MARK] = true;
    this.target = Target.of(this);
    // Named by its construct path until its namespace and name are known, then as the object it writes.
    let who = `PeerAuthentication '${this.node.path}'`;
    this.target.requireProduct(Product.ISTIO, who);
    if (!Object.values(MtlsMode).includes(props.mode)) {
      throw new NetsecError('INVALID', `${who}: 'mode' must be one of: ${Object.values(MtlsMode).join(', ')} (got ${JSON.stringify(props.mode)}).`);
    }
    this.mode = props.mode;
    // A JavaScript caller's 'x' or {} had silently become the mesh scope (mesh-wide STRICT).
    this.scope = props.scope === undefined ? PeerAuthenticationScope.mesh() : requireInstance(who, 'scope', props.scope, PeerAuthenticationScope, 'PeerAuthenticationScope.mesh(), .namespace(...) or .workload(...)');
    this.name = props.name ?? 'default';
    this.rootNamespace = checkNamespace(props.rootNamespace ?? 'istio-system', `${who} 'rootNamespace'`);
    this.namespace = this.scope.namespace ?? this.rootNamespace;
    who = `PeerAuthentication '${this.namespace}/${this.name}'`;
    if (this.scope.kind === 'namespace' && this.namespace === this.rootNamespace) {
      throw new NetsecError('INVALID', `${who}: a namespace-wide PeerAuthentication in the root namespace '${this.rootNamespace}' applies to the whole mesh. Did you mean PeerAuthenticationScope.mesh()?`);
    }
    if (props.portLevelMtls !== undefined) {
      for (const [port, mode] of Object.entries(props.portLevelMtls)) {
        if (!Object.values(MtlsMode).includes(mode)) throw new NetsecError('INVALID', `${who}: 'portLevelMtls[${port}]' must be one of: ${Object.values(MtlsMode).join(', ')} (got ${JSON.stringify(mode)}).`);
      }
      this.portLevelMtls = { ...props.portLevelMtls };
    }
    const spec = {
      ...(this.scope.matchLabels ? { selector: { matchLabels: { ...this.scope.matchLabels } } } : {}),
      mtls: { mode: this.mode as unknown as PeerAuthenticationSpecMtlsMode },
      ...(this.portLevelMtls
        ? { portLevelMtls: Object.fromEntries(Object.entries(this.portLevelMtls).map(([p, m]) => [p, { mode: m as unknown as PeerAuthenticationSpecPortLevelMtlsMode }])) }
        : {}),
    };
    // What Istio refuses or ignores, judged by the lint rule's own check on the object as Istio will see it.
    const problem = peerAuthenticationProblems(this.namespace, spec, [this.rootNamespace])[0];
    if (problem) {
      const hint = problem.path === 'spec.selector'
        ? " In netsec: the workloads' namespace as namespace, with matchLabels (PeerAuthenticationScope.workload('<the workloads' namespace>', labels))."
        : problem.message.startsWith('port-level mTLS needs a workload selector') ? ' In netsec: namespace and matchLabels (PeerAuthenticationScope.workload(namespace, labels)).' : '';
      throw new NetsecError('INVALID', `istio/peerauth-shape: ${who} at ${problem.path}: ${problem.message}${hint}`);
    }
    this.apiObject = new L1PeerAuthentication(this, 'Resource', { metadata: { name: this.name, namespace: this.namespace }, spec });
    applyResourceMetadata(who, props.metadata, [this.apiObject]);
    this.metadata = this.apiObject.metadata;
    this.node.addValidation({ validate: () => this.validateUnique() });
  }

  /** Istio honours one mesh-wide and one namespace-wide PeerAuthentication each and ignores the newer ones. */
  private validateUnique(): string[] {
    if (this.scope.kind === 'workload') return [];
    const rivals = peerAuthenticationsOf(this.node.root, this.target).filter(
      (pa) => pa.scope.kind === this.scope.kind && pa.namespace === this.namespace,
    );
    const first = rivals[0];
    if (first === this) return [];
    const where = this.scope.kind === 'mesh' ? `mesh-wide PeerAuthentication (root namespace '${this.namespace}')` : `namespace-wide PeerAuthentication in '${this.namespace}'`;
    return [`Istio honours only one ${where} and ignores the newer ones; '${first.node.path}' is one already. Merge them into one.`];
  }
}

const MARK = '__netsecPeerAuthentication';

/** netsec PeerAuthentications of one target, in construct order (Istio's "oldest wins" follows creation order). */
function peerAuthenticationsOf(root: IConstruct, target: Target): PeerAuthentication[] {
  return root.node.findAll().filter(PeerAuthentication.isPeerAuthentication).filter((pa) => pa.target === target);
}
