import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthorizationPolicy as L1AuthorizationPolicy } from '../../imports/security.istio.io.js';
import { NetsecError } from '../core/errors.js';
import { ResourceMetadataProps, applyResourceMetadata, checkLabels } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { authorizationPolicyProblems } from '../lint/rules/istio.js';
import { checkNamespace } from './names.js';
import { DNS_SUBDOMAIN } from '../core/names.js';
import { requireList, requireRecord } from '../core/arguments.js';

/** Istio's root namespace on an upstream install (`meshConfig.rootNamespace` default). */
export const ISTIO_ROOT_NAMESPACE = 'istio-system';
/** Istio's root namespace with the AKS Istio add-on (managed Istio on AKS). */
export const AKS_ISTIO_ROOT_NAMESPACE = 'aks-istio-system';

/** What an AuthorizationPolicy does with the requests its rules match (`spec.action`). */
export enum AuthorizationAction {
  /** Allow matching requests; once any ALLOW policy applies to a workload, everything no ALLOW policy matches is denied. */
  ALLOW = 'ALLOW',
  /** Deny matching requests; checked before ALLOW policies. */
  DENY = 'DENY',
  /** Mark matching requests for an audit plugin; never changes the verdict. */
  AUDIT = 'AUDIT',
  /** Ask an external authorizer (an extension provider in meshConfig.extensionProviders); needs `provider`. */
  CUSTOM = 'CUSTOM',
}

/**
 * Who sends the request (`rules[].from[].source`). Fields are ANDed, the values of one field ORed. Strings match
 * exactly, by prefix (`abc*`), by suffix (`*abc`), or by presence (`*`).
 */
export interface AuthorizationSource {
  /** Peer identities from mTLS, e.g. `cluster.local/ns/foo/sa/sleep`. Needs mTLS. */
  readonly principals?: string[];
  readonly notPrincipals?: string[];
  /** Request identities from a JWT (`iss/sub`); HTTP only. */
  readonly requestPrincipals?: string[];
  readonly notRequestPrincipals?: string[];
  /** Namespaces of the peer, from its mTLS identity. Needs mTLS. */
  readonly namespaces?: string[];
  readonly notNamespaces?: string[];
  /** Source IPs or CIDRs of the connection (the peer's address). */
  readonly ipBlocks?: string[];
  readonly notIpBlocks?: string[];
  /** Original client IPs or CIDRs (X-Forwarded-For, proxy protocol), as a gateway sees them. */
  readonly remoteIpBlocks?: string[];
  readonly notRemoteIpBlocks?: string[];
}

/** What the request asks for (`rules[].to[].operation`). `hosts`, `methods` and `paths` are HTTP only. */
export interface AuthorizationOperation {
  readonly hosts?: string[];
  readonly notHosts?: string[];
  /** Workload ports (1-65535). */
  readonly ports?: (number | string)[];
  readonly notPorts?: (number | string)[];
  readonly methods?: string[];
  readonly notMethods?: string[];
  /** Paths; `{*}` matches one segment and `{**}` the rest (last segment only). */
  readonly paths?: string[];
  readonly notPaths?: string[];
}

/**
 * A condition (`rules[].when[]`) on one of the keys Istio documents: `request.headers[<name>]`, `source.ip`, `remote.ip`,
 * `source.namespace`, `source.principal`, `request.auth.principal`, `request.auth.audiences`, `request.auth.presenter`,
 * `request.auth.claims[<name>]`, `destination.ip`, `destination.port`, `connection.sni`.
 */
export interface AuthorizationCondition {
  readonly key: string;
  readonly values?: string[];
  readonly notValues?: string[];
}

/** One rule: matches when one `from` matches, one `to` matches and every `when` holds; `{}` matches every request. */
export interface AuthorizationRule {
  readonly from?: AuthorizationSource[];
  readonly to?: AuthorizationOperation[];
  readonly when?: AuthorizationCondition[];
}

/** A `targetRefs[]` item: a Gateway, GatewayClass, Service (waypoint) or ServiceEntry the policy attaches to. */
export interface PolicyTargetReference {
  /** e.g. `gateway.networking.k8s.io`; '' for a core Service. */
  readonly group?: string;
  readonly kind: string;
  readonly name: string;
}

