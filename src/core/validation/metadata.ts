import { ValidationFinding, refOf } from './finding.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../core/names.js';
import { own } from '../own.js';

// Grammars from domain-notes §B.1 (apimachinery validation, Calico validator).
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CALICO_GLOBAL_POLICY_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/**
 * ObjectMeta fields (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta): the ones a manifest sets, and the ones the
 * API server sets and `kubectl get -o yaml` exports, which a re-applied export carries (the server ignores or checks them).
 */
const ALLOWED_METADATA = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** How a kind's names are checked, and whether it lives in a namespace. */
interface NameRule {
  readonly grammar: RegExp;
  readonly grammarName: string;
  readonly maxLength: number;
}

const SUBDOMAIN_RULE: NameRule = { grammar: DNS_SUBDOMAIN, grammarName: 'a DNS-1123 subdomain', maxLength: 253 };
const NAME_RULES: Record<string, NameRule> = {
  Namespace: { grammar: DNS_LABEL, grammarName: 'a DNS-1123 label', maxLength: 63 },
  Service: { grammar: DNS_1035_LABEL, grammarName: 'a DNS-1035 label', maxLength: 63 },
  Tier: { grammar: DNS_LABEL, grammarName: 'a DNS-1123 label', maxLength: 63 },
  GlobalNetworkPolicy: { grammar: CALICO_GLOBAL_POLICY_NAME, grammarName: "a DNS-1123 label, optionally prefixed by '<tier>.'", maxLength: 253 },
};

/** Whether a label key is a valid qualified name (`[prefix/]name`). */
export function isValidLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return false;
  if (parts.length === 2) return parts[0].length > 0 && parts[0].length <= 253 && DNS_SUBDOMAIN.test(parts[0]);
  return true;
}

/** Whether a label value is valid (empty allowed). */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * Checks `metadata` the way the API server does for the kinds netsec emits: name grammar per kind, namespace present
 * exactly for namespaced kinds, label and annotation grammar, and the 262,144-byte annotation budget. `namespaced`
 * undefined: the kind's scope is not known to netsec, and the namespace is checked only for its grammar.
 */
export function validateMetadata(obj: Record<string, unknown>, namespaced: boolean | undefined): ValidationFinding[] {
  const resource = refOf(obj);
  const findings: ValidationFinding[] = [];
  const add = (path: string, message: string): void => {
    findings.push({ resource, path, message });
  };
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object') {
    add('metadata', 'missing required field; expected an object with at least a name');
    return findings;
  }
  for (const key of Object.keys(metadata)) {
    if (!ALLOWED_METADATA.has(key)) add(`metadata.${key}`, `unknown field '${key}'; expected one of: ${[...ALLOWED_METADATA].join(', ')}`);
  }
  const rule = own(NAME_RULES, resource.kind) ?? SUBDOMAIN_RULE;
  const name = metadata.name;
  const generateName = metadata.generateName;
  if (typeof generateName === 'string' && generateName !== '' && (name === undefined || name === '')) {
    // The API server cuts generateName to 58 characters and appends 5 random alphanumerics
    // (k8s.io/apiserver/pkg/storage/names/generate.go); the result must fit the kind's name rule.
    const sample = `${generateName.slice(0, 58)}abcde`;
    if (sample.length > rule.maxLength || !rule.grammar.test(sample)) {
      add('metadata.generateName', `'${generateName}' followed by 5 random characters is not ${rule.grammarName} (at most ${rule.maxLength} characters)`);
    }
  } else if (name !== undefined && name !== null && typeof name !== 'string') {
    add('metadata.name', `expected a string (got ${JSON.stringify(name)?.slice(0, 80)}); a template placeholder such as {{ .Name }} must be rendered first`);
  } else if (typeof name !== 'string' || name === '') {
    add('metadata.name', 'missing required field; expected a name (or a generateName)');
  } else if (name.length > rule.maxLength || !rule.grammar.test(name)) {
    add('metadata.name', `'${name}' is not ${rule.grammarName} (at most ${rule.maxLength} characters)`);
  }
  const namespace = metadata.namespace;
  if (namespaced === true && (typeof namespace !== 'string' || namespace === '')) {
    add('metadata.namespace', `${resource.kind} is namespaced; expected a namespace`);
  } else if (namespaced === false && namespace !== undefined) {
    add('metadata.namespace', `${resource.kind} is cluster-scoped; expected no namespace (got '${String(namespace)}')`);
  } else if (typeof namespace === 'string' && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    add('metadata.namespace', `'${namespace}' is not a DNS-1123 label`);
  }
  for (const [key, value] of Object.entries((metadata.labels ?? {}) as Record<string, unknown>)) {
    if (!isValidLabelKey(key)) add(`metadata.labels.${key}`, `'${key}' is not a valid label key ([prefix/]name, name at most 63 characters)`);
    if (typeof value !== 'string' || !isValidLabelValue(value)) add(`metadata.labels.${key}`, `'${String(value)}' is not a valid label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)`);
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries((metadata.annotations ?? {}) as Record<string, unknown>)) {
    if (!isValidLabelKey(key)) add(`metadata.annotations.${key}`, `'${key}' is not a valid annotation key`);
    if (typeof value !== 'string') add(`metadata.annotations.${key}`, `expected a string (got ${typeof value})`);
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (annotationBytes > 262_144) add('metadata.annotations', `annotations total ${annotationBytes} bytes; the API server allows at most 262144`);
  return findings;
}
