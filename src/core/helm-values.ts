import { Construct } from 'constructs';

/** Properties for `HelmValues`. */
export interface HelmValuesProps {
  /** The Helm chart the values are for; the file is `dist/<target>/<release>-values.yaml`, e.g. 'cilium' or 'istiod'. */
  readonly release: string;
  /** The values, as nested objects (`{ hubble: { export: { dynamic: { enabled: true } } } }`). */
  readonly values: Record<string, unknown>;
  /** Why the output needs them; written as a comment above the values. */
  readonly reason: string;
}

/**
 * Helm values that a cluster must set for netsec's output to work (the Cilium agent reading the flow-log
 * ConfigMap, Local Redirect Policies enabled, ...). The synthesizer merges all fragments of a target by release into
 * one file, and refuses two fragments that set the same key to different values.
 */
export class HelmValues extends Construct {
  /** Whether `x` is a HelmValues fragment. */
  public static isHelmValues(x: unknown): x is HelmValues {
    return x instanceof Construct && (x as unknown as Record<string, unknown>)[HELM_VALUES_MARK] === true;
  }

  public readonly release: string;
  public readonly values: Record<string, unknown>;
  public readonly reason: string;

  public constructor(scope: Construct, id: string, props: HelmValuesProps) {
    super(scope, id);
    (this as unknown as Record<string, unknown>)[HELM_VALUES_MARK] = true;
    this.release = props.release;
    this.values = props.values;
    this.reason = props.reason;
  }
}

const HELM_VALUES_MARK = '__netsecHelmValues';
