import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IstioOperator } from '../../imports/install.istio.io.js';
import { addNote } from '../core/diagnostics.js';
import { NetsecError } from '../core/errors.js';
import { FEATURES, Feature } from '../core/features.js';
import { HelmValues } from '../core/helm-values.js';
import { ResourceMetadataProps, applyResourceMetadata } from '../core/resource-metadata.js';
import { NetsecChart } from '../core/netsec-chart.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { requireBoolean, requireRecord } from '../core/arguments.js';
import { NATIVE_SIDECAR_ANNOTATION, nativeSidecarsUnsupported } from '../lint/rules/istio.js';

export { NATIVE_SIDECAR_ANNOTATION };

/** Value of istiod's `ENABLE_NATIVE_SIDECARS`: whether injected pods get istio-proxy as a Kubernetes native sidecar. */
export enum NativeSidecarMode {
  /** Every injected pod gets istio-proxy as an init container with `restartPolicy: Always` (needs Kubernetes 1.29+). */
  ENABLED = 'true',
  /** Classic sidecars; pods can still opt in with the `sidecar.istio.io/nativeSidecar` annotation (Istio 1.24+). */
  DISABLED = 'false',
  /** Istio 1.27+: native sidecars only when every node's kubelet is 1.33 or later; Istio's own default from 1.27. */
  AUTO = 'auto',
}

/** `meshConfig.outboundTrafficPolicy.mode`: what sidecars do with traffic to hosts the mesh's registry does not know. */
export enum OutboundTrafficPolicyMode {
  /** Pass it through (Istio's default): ServiceEntries and Sidecars add routing, not a boundary. */
  ALLOW_ANY = 'ALLOW_ANY',
  /** Refuse it: only Services and ServiceEntries in the registry are reachable through the sidecar. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
}

/** Properties for `IstioMeshSettings`. */
export interface IstioMeshSettingsProps {
  /**
   * Native sidecars (`pilot.env.ENABLE_NATIVE_SIDECARS`). `ENABLED` is refused below Kubernetes 1.29, where the
   * SidecarContainers feature is alpha and off (1.28), so that pods would be rejected; `AUTO` needs Istio 1.27.
   * @default NativeSidecarMode.ENABLED
   * @see https://istio.io/latest/blog/2023/native-sidecars/
   */
  readonly nativeSidecars?: NativeSidecarMode;
  /** Whether istiod writes status on Istio config objects (`pilot.env.PILOT_ENABLE_STATUS`). @default true */
  readonly pilotEnableStatus?: boolean;
  /**
   * Whether the injector rewrites HTTP liveness/readiness probes to go through the sidecar agent
   * (`sidecarInjectorWebhook.rewriteAppHTTPProbe`); without it, STRICT mTLS fails kubelet HTTP probes.
   * @default true
   */
  readonly rewriteAppHttpProbe?: boolean;
  /**
   * Mesh-wide egress mode (`meshConfig.outboundTrafficPolicy.mode`), in the IstioOperator and the istiod Helm values.
   * A `Sidecar` can set its own per namespace or workload.
   * @default - not set (Istio's default, ALLOW_ANY)
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /** Name of the IstioOperator. @default 'istiocontrolplane' */
  readonly operatorName?: string;
  /** Namespace of the Istio control plane (the IstioOperator's namespace). @default 'istio-system' */
  readonly namespace?: string;
  /**
   * Labels and annotations of the IstioOperator (the one object it renders; the Helm values are not an object);
   * more can be added later with `settings.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/**
 * Istio control-plane sidecar settings for one target, in the two forms installers read:
 * - an `IstioOperator` for `istioctl install -f`. Up to Istio 1.23 it is an object of the construct's own chart (the
 *   CRD is served there). From 1.24 the CRD and the in-cluster operator are gone, so the construct puts it in a nested
 *   chart `istio-operator` with `applyToCluster: false`: it is written to `dist/<target>/not-applied/istio-operator.yaml`,
 *   left out of kustomization.yaml, and its header says so. `operatorChart` is that chart (undefined up to 1.23).
 * - the same settings as Helm values for the `istiod` chart (`istiod-values.yaml`).
 *
 * Version rules: native sidecars need the Kubernetes SidecarContainers feature (beta and on from 1.29, GA from 1.33;
 * on 1.28 it is alpha and off, so `ENABLED` is refused there and pods keep classic sidecars); `AUTO` exists from
 * Istio 1.27, where it is the default and turns native sidecars on only when every kubelet is 1.33 or later. The output
 * notes say what the setting does on the target's versions.
 */
export class IstioMeshSettings extends Construct {
  /**
   * The annotation that opts one pod in (`true`) or out (`false`) of native sidecars, for a gradual roll-out; put it on
   * pod templates (e.g. `deployment.podMetadata.addAnnotation(...)`). Needs Istio 1.24; opting in needs Kubernetes 1.29.
   * @example IstioMeshSettings.nativeSidecarAnnotation(chart) // { 'sidecar.istio.io/nativeSidecar': 'true' }
   */
  public static nativeSidecarAnnotation(scope: IConstruct, enabled = true): Record<string, string> {
    const target = Target.of(scope);
    const who = `IstioMeshSettings.nativeSidecarAnnotation('${scope.node.path}')`;
    target.require(Feature.ISTIO_NATIVE_SIDECAR_ANNOTATION, who);
    if (enabled) requireSidecarContainers(target, who);
    return { [NATIVE_SIDECAR_ANNOTATION]: String(enabled) };
  }

