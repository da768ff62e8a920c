import { NetsecError } from '../core/errors.js';
import { isValidLabelKey, isValidLabelValue } from '../core/validation/metadata.js';
import { own } from '../core/own.js';
import { unwritableKeyReason } from '../core/resource-metadata.js';
import { requireList, requireRecord } from '../core/arguments.js';

/** Operators of a label selector expression. */
export enum LabelOperator {
  IN = 'In',
  NOT_IN = 'NotIn',
  EXISTS = 'Exists',
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One `matchExpressions` entry. */
export interface LabelExpression {
  /** A label key, optionally with a Cilium source prefix (`k8s:app`). */
  readonly key: string;
  readonly operator: LabelOperator;
  /** Required and non-empty for In/NotIn; forbidden for Exists/DoesNotExist. @default - none */
  readonly values?: string[];
}

/** Properties for `EndpointSelector.of`. */
export interface EndpointSelectorOptions {
  /** Labels that must all match. @default {} */
  readonly labels?: Record<string, string>;
  /** Expressions that must all match. @default [] */
  readonly expressions?: LabelExpression[];
}

/** The label Cilium gives every pod for its namespace. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** The rendered key of the namespace label; the `k8s:` source as in Cilium's own examples. */
export const POD_NAMESPACE_KEY = `k8s:${POD_NAMESPACE_LABEL}`;
/** The prefix of namespace labels in Cilium identities (`io.cilium.k8s.namespace.labels.<key>`). */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

// domain-notes §B.2: key = optional source prefix + Kubernetes label key.
const SOURCES = new Set(['k8s', 'any', 'reserved', 'cidr', 'cidrgroup', 'fqdn', 'node', 'container', 'unspec', 'gen', 'cni', 'directory']);
/** Sources whose labels a pod identity carries. */
const POD_SOURCES = new Set(['k8s', 'any']);

/** Splits `k8s:app` into `{ source: 'k8s', key: 'app' }`; no prefix is the `any` source. */
export function splitLabelKey(key: string): { source: string; key: string } {
  const i = key.indexOf(':');
  return i < 0 ? { source: 'any', key } : { source: key.slice(0, i), key: key.slice(i + 1) };
}

function checkKey(who: string, key: string): void {
  const { source, key: bare } = splitLabelKey(key);
  if (key.split(':').length > 2 || !SOURCES.has(source) || !isValidLabelKey(bare)) {
    throw new NetsecError('INVALID', `${who}: '${key}' is not a valid Cilium label key; expected [source:][prefix/]name with a source of ${[...SOURCES].join(', ')} (e.g. 'app' or 'k8s:app').`);
  }
}

function checkValue(who: string, key: string, value: string): void {
  if (typeof value !== 'string' || !isValidLabelValue(value)) {
    throw new NetsecError('INVALID', `${who}: '${String(value)}' (label '${key}') is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends.`);
  }
}

/**
 * A Cilium endpoint selector (`endpointSelector`, `toEndpoints[]`, LRP `localEndpointSelector`): labels and
 * expressions, validated by the Cilium label grammar (domain-notes §B.2).
 */
export class EndpointSelector {
  /** Every endpoint (`{}`). In a namespaced policy that means every pod of the policy's namespace. */
  public static all(): EndpointSelector {
    return new EndpointSelector({}, []);
  }

  /** @example EndpointSelector.labels({ app: 'critical-workload' }) */
  public static labels(labels: Record<string, string>): EndpointSelector {
    return EndpointSelector.of({ labels });
  }

  /** Labels and expressions. */
  public static of(options: EndpointSelectorOptions): EndpointSelector {
    const selector = EndpointSelector._parse(options);
    const who = `EndpointSelector ${selector}`;
    // A selector built here is rendered by cdk8s, which cannot write a matchLabels key named 'constructor'.
    for (const k of Object.keys(selector.matchLabels)) {
      const unwritable = unwritableKeyReason(k);
      if (unwritable) throw new NetsecError('INVALID', `${who}: label key '${k}': ${unwritable}.`);
    }
    return selector;
  }

