import { Product } from '../../core/versions.js';
import { IstioMeshSettings, NativeSidecarMode, OutboundTrafficPolicyMode } from '../../istio/istio-mesh-settings.js';
import { MtlsMode, PeerAuthentication, PeerAuthenticationScope } from '../../istio/peer-authentication.js';
import { AuthorizationAction, AuthorizationCondition, AuthorizationOperation, AuthorizationPolicy, AuthorizationSource, ISTIO_ROOT_NAMESPACE, PolicyTargetReference } from '../../istio/authorization-policy.js';
import { ExternalProtocol, MeshEgressAllowance, MeshEgressAllowanceProps } from '../../istio/mesh-egress.js';
import { NetsecError, locateError } from '../../core/errors.js';
import { recordSource } from '../../core/source.js';
import { suppressRules } from '../../lint/suppressions.js';
import { ResourceMetadataProps } from '../../core/resource-metadata.js';
import { ConfigSection, EntryObject, METADATA_PROPERTY, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, constructId } from '../section.js';

/** `nativeSidecars:` as written in netsec.yaml. */
export type NativeSidecarsValue = 'enabled' | 'disabled' | 'auto';

const NATIVE_SIDECARS: Record<NativeSidecarsValue, NativeSidecarMode> = {
  enabled: NativeSidecarMode.ENABLED,
  disabled: NativeSidecarMode.DISABLED,
  auto: NativeSidecarMode.AUTO,
};

/** `sidecars:`; mirrors `IstioMeshSettingsProps`. */
export interface IstioSidecarsValue {
  readonly nativeSidecars?: NativeSidecarsValue;
  readonly pilotEnableStatus?: boolean;
  readonly rewriteAppHttpProbe?: boolean;
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  readonly operatorName?: string;
  readonly namespace?: string;
  readonly metadata?: ResourceMetadataProps;
}

/** One PeerAuthentication: no namespace = mesh-wide; a namespace = namespace-wide; with matchLabels = workloads. */
export interface PeerAuthenticationValue {
  readonly mode: MtlsMode;
  readonly name?: string;
  readonly namespace?: string;
  readonly matchLabels?: Record<string, string>;
  readonly rootNamespace?: string;
  readonly portLevelMtls?: Record<string, MtlsMode>;
  readonly metadata?: ResourceMetadataProps;
}

/** One rule of an AuthorizationPolicy as netsec.yaml writes it: `from` sources and `to` operations without Istio's `source:` / `operation:` wrappers. */
export interface AuthorizationRuleValue {
  readonly from?: AuthorizationSource[];
  readonly to?: AuthorizationOperation[];
  readonly when?: AuthorizationCondition[];
}

/** One AuthorizationPolicy: no namespace = mesh-wide (root namespace); no rules and no action = allow-nothing. */
export interface AuthorizationPolicyValue {
  readonly name: string;
  readonly namespace?: string;
  readonly action?: AuthorizationAction;
  readonly provider?: string;
  readonly matchLabels?: Record<string, string>;
  readonly targetRefs?: PolicyTargetReference[];
  readonly rules?: AuthorizationRuleValue[];
  readonly metadata?: ResourceMetadataProps;
  /** Findings of this policy accepted on purpose, as an entry's `suppress:` (rule id and reason). */
  readonly suppress?: readonly { readonly rule: string; readonly reason: string }[];
}

/** One egress allowance: exactly `MeshEgressAllowanceProps`, as YAML says them (no field of its own). */
export type EgressAllowanceValue = MeshEgressAllowanceProps;

/** One entry of `istio:`. */
export interface IstioValue {
  readonly targets?: string[];
  readonly component?: string;
  readonly rootNamespace?: string;
  readonly sidecars?: IstioSidecarsValue;
  readonly peerAuthentications?: PeerAuthenticationValue[];
  readonly authorizationPolicies?: AuthorizationPolicyValue[];
  readonly egressAllowances?: EgressAllowanceValue[];
}