  /** `ENABLE_NATIVE_SIDECARS`, resolved. */
  public readonly nativeSidecars: NativeSidecarMode;
  /** `PILOT_ENABLE_STATUS`, resolved. */
  public readonly pilotEnableStatus: boolean;
  /** `sidecarInjectorWebhook.rewriteAppHTTPProbe`, resolved. */
  public readonly rewriteAppHttpProbe: boolean;
  /** `meshConfig.outboundTrafficPolicy.mode`, when set. */
  public readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /** Name of the IstioOperator. */
  public readonly operatorName: string;
  /** Namespace of the Istio control plane. */
  public readonly namespace: string;
  /** The IstioOperator (an istioctl input). */
  public readonly istioOperator: ApiObject;
  /** The IstioOperator's metadata, as cdk8s-plus exposes it: `settings.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  /** The not-applied chart holding the IstioOperator from Istio 1.24 on; undefined where the CRD is served. */
  public readonly operatorChart?: NetsecChart;
  /** The istiod Helm values with the same settings. */
  public readonly helmValues: HelmValues;

  public constructor(scope: Construct, id: string, props: IstioMeshSettingsProps = {}) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`IstioMeshSettings '${this.node.path}'`, 'props', props);
    const target = Target.of(this);
    const who = `IstioMeshSettings '${this.node.path}'`;
    const istio = target.requireProduct(Product.ISTIO, who);
    this.nativeSidecars = props.nativeSidecars ?? NativeSidecarMode.ENABLED;
    // Written into istiod's values as they are: from JavaScript, "false" (a string) had been written verbatim.
    this.pilotEnableStatus = requireBoolean(who, 'pilotEnableStatus', props.pilotEnableStatus ?? true);
    this.rewriteAppHttpProbe = requireBoolean(who, 'rewriteAppHttpProbe', props.rewriteAppHttpProbe ?? true);
    this.operatorName = props.operatorName ?? 'istiocontrolplane';
    this.namespace = props.namespace ?? 'istio-system';
    this.outboundTrafficPolicy = props.outboundTrafficPolicy;
    if (this.outboundTrafficPolicy !== undefined && !Object.values(OutboundTrafficPolicyMode).includes(this.outboundTrafficPolicy)) {
      throw new NetsecError('INVALID', `${who}: 'outboundTrafficPolicy' must be one of: ${Object.values(OutboundTrafficPolicyMode).join(', ')} (got ${JSON.stringify(this.outboundTrafficPolicy)}).`);
    }
    if (!Object.values(NativeSidecarMode).includes(this.nativeSidecars)) {
      throw new NetsecError('INVALID', `${who}: 'nativeSidecars' must be one of: ${Object.values(NativeSidecarMode).join(', ')} (got ${JSON.stringify(this.nativeSidecars)}).`);
    }

