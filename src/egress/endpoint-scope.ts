import { NetsecError } from '../core/errors.js';
import { EndpointSelector, LabelOperator, POD_NAMESPACE_LABEL, splitLabelKey } from '../cilium/selectors.js';

/** The label Calico gives every workload endpoint for its namespace (domain-notes §B.10). */
const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';

/** A Calico selector string literal: single-quoted (Calico's grammar has no escapes, so a quote cannot be inside). */
function quote(value: string): string {
  return `'${value}'`;
}

/**
 * The Calico selector (libcalico-go grammar, domain-notes §B.10) that selects the same pods as a Kubernetes label
 * selector, so one egress block scopes the same workloads on Cilium and Calico targets. The pod-namespace label Cilium
 * uses becomes Calico's `projectcalico.org/namespace`; Cilium-only label sources (`reserved:`, ...) are refused.
 *
 * @example calicoSelectorOf(EndpointSelector.labels({ app: 'legacy' })) // "app == 'legacy'"
 */
export function calicoSelectorOf(selector: EndpointSelector, who: string): string {
  const key = (raw: string): string => {
    const { source, key: k } = splitLabelKey(raw);
    if (source !== '' && source !== 'k8s' && source !== 'any') {
      throw new NetsecError('INVALID', `${who}: label '${raw}' is Cilium-specific (source '${source}:'); Calico has no such label. Select by Kubernetes pod labels only.`);
    }
    return k === POD_NAMESPACE_LABEL ? CALICO_NAMESPACE_LABEL : k;
  };
  const terms = [
    ...Object.entries(selector.matchLabels).map(([k, v]) => `${key(k)} == ${quote(v)}`),
    ...selector.matchExpressions.map((e) => {
      const k = key(e.key);
      switch (e.operator) {
        case LabelOperator.IN: return `${k} in {${e.values!.map(quote).join(', ')}}`;
        case LabelOperator.NOT_IN: return `${k} not in {${e.values!.map(quote).join(', ')}}`;
        case LabelOperator.EXISTS: return `has(${k})`;
        case LabelOperator.DOES_NOT_EXIST: return `!has(${k})`;
      }
    }),
  ];
  return terms.length ? terms.join(' && ') : 'all()';
}
