import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { NetsecError } from './errors.js';
import { netsecTreeProblems } from './synth.js';
import { TARGET_SYMBOL, Target } from './target.js';
import { DNS_LABEL } from './names.js';
import { requireInstance, requireRecord } from './arguments.js';

/** Properties for `NetsecChart`. */
export interface NetsecChartProps extends ChartProps {
  /** The cluster this chart's objects are for. Constructs inside ask it what the cluster's versions support. */
  readonly target: Target;
  /**
   * Name of the output file (without `.yaml`) in `dist/<target>/`. A DNS-1123 label.
   * @default - the chart's id
   */
  readonly component?: string;
  /**
   * Whether the objects are applied to the cluster. Charts that hold inputs for other tools (an `IstioOperator`
   * for `istioctl install -f` from Istio 1.24 on) set this to false: their file goes to `dist/<target>/not-applied/`
   * and is left out of the target's `kustomization.yaml`.
   * @default true
   */
  readonly applyToCluster?: boolean;
}

/**
 * A cdk8s `Chart` for one component of one target. Its objects are validated against the CRD schemas of the
 * target's own version lines and written to `dist/<target>/<component>.yaml`.
 */
export class NetsecChart extends Chart {
  /** Whether `x` is a NetsecChart (works across copies of the library). */
  public static isNetsecChart(x: unknown): x is NetsecChart {
    return x !== null && typeof x === 'object' && TARGET_SYMBOL in x;
  }

  public readonly target: Target;
  public readonly component: string;
  public readonly applyToCluster: boolean;

  public constructor(scope: Construct, id: string, props: NetsecChartProps) {
    // From JavaScript: null props failed inside cdk8s, and `target: {}` was accepted until the first construct.
    super(scope, id, requireRecord('NetsecChart', 'props', props));
    requireInstance(`NetsecChart '${id}'`, 'target', props.target, Target, 'new Target({ name, kubernetes, cilium, ... })');
    this.target = props.target;
    (this as unknown as Record<symbol, Target>)[TARGET_SYMBOL] = props.target;
    this.component = props.component ?? id;
    if (!DNS_LABEL.test(this.component)) {
      throw new NetsecError('USAGE', `NetsecChart '${id}': component '${this.component}' must be a DNS-1123 label; it names the file ${this.component}.yaml.`);
    }
    const reserved = reservedComponentReason(this.component);
    if (reserved) throw new NetsecError('USAGE', `NetsecChart '${id}': component '${this.component}' ${reserved}; choose another component name.`);
    this.applyToCluster = props.applyToCluster ?? true;
    // cdk8s' own paths (app.synth(), Testing.synth(chart)) then refuse what netsec synth refuses.
    this.node.addValidation({ validate: () => netsecTreeProblems(this) });
  }
}

/**
 * Why a component name cannot be used: synthesis writes these files itself into every target folder, and a component
 * of the same name would replace them (or, for the kustomization, make it list itself).
 */
function reservedComponentReason(component: string): string | undefined {
  if (component === 'kustomization') return "would write kustomization.yaml, which netsec generates for every target (the list of files GitOps tools apply)";
  if (component.endsWith('-values')) return `would write ${component}.yaml, the name netsec gives the Helm values file of release '${component.slice(0, -'-values'.length)}'`;
  if (component === 'not-applied') return 'is the folder netsec writes inputs for other tools into';
  return undefined;
}