    const notes: string[] = [];
    const k8s = target.version(Product.KUBERNETES);
    // Istio's `auto` turns native sidecars on only when every kubelet is 1.33+ (webhook.go minVersion 33), which is
    // exactly the line where SidecarContainers is GA, so the GA gate answers it.
    const autoOutcome = (): string =>
      !k8s
        ? 'depends on the kubelet versions, and the target names no Kubernetes version'
        : target.has(Feature.K8S_SIDECAR_CONTAINERS_GA)
          ? `turns native sidecars on when every kubelet runs Kubernetes ${k8s} as the target says (auto needs ${FEATURES[Feature.K8S_SIDECAR_CONTAINERS_GA].since} or later)`
          : `keeps classic sidecars on Kubernetes ${k8s} (auto turns them on only when every kubelet is ${FEATURES[Feature.K8S_SIDECAR_CONTAINERS_GA].since} or later)`;
    switch (this.nativeSidecars) {
      case NativeSidecarMode.ENABLED: {
        const version = requireSidecarContainers(target, who);
        notes.push(
          target.has(Feature.K8S_SIDECAR_CONTAINERS_GA)
            ? `Native sidecars on: Kubernetes ${version} has SidecarContainers GA.`
            : `Native sidecars on: Kubernetes ${version} has SidecarContainers beta, on by default (GA from ${FEATURES[Feature.K8S_SIDECAR_CONTAINERS_GA].since}); a cluster that turned the feature gate off rejects the injected pods.`,
        );
        break;
      }
      case NativeSidecarMode.AUTO:
        if (!target.has(Feature.ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT)) {
          // target.require would name the feature, not the setting a netsec.yaml user wrote or what to write instead.
          const line = target.requireProduct(Product.ISTIO, who);
          throw new NetsecError(
            'INVALID',
            `${who}: nativeSidecars: auto (NativeSidecarMode.AUTO) needs Istio ${FEATURES[Feature.ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT].since} or later, the first line with ENABLE_NATIVE_SIDECARS=auto; target '${target.name}' runs Istio ${line}. Choose enabled or disabled on this target (NativeSidecarMode.ENABLED, DISABLED).`,
          );
        }
        notes.push(`ENABLE_NATIVE_SIDECARS=auto ${autoOutcome()}.`);
        break;
      case NativeSidecarMode.DISABLED:
        notes.push('Native sidecars off: injected pods keep istio-proxy as a classic container.');
        break;
    }
    if (this.nativeSidecars !== NativeSidecarMode.AUTO && target.has(Feature.ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT)) {
      notes.push(`Istio ${istio} defaults ENABLE_NATIVE_SIDECARS to auto, which ${autoOutcome()}; this output sets it to ${this.nativeSidecars} explicitly.`);
    }
    if (target.has(Feature.ISTIO_NATIVE_SIDECAR_ANNOTATION)) {
      notes.push(`Pods override the mesh setting one at a time with the annotation ${NATIVE_SIDECAR_ANNOTATION}: "true" or "false" (gradual roll-out).`);
    }

