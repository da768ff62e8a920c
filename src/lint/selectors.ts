import { splitLabelKey } from '../cilium/selectors.js';
import { own } from '../core/own.js';

/**
 * Kubernetes label selectors in their wire form (`matchLabels`, `matchExpressions`), as Cilium writes them: keys may
 * carry a source prefix (`k8s:`, `any:`), which a pod's labels match regardless of source.
 */
export interface WireSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** The label key without a Cilium source prefix: `k8s:io.kubernetes.pod.namespace` → `io.kubernetes.pod.namespace`. */
export function withoutSource(key: string): string {
  return splitLabelKey(key).key;
}

/** Whether a selector matches a set of labels (keys without source prefixes). An empty selector matches everything. */
export function selectorMatches(selector: WireSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (own(labels, withoutSource(k)) !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const value = own(labels, withoutSource(e.key));
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (value === undefined || !values.includes(value)) return false; break;
      case 'NotIn': if (value !== undefined && values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Whether the selector has no requirement at all (`{}`, `{matchLabels: {}}`): it selects every object of its kind. */
export function selectsEverything(selector: WireSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * Whether a selector can select pods of `namespace`, judged from its namespace label alone (other labels could
 * still match some pod there): false only when it pins another namespace or excludes this one.
 */
export function maySelectNamespace(selector: WireSelector, namespace: string, namespaceKey = 'io.kubernetes.pod.namespace'): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (withoutSource(k) === namespaceKey && v !== namespace) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    if (withoutSource(e.key) !== namespaceKey) continue;
    const values = e.values ?? [];
    if (e.operator === 'NotIn' && values.includes(namespace)) return false;
    if (e.operator === 'In' && !values.includes(namespace)) return false;
    if (e.operator === 'DoesNotExist') return false;
  }
  return true;
}
