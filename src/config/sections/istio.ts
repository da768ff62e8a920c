import { Product } from '../../core/versions.js';
import { IstioMeshSettings, NativeSidecarMode } from '../../istio/istio-mesh-settings.js';
import { MtlsMode, PeerAuthentication, PeerAuthenticationScope } from '../../istio/peer-authentication.js';
import { recordSource } from '../../core/source.js';
import { ConfigSection, EntryObject, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, constructId } from '../section.js';

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
  readonly operatorName?: string;
  readonly namespace?: string;
}

/** One PeerAuthentication: no namespace = mesh-wide; a namespace = namespace-wide; with matchLabels = workloads. */
export interface PeerAuthenticationValue {
  readonly mode: MtlsMode;
  readonly name?: string;
  readonly namespace?: string;
  readonly matchLabels?: Record<string, string>;
  readonly rootNamespace?: string;
  readonly portLevelMtls?: Record<string, MtlsMode>;
}

/** One entry of `istio:`. */
export interface IstioValue {
  readonly targets?: string[];
  readonly component?: string;
  readonly sidecars?: IstioSidecarsValue;
  readonly peerAuthentications?: PeerAuthenticationValue[];
}

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
    'Istio: native-sidecar settings as an IstioOperator for istioctl (not applied from Istio 1.24) and as istiod Helm values, and PeerAuthentication mTLS modes.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: {
        targets: TARGETS_PROPERTY,
        suppress: SUPPRESS_PROPERTY,
        component: { type: 'string', description: 'Output file (without .yaml) in dist/<target>/. Default: istio.' },
        sidecars: {
          type: 'object',
          additionalProperties: false,
          properties: {
            nativeSidecars: { enum: Object.keys(NATIVE_SIDECARS), description: 'ENABLE_NATIVE_SIDECARS. enabled needs Kubernetes 1.29+, auto Istio 1.27+. Default: enabled.' },
            pilotEnableStatus: { type: 'boolean', description: 'PILOT_ENABLE_STATUS. Default: true.' },
            rewriteAppHttpProbe: { type: 'boolean', description: 'sidecarInjectorWebhook.rewriteAppHTTPProbe. Default: true.' },
            operatorName: { type: 'string', description: 'IstioOperator name. Default: istiocontrolplane.' },
            namespace: { type: 'string', description: 'Istio control-plane namespace. Default: istio-system.' },
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
        rootNamespace: pa.rootNamespace,
        portLevelMtls: pa.portLevelMtls ? Object.fromEntries(Object.entries(pa.portLevelMtls).map(([port, mode]) => [Number(port), mode])) : undefined,
      });
      recordSource(resource, ctx.where(`/peerAuthentications/${k}`));
    }
  },
};

/** The namespace a PeerAuthentication lives in: its own, or the root namespace for a mesh-wide one. */
function peerAuthenticationNamespace(pa: PeerAuthenticationValue): string {
  return pa.namespace ?? pa.rootNamespace ?? 'istio-system';
}