/** Where a policy sits and what it selects; shared by the props and the helpers. */
export interface AuthorizationPolicyScopeProps {
  /** Name of the object. */
  readonly name?: string;
  /**
   * The namespace. A policy in the root namespace applies to the whole mesh.
   * @default - the root namespace (mesh-wide)
   */
  readonly namespace?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`): `istio-system` upstream, `aks-istio-system` with the AKS add-on.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Pod labels of the workloads it applies to (`selector.matchLabels`); in the root namespace, such workloads in every namespace.
   * @default - every workload in the namespace (or the mesh)
   */
  readonly selector?: Record<string, string>;
  /** Gateways, waypoints or ServiceEntries it attaches to (`targetRefs`); not with `selector`. */
  readonly targetRefs?: PolicyTargetReference[];
  /**
   * Labels and annotations of the AuthorizationPolicy object (e.g. `argocd.argoproj.io/sync-wave`); more can be added later with
   * `policy.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/** Properties for `AuthorizationPolicy`. */
export interface AuthorizationPolicyProps extends AuthorizationPolicyScopeProps {
  readonly name: string;
  /** @default AuthorizationAction.ALLOW */
  readonly action?: AuthorizationAction;
  /** The extension provider's name (`provider.name`); CUSTOM only, and required there. */
  readonly provider?: string;
  /**
   * The rules. Without rules an ALLOW policy matches nothing (allow-nothing: every request in scope is denied) and
   * DENY/CUSTOM policies are refused.
   * @default - none
   */
  readonly rules?: AuthorizationRule[];
}

const SOURCE_KEYS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const OPERATION_KEYS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

/**
 * An Istio `AuthorizationPolicy` (`security.istio.io/v1`): ALLOW, DENY, AUDIT or CUSTOM decisions on requests to the
 * workloads of a namespace, of the whole mesh (in the root namespace), or of a selector or targetRefs.
 *
 * What istiod refuses (`istio/authz-structural-errors`) is thrown here, where the policy is declared, by the same check
 * the lint rule runs. What istiod accepts but very likely surprises is a lint finding at synthesis, written into the
 * output header: `istio/allow-nothing-scope` (an error in the root namespace: suppress it with a reason for an
 * intended mesh-wide deny-by-default), `istio/allow-policy-implies-deny`, `istio/http-fields-on-tcp`.
 *
 * @example
 * AuthorizationPolicy.allowNothing(chart, 'DenyByDefault', { rootNamespace: AKS_ISTIO_ROOT_NAMESPACE });
 * new AuthorizationPolicy(chart, 'AllowGet', { name: 'allow-get-requests', namespace: 'foo', selector: { app: 'sample' },
 *   rules: [{ to: [{ methods: ['GET'] }] }] });
 */
export class AuthorizationPolicy extends Construct {
  /**
   * `spec: {}`: an ALLOW policy without rules, which denies every request to the workloads in scope (the whole mesh in
   * the root namespace) that no other ALLOW policy matches. The usual deny-by-default start.
   * @default name 'allow-nothing', mesh-wide
   */
  public static allowNothing(scope: Construct, id: string, props: AuthorizationPolicyScopeProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...props, name: props.name ?? 'allow-nothing' });
  }

  /**
   * A DENY policy with one empty rule (`rules: [{}]`): every request in scope is denied, whatever ALLOW policies say.
   * @default name 'deny-all', mesh-wide
   */
  public static denyAll(scope: Construct, id: string, props: AuthorizationPolicyScopeProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...props, name: props.name ?? 'deny-all', action: AuthorizationAction.DENY, rules: [{}] });
  }

  /** The object's name. */
  public readonly name: string;
  /** The object's namespace. */
  public readonly namespace: string;
  /** Istio's root namespace. */
  public readonly rootNamespace: string;
  /** Whether it applies across the mesh (it sits in the root namespace). */
  public readonly meshWide: boolean;
  /** The action. */
  public readonly action: AuthorizationAction;
  /** The AuthorizationPolicy object's metadata, as cdk8s-plus exposes it: `policy.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  /** The object (escape hatch: `ApiObject.of(policy)`). */
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: AuthorizationPolicyProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`AuthorizationPolicy '${this.node.path}'`, 'props', props);
    const target = Target.of(this);
    // Named by its construct path until its namespace and name are known, then as the object it writes.
    let who = `AuthorizationPolicy '${this.node.path}'`;
    target.requireProduct(Product.ISTIO, who);
    if (typeof props.name !== 'string' || !DNS_SUBDOMAIN.test(props.name) || props.name.length > 253) {
      throw new NetsecError('INVALID', `${who}: name ${JSON.stringify(props.name)} must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters).`);
    }
    this.name = props.name;
    this.rootNamespace = checkNamespace(props.rootNamespace ?? ISTIO_ROOT_NAMESPACE, `${who} 'rootNamespace'`);
    this.namespace = props.namespace === undefined ? this.rootNamespace : checkNamespace(props.namespace, `${who} 'namespace'`);
    this.meshWide = this.namespace === this.rootNamespace;
    who = `AuthorizationPolicy '${this.namespace}/${this.name}'`;
    this.action = props.action ?? AuthorizationAction.ALLOW;
    if (!Object.values(AuthorizationAction).includes(this.action)) {
      throw new NetsecError('INVALID', `${who}: 'action' must be one of: ${Object.values(AuthorizationAction).join(', ')} (got ${JSON.stringify(this.action)}).`);
    }
    if (props.selector !== undefined) checkLabels(who, 'selector', props.selector);
    if (props.selector !== undefined && Object.keys(props.selector).length === 0) {
      throw new NetsecError('INVALID', `${who}: 'selector' names no label; leave it out for every workload in ${this.meshWide ? 'the mesh' : `namespace '${this.namespace}'`}, or name labels.`);
    }
    if (props.targetRefs !== undefined && props.targetRefs.length === 0) {
      throw new NetsecError('INVALID', `${who}: 'targetRefs' is empty; leave it out, or name the Gateway, Service or ServiceEntry the policy attaches to.`);
    }

    const spec: Record<string, unknown> = {
      ...(props.selector ? { selector: { matchLabels: { ...props.selector } } } : {}),
      ...(props.targetRefs ? { targetRefs: props.targetRefs.map((r) => ({ ...(r.group !== undefined ? { group: r.group } : {}), kind: r.kind, name: r.name })) } : {}),
      // ALLOW is Istio's default; written out anyway so a reader of the output sees the decision.
      ...(props.action !== undefined || props.rules !== undefined || props.provider !== undefined ? { action: this.action } : {}),
      ...(props.provider !== undefined ? { provider: { name: props.provider } } : {}),
      ...(props.rules !== undefined ? { rules: requireList<AuthorizationRule>(who, 'rules', props.rules).map((rule, r) => wireRule(who, rule, r)) } : {}),
    };
    const problem = authorizationPolicyProblems(spec, target)[0];
    if (problem) throw new NetsecError('INVALID', `istio/authz-structural-errors: ${who} at ${problem.path}: ${problem.message}`);
    this.apiObject = new ApiObject(this, 'Resource', {
      ...L1AuthorizationPolicy.GVK,
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    });
    applyResourceMetadata(who, props.metadata, [this.apiObject]);
    this.metadata = this.apiObject.metadata;
  }
}

