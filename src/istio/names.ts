import { NetsecError } from '../core/errors.js';
import { isDnsLabel } from '../core/names.js';

// Helpers shared by the Istio constructs; not part of the package's API (src/istio/index.ts does not export them).

/** A Kubernetes namespace name (DNS-1123 label), or a located refusal naming `who`. */
export function checkNamespace(namespace: string, who: string): string {
  if (typeof namespace !== 'string' || !isDnsLabel(namespace)) {
    throw new NetsecError('INVALID', `${who}: namespace ${JSON.stringify(namespace)} must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters).`);
  }
  return namespace;
}