    // One value set, rendered twice: as IstioOperator `spec.values` for istioctl and as istiod chart values for Helm.
    const env: Record<string, boolean | string> = {
      PILOT_ENABLE_STATUS: this.pilotEnableStatus,
      ENABLE_NATIVE_SIDECARS: this.nativeSidecars === NativeSidecarMode.AUTO ? 'auto' : this.nativeSidecars === NativeSidecarMode.ENABLED,
    };
    const sidecarInjectorWebhook = { rewriteAppHTTPProbe: this.rewriteAppHttpProbe };
    const values = { pilot: { env }, sidecarInjectorWebhook };
    const meshConfig = this.outboundTrafficPolicy ? { outboundTrafficPolicy: { mode: this.outboundTrafficPolicy } } : undefined;
    if (this.outboundTrafficPolicy === OutboundTrafficPolicyMode.REGISTRY_ONLY) {
      notes.push('outboundTrafficPolicy REGISTRY_ONLY: sidecars refuse traffic to hosts that are neither a Service nor a ServiceEntry (a 502 for HTTP, a reset for TCP); declare external hosts with ServiceEntry. Pods without a sidecar are not affected: a Cilium or Calico egress policy covers them.');
    }

    let operatorScope: Construct = this;
    if (!target.has(Feature.ISTIO_OPERATOR_CRD)) {
      this.operatorChart = new NetsecChart(this, 'IstioctlInput', { target, component: 'istio-operator', applyToCluster: false });
      operatorScope = this.operatorChart;
      addNote(
        this.operatorChart,
        `IstioOperator ${this.namespace}/${this.operatorName} is an input for 'istioctl install -f not-applied/istio-operator.yaml': Istio ${istio} serves no IstioOperator CRD and runs no in-cluster operator (both removed in 1.24), so applying it would fail. Helm installs use istiod-values.yaml instead.`,
      );
    } else {
      notes.push(`IstioOperator ${this.namespace}/${this.operatorName} is for 'istioctl install -f' (or the in-cluster operator, deprecated in Istio 1.23 and removed in 1.24); Helm installs use istiod-values.yaml.`);
    }
    // A plain ApiObject with the L1's GVK: the generated IstioOperator L1 has no `spec` (its CRD schema is open), and its
    // toJson() would drop one.
    this.istioOperator = new ApiObject(operatorScope, 'Resource', {
      ...IstioOperator.GVK,
      metadata: { name: this.operatorName, namespace: this.namespace },
      spec: { ...(meshConfig ? { meshConfig } : {}), values },
    });
    applyResourceMetadata(who, props.metadata, [this.istioOperator]);
    this.metadata = this.istioOperator.metadata;
    // The istiod chart reads `pilot.env` up to 1.23; from 1.24 its values are flat (`env`, defaults under
    // _internal_defaults_do_not_set; istio PR #52036) and `pilot.*` is only copied up by a legacy shim
    // (templates/zzy_descope_legacy.yaml). Each line gets its chart's own layout. The IstioOperator keeps
    // `values.pilot.env`, the IstioOperator API's layout.
    const topLevel = target.has(Feature.ISTIO_DISCOVERY_TOP_LEVEL_VALUES);
    this.helmValues = new HelmValues(this, 'HelmValues', {
      release: 'istiod',
      reason: `Istio sidecar settings (native sidecars, config status, HTTP probe rewrite${meshConfig ? ', outbound traffic policy' : ''}); the same values as the IstioOperator for istioctl, laid out as the istiod chart of Istio ${istio} reads them (${topLevel ? "'env' at the top level" : "'pilot.env'"}).`,
      values: { ...(topLevel ? { env } : { pilot: { env } }), sidecarInjectorWebhook, ...(meshConfig ? { meshConfig } : {}) },
    });
    for (const note of notes) addNote(this, note);
  }
}

/** Native sidecars need SidecarContainers on by default (Kubernetes 1.29+); 1.28 has it alpha and off. */
function requireSidecarContainers(target: Target, who: string): string {
  const k8s = target.requireProduct(Product.KUBERNETES, who);
  const reason = nativeSidecarsUnsupported(target);
  if (reason) throw new NetsecError('INVALID', `${who}: native sidecars ${reason}. Turn them off on this target: nativeSidecars: disabled (NativeSidecarMode.DISABLED).`);
  return String(k8s);
}