/**
 * A rule in Istio's wire form: `from[].source`, `to[].operation`, `when[]`; ports as strings. Empty lists are kept for
 * the check to refuse. Each level is checked for its type first: from JavaScript, a string where a list belongs had
 * been spread into one-character values (`methods: 'GET'` as G, E, T) and a string rule written as `{}` (allow all).
 */
function wireRule(who: string, rule: AuthorizationRule, r: number): Record<string, unknown> {
  const at = `rules[${r}]`;
  requireRecord(who, at, rule);
  const pick = <K extends string>(obj: unknown, keys: readonly K[], where: string): Record<string, unknown> => {
    const record = requireRecord(who, where, obj);
    return Object.fromEntries(keys.filter((k) => record[k] !== undefined).map((k) => [k, [...requireList(who, `${where}.${k}`, record[k])].map((v) => (typeof v === 'number' ? String(v) : v))]));
  };
  const list = <T>(field: 'from' | 'to' | 'when'): T[] | undefined => (rule[field] === undefined ? undefined : requireList<T>(who, `${at}.${field}`, rule[field]));
  const from = list<AuthorizationSource>('from');
  const to = list<AuthorizationOperation>('to');
  const when = list<AuthorizationCondition>('when');
  return {
    ...(from !== undefined ? { from: from.map((s, i) => ({ source: pick(s, SOURCE_KEYS, `${at}.from[${i}]`) })) } : {}),
    ...(to !== undefined ? { to: to.map((o, i) => ({ operation: pick(o, OPERATION_KEYS, `${at}.to[${i}]`) })) } : {}),
    ...(when !== undefined
      ? { when: when.map((c, i) => ({ key: requireRecord(who, `${at}.when[${i}]`, c).key, ...(c.values !== undefined ? { values: [...requireList(who, `${at}.when[${i}].values`, c.values)] } : {}), ...(c.notValues !== undefined ? { notValues: [...requireList(who, `${at}.when[${i}].notValues`, c.notValues)] } : {}) })) }
      : {}),
  };
}