  /**
   * A selector checked by the Cilium label grammar alone, as the lint rules read a hand-written manifest (netsec does
   * not render it, so what cdk8s cannot write does not matter there).
   * @internal
   */
  public static _parse(options: EndpointSelectorOptions): EndpointSelector {
    // JavaScript callers: a number or a string as labels had been read as no labels (select everything) or spread into "0": ...
    requireRecord('EndpointSelector', 'options', options);
    const labels = { ...(options.labels === undefined ? {} : requireRecord('EndpointSelector', 'labels', options.labels)) } as Record<string, string>;
    const expressions = (options.expressions === undefined ? [] : requireList<LabelExpression>('EndpointSelector', 'expressions', options.expressions)).map((e) => ({ ...e, values: e.values ? [...e.values] : undefined }));
    const who = `EndpointSelector ${describeSelector(labels, expressions)}`;
    for (const [k, v] of Object.entries(labels)) {
      checkKey(who, k);
      checkValue(who, k, v);
    }
    for (const e of expressions) {
      checkKey(who, e.key);
      if (!Object.values(LabelOperator).includes(e.operator)) {
        throw new NetsecError('INVALID', `${who}: operator '${String(e.operator)}' of '${e.key}' must be one of ${Object.values(LabelOperator).join(', ')}.`);
      }
      const needsValues = e.operator === LabelOperator.IN || e.operator === LabelOperator.NOT_IN;
      if (needsValues && !e.values?.length) {
        throw new NetsecError('INVALID', `${who}: '${e.key} ${e.operator}' needs at least one value.`);
      }
      if (!needsValues && e.values?.length) {
        throw new NetsecError('INVALID', `${who}: '${e.key} ${e.operator}' takes no values (got ${JSON.stringify(e.values)}).`);
      }
      for (const v of e.values ?? []) checkValue(who, e.key, v);
    }
    return new EndpointSelector(labels, expressions);
  }

  /** `matchLabels`. */
  public readonly matchLabels: Readonly<Record<string, string>>;
  /** `matchExpressions`. */
  public readonly matchExpressions: readonly LabelExpression[];

  private constructor(labels: Record<string, string>, expressions: LabelExpression[]) {
    this.matchLabels = labels;
    this.matchExpressions = expressions;
  }

  /** Whether it selects every endpoint. */
  public get isEmpty(): boolean {
    return Object.keys(this.matchLabels).length === 0 && this.matchExpressions.length === 0;
  }

  /** The value the selector requires for a label (any source prefix), if it pins one with matchLabels. */
  public valueOf(label: string): string | undefined {
    for (const [k, v] of Object.entries(this.matchLabels)) if (splitLabelKey(k).key === label) return v;
    return undefined;
  }

  /** Whether the selector mentions `label` at all (labels or expressions, any source prefix). */
  public mentions(label: string): boolean {
    return Object.keys(this.matchLabels).some((k) => splitLabelKey(k).key === label) || this.matchExpressions.some((e) => splitLabelKey(e.key).key === label);
  }

  /** A copy with more labels or expressions (later labels win). */
  public with(options: EndpointSelectorOptions): EndpointSelector {
    return EndpointSelector.of({
      labels: { ...this.matchLabels, ...(options.labels ?? {}) },
      expressions: [...this.matchExpressions, ...(options.expressions ?? [])],
    });
  }

  /**
   * Whether a pod with these Kubernetes labels (include `io.kubernetes.pod.namespace`) is selected. Keys with a
   * source other than `k8s`/`any` (for example `reserved:`) never match a pod.
   */
  public matchesPod(podLabels: Readonly<Record<string, string>>): boolean {
    const get = (key: string): string | undefined => {
      const { source, key: bare } = splitLabelKey(key);
      return POD_SOURCES.has(source) ? own(podLabels, bare) : undefined;
    };
    for (const [k, v] of Object.entries(this.matchLabels)) if (get(k) !== v) return false;
    for (const e of this.matchExpressions) {
      const value = get(e.key);
      switch (e.operator) {
        case LabelOperator.IN:
          if (value === undefined || !e.values!.includes(value)) return false;
          break;
        case LabelOperator.NOT_IN:
          if (value !== undefined && e.values!.includes(value)) return false;
          break;
        case LabelOperator.EXISTS:
          if (value === undefined) return false;
          break;
        case LabelOperator.DOES_NOT_EXIST:
          if (value !== undefined) return false;
          break;
      }
    }
    return true;
  }

  /** e.g. `{app=web, tier In (a,b)}`. */
  public toString(): string {
    return describeSelector(this.matchLabels, this.matchExpressions);
  }

  /** @internal the L1 shape; empty parts are left out, so `all()` renders `{}`. */
  public _toKube(): { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } {
    const out: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } = {};
    if (Object.keys(this.matchLabels).length) out.matchLabels = { ...this.matchLabels };
    if (this.matchExpressions.length) {
      out.matchExpressions = this.matchExpressions.map((e) => (e.values ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator }));
    }
    return out;
  }
}

function describeSelector(labels: Readonly<Record<string, string>>, expressions: readonly LabelExpression[]): string {
  const parts = [
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ...expressions.map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`),
  ];
  return `{${parts.join(', ')}}`;
}