const STRINGS = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const PORTS = { type: 'array', items: { oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[0-9]+$' }] } } as const;
const SOURCE_KEYS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_KEYS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

const MODE = { enum: Object.values(MtlsMode) } as const;

/** The PeerAuthentication scope an entry describes. */
export function peerAuthenticationScopeOf(value: PeerAuthenticationValue): PeerAuthenticationScope {
  if (value.namespace === undefined) return PeerAuthenticationScope.mesh();
  return value.matchLabels ? PeerAuthenticationScope.workload(value.namespace, value.matchLabels) : PeerAuthenticationScope.namespace(value.namespace);
}

/** `istio:` — Istio sidecar settings (IstioOperator for istioctl + istiod Helm values) and PeerAuthentications. */
export const istioSection: ConfigSection<IstioValue> = {
  key: 'istio',
  description:
    'Istio: native-sidecar settings as an IstioOperator for istioctl (not applied from Istio 1.24) and as istiod Helm values, PeerAuthentication mTLS modes and AuthorizationPolicies.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: {
        targets: TARGETS_PROPERTY,
        suppress: SUPPRESS_PROPERTY,
        component: { type: 'string', description: 'Output file (without .yaml) in dist/<target>/. Default: istio.' },
        rootNamespace: { type: 'string', description: "Istio's root namespace (meshConfig.rootNamespace) for this entry's mesh-wide policies: istio-system (default) or aks-istio-system for the AKS add-on." },
        sidecars: {
          type: 'object',
          additionalProperties: false,
          properties: {
            nativeSidecars: { enum: Object.keys(NATIVE_SIDECARS), description: 'ENABLE_NATIVE_SIDECARS. enabled needs Kubernetes 1.29+, auto Istio 1.27+. Default: enabled.' },
            pilotEnableStatus: { type: 'boolean', description: 'PILOT_ENABLE_STATUS. Default: true.' },
            rewriteAppHttpProbe: { type: 'boolean', description: 'sidecarInjectorWebhook.rewriteAppHTTPProbe. Default: true.' },
            outboundTrafficPolicy: { enum: Object.values(OutboundTrafficPolicyMode), description: "meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY refuses hosts that are neither a Service nor a ServiceEntry. Default: not set (Istio's ALLOW_ANY)." },
            operatorName: { type: 'string', description: 'IstioOperator name. Default: istiocontrolplane.' },
            namespace: { type: 'string', description: 'Istio control-plane namespace. Default: istio-system.' },
            metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of the IstioOperator.' },
          },
        },
        peerAuthentications: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['mode'],
            dependencies: { matchLabels: ['namespace'] },
            properties: {
              mode: MODE,
              name: { type: 'string', description: 'Default: default.' },
              namespace: { type: 'string', description: 'Absent: mesh-wide (root namespace).' },
              matchLabels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Workload selector; needs namespace.' },
              rootNamespace: { type: 'string', description: 'Default: istio-system.' },
              portLevelMtls: { type: 'object', propertyNames: { pattern: '^[0-9]+$' }, additionalProperties: MODE, description: 'Container port -> mode; workload scope only.' },
              metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of the PeerAuthentication.' },
            },
          },
        },
        authorizationPolicies: {
          type: 'array',
          description: 'Istio AuthorizationPolicies (security.istio.io/v1). No rules and no action: allow-nothing (denies every request in scope).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string' },
              namespace: { type: 'string', description: 'Absent: mesh-wide (the root namespace).' },
              action: { enum: Object.values(AuthorizationAction), description: 'Default: ALLOW.' },
              provider: { type: 'string', description: 'Extension provider name (meshConfig.extensionProviders); CUSTOM only.' },
              matchLabels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Pod labels of the workloads it applies to (selector.matchLabels).' },
              targetRefs: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['kind', 'name'], properties: { group: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } } },
                description: 'Gateway, GatewayClass, Service (waypoint) or ServiceEntry it attaches to; not with matchLabels.',
              },
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    from: { type: 'array', items: { type: 'object', additionalProperties: false, properties: Object.fromEntries(SOURCE_KEYS.map((k) => [k, STRINGS])) } },
                    to: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { ...Object.fromEntries(OPERATION_KEYS.map((k) => [k, STRINGS])), ports: PORTS, notPorts: PORTS } } },
                    when: {
                      type: 'array',
                      items: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { type: 'string' }, values: STRINGS, notValues: STRINGS } },
                    },
                  },
                },
              },
              suppress: SUPPRESS_PROPERTY,
              metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of the AuthorizationPolicy.' },
            },
          },
        },
        egressAllowances: {
          type: 'array',
          description: 'Workloads that may reach external hosts, written once for both layers the target runs: a CiliumNetworkPolicy (toFQDNs + DNS rules) and an Istio ServiceEntry + Sidecar (REGISTRY_ONLY).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'namespace', 'workloads', 'hosts'],
            properties: {
              name: { type: 'string' },
              namespace: { type: 'string' },
              workloads: { type: 'object', additionalProperties: { type: 'string' }, description: 'Pod labels of the workloads.' },
              hosts: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['host'],
                  properties: {
                    host: { type: 'string', description: 'An exact DNS name.' },
                    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Default: 443.' },
                    protocol: { enum: Object.values(ExternalProtocol), description: 'ServiceEntry port protocol. Default: TLS.' },
                  },
                },
              },
              controlPlaneNamespace: { type: 'string', description: "Istio control-plane namespace the Sidecar keeps. Default: the entry's rootNamespace, else istio-system." },
              metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of every object it writes (CiliumNetworkPolicy, ServiceEntries, Sidecar).' },
            },
          },
        },
      },
    },
  },
  needs: [Product.ISTIO],
  objects: (entry) => [
    ...(entry.sidecars ? [{ label: 'Istio sidecar settings (istiod values, IstioOperator)', pointer: '/sidecars' }] : []),
    ...(entry.peerAuthentications ?? []).map((pa, k): EntryObject => ({
      label: `PeerAuthentication '${peerAuthenticationNamespace(pa)}/${pa.name ?? 'default'}'`,
      pointer: `/peerAuthentications/${k}`,
      writer: `/peerAuthentications/${k}`,
    })),
    ...(entry.authorizationPolicies ?? []).map((ap, k): EntryObject => ({
      label: `AuthorizationPolicy '${ap.namespace ?? entry.rootNamespace ?? ISTIO_ROOT_NAMESPACE}/${ap.name}'`,
      pointer: `/authorizationPolicies/${k}/name`,
      writer: `/authorizationPolicies/${k}`,
    })),
    ...(entry.egressAllowances ?? []).map((ea, k): EntryObject => ({
      label: `egress allowance '${ea.namespace}/${ea.name}'`,
      pointer: `/egressAllowances/${k}/name`,
      writer: `/egressAllowances/${k}`,
    })),
  ],
  build(ctx: SectionBuildContext, entry: IstioValue): void {
    const chart = ctx.chart(entry.component ?? 'istio');
    if (entry.sidecars) {
      const { nativeSidecars, ...rest } = entry.sidecars;
      const settings = new IstioMeshSettings(chart, `IstioMeshSettings-${ctx.index}`, { ...rest, nativeSidecars: nativeSidecars === undefined ? undefined : NATIVE_SIDECARS[nativeSidecars] });
      recordSource(settings, ctx.where('/sidecars'));
    }
    for (const [k, pa] of (entry.peerAuthentications ?? []).entries()) {
      const scope = peerAuthenticationScopeOf(pa);
      const resource = new PeerAuthentication(chart, constructId('PeerAuthentication', peerAuthenticationNamespace(pa), pa.name ?? 'default'), {
        mode: pa.mode,
        scope,
        name: pa.name,
        rootNamespace: pa.rootNamespace ?? entry.rootNamespace,
        portLevelMtls: pa.portLevelMtls ? Object.fromEntries(Object.entries(pa.portLevelMtls).map(([port, mode]) => [Number(port), mode])) : undefined,
        metadata: pa.metadata,
      });
      recordSource(resource, ctx.where(`/peerAuthentications/${k}`));
    }
    for (const [k, ap] of (entry.authorizationPolicies ?? []).entries()) {
      const namespace = ap.namespace ?? entry.rootNamespace ?? ISTIO_ROOT_NAMESPACE;
      let policy: AuthorizationPolicy;
      try {
        policy = new AuthorizationPolicy(chart, constructId('AuthorizationPolicy', namespace, ap.name), {
          name: ap.name,
          namespace: ap.namespace,
          rootNamespace: entry.rootNamespace,
          action: ap.action,
          provider: ap.provider,
          selector: ap.matchLabels,
          targetRefs: ap.targetRefs,
          rules: ap.rules,
          metadata: ap.metadata,
        });
      } catch (err) {
        // Point at the policy the user wrote, not at the start of the entry.
        throw err instanceof NetsecError ? locateError(err, ctx.where(`/authorizationPolicies/${k}`)) : err;
      }
      recordSource(policy, ctx.where(`/authorizationPolicies/${k}`));
      // An item's own suppressions (e.g. an intended mesh-wide allow-nothing). The reason is written as given, without its
      // netsec.yaml line: a line number in the output header would change the output (and `plan`) on every edit above it.
      const suppressions = (ap.suppress ?? []).map((x) => ({ id: x.rule, reason: x.reason.trim() }));
      if (suppressions.length) suppressRules(policy, suppressions);
    }
    for (const [k, ea] of (entry.egressAllowances ?? []).entries()) {
      try {
        // The control plane lives where the mesh's root namespace is, upstream (istio-system) and on the AKS add-on
        // (aks-istio-system) alike: an entry that names its root namespace names the control plane's too.
        const allowance = new MeshEgressAllowance(chart, constructId('EgressAllowance', ea.namespace, ea.name), {
          ...ea,
          controlPlaneNamespace: ea.controlPlaneNamespace ?? entry.rootNamespace,
        });
        recordSource(allowance, ctx.where(`/egressAllowances/${k}`));
      } catch (err) {
        throw err instanceof NetsecError ? locateError(err, ctx.where(`/egressAllowances/${k}`)) : err;
      }
    }
  },
};

/** The namespace a PeerAuthentication lives in: its own, or the root namespace for a mesh-wide one. */
function peerAuthenticationNamespace(pa: PeerAuthenticationValue): string {
  return pa.namespace ?? pa.rootNamespace ?? 'istio-system';
}
