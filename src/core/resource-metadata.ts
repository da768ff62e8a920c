import { ApiObject } from 'cdk8s';
import { NetsecError, echo } from './errors.js';
import { isValidLabelKey, isValidLabelValue } from './validation/metadata.js';
import { own as ownValue } from './own.js';

/**
 * Labels and annotations a construct adds to the objects it renders, as cdk8s-plus constructs take
 * `metadata?: ApiObjectMetadata`; e.g. `{ annotations: { 'argocd.argoproj.io/sync-wave': '-1' }, labels: { team: 'net' } }`.
 * There is no name or namespace here: each construct has its own `name` and `namespace` props, so each is set one way.
 *
 * Checked when the construct is created: keys and label values by the Kubernetes grammar; keys under `netsec.io/`
 * (netsec's own labels and annotations) refused; a label or annotation the construct sets itself is never overwritten
 * (a different value is refused, the same value accepted).
 */
export interface ResourceMetadataProps {
  /**
   * Labels added to the rendered objects' `metadata.labels`. Keys are `[prefix/]name`; values at most 63 characters of
   * `[A-Za-z0-9_.-]`, alphanumeric at both ends, or empty.
   * @default - none beyond the construct's own
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations added to the rendered objects' `metadata.annotations` (e.g. `argocd.argoproj.io/sync-wave`). Keys are
   * `[prefix/]name`; values any string.
   * @default - none beyond the construct's own
   */
  readonly annotations?: Record<string, string>;
}

/** `ResourceMetadataProps` after the checks: copies, never undefined. */
export interface ResolvedResourceMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The prefix of netsec's own label and annotation keys; users cannot set keys under it. */
export const NETSEC_KEY_PREFIX = 'netsec.io/';

/** The label by which an egress block's policy selects the CIDR groups or network sets it owns (`<block name>`). */
export const OWNER_LABEL = 'netsec.io/egress-block';

/**
 * The annotation that suppresses lint findings on a hand-written object, as `suppress:` does in netsec.yaml and
 * `suppressRules()` in TypeScript: `netsec.io/suppress: "<rule-id>: <reason>; <rule-id>: <reason>"`. The API server
 * keeps annotations as they are, so the reason travels with the object into the cluster.
 */
export const SUPPRESS_ANNOTATION = 'netsec.io/suppress';

/** What each of netsec's own keys is for, and what to use instead. */
const RESERVED_KEYS: Readonly<Record<string, string>> = {
  [OWNER_LABEL]:
    "netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead",
  [SUPPRESS_ANNOTATION]: "netsec validate reads lint suppressions from it; suppress findings with suppressRules(construct, [{ id, reason }]) (or 'suppress:' in netsec.yaml) instead",
};

const KEY_GRAMMAR = "[prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain";
const VALUE_GRAMMAR = 'at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty';

/**
 * Why cdk8s cannot write `key` as a key of a map (labels, annotations, a selector), or undefined. Its renderer
 * (`ApiObject.toJson`, cdk8s _util.js sanitizeValue) reads an object's `constructor` to tell plain data from class
 * instances, so an own entry of that name fails the whole synthesis ("can't render non-simple object"), valid as the
 * key is in Kubernetes.
 */
export function unwritableKeyReason(key: string): string | undefined {
  return key === 'constructor'
    ? "cdk8s, which renders netsec's objects, takes a map entry named 'constructor' for the object's class and cannot write it; use another key"
    : undefined;
}

/**
 * Checks labels or annotations given as `field` (as the user wrote it: `metadata.labels`, `labels`) of construct `who`.
 * Returns a copy.
 */
function checkEntries(who: string, field: string, what: 'label' | 'annotation', entries: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (entries === undefined) return {};
  if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new NetsecError('INVALID', `${who}: ${field} must be an object of string keys and values (got ${Array.isArray(entries) ? 'an array' : JSON.stringify(entries)}).`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith(NETSEC_KEY_PREFIX)) {
      const reserved = RESERVED_KEYS[key];
      throw new NetsecError(
        'INVALID',
        reserved !== undefined
          ? `${who}: ${field} key '${key}' is netsec's own: ${reserved}.`
          : `${who}: ${field} key '${echo(key)}' is under '${NETSEC_KEY_PREFIX}', the prefix netsec keeps for its own labels and annotations; use a prefix of your own (e.g. 'example.com/${echo(key.slice(NETSEC_KEY_PREFIX.length))}').`,
      );
    }
    if (!isValidLabelKey(key)) {
      throw new NetsecError('INVALID', `${who}: ${field} key '${echo(key)}' is not a valid ${what} key; expected ${KEY_GRAMMAR}.`);
    }
    const unwritable = unwritableKeyReason(key);
    if (unwritable) throw new NetsecError('INVALID', `${who}: ${field} key '${key}': ${unwritable}.`);
    if (typeof value !== 'string') {
      throw new NetsecError('INVALID', `${who}: ${field} '${key}' must be a string (got ${value === null ? 'null' : typeof value}); quote it, e.g. '"${echo(String(value))}"'.`);
    }
    if (what === 'label' && !isValidLabelValue(value)) {
      throw new NetsecError('INVALID', `${who}: ${field} '${key}' is '${echo(value)}', which is not a valid label value; expected ${VALUE_GRAMMAR}.`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Checks `metadata` for the construct `who` (e.g. `CiliumNetworkPolicy 'default/web'`): grammar and netsec's own keys.
 * Throws NetsecError('INVALID') naming `who`, the key and what was expected.
 */
export function checkResourceMetadata(who: string, metadata: ResourceMetadataProps | undefined): ResolvedResourceMetadata {
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object')) {
    throw new NetsecError('INVALID', `${who}: metadata must be an object with labels and/or annotations (got ${JSON.stringify(metadata)}).`);
  }
  return { labels: checkEntries(who, 'metadata.labels', 'label', metadata?.labels), annotations: checkEntries(who, 'metadata.annotations', 'annotation', metadata?.annotations) };
}

/**
 * Checks a construct's own label map (an egress block's or CIDR group's `labels`, a workload selector's labels) as
 * `metadata.labels` is checked: Kubernetes grammar, netsec's own keys and keys cdk8s cannot write refused. Returns a copy.
 */
export function checkLabels(who: string, field: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  return labels === undefined ? undefined : checkEntries(who, field, 'label', labels);
}

/**
 * `own` labels with the user's `metadata.labels` added. A key in both with a different value is refused: the construct
 * sets that label itself, from what `ownWhat` names (e.g. `'labels'`, or `the block's labels (by default { policy: <name> })`).
 */
export function mergeMetadataLabels(who: string, own: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>>, ownWhat: string): Record<string, string> {
  for (const [key, value] of Object.entries(extra)) {
    const mine = ownValue(own, key);
    if (mine !== undefined && mine !== value) {
      throw new NetsecError('INVALID', `${who}: metadata.labels '${key}' is '${echo(value)}', which conflicts with '${mine}' from ${ownWhat}; set each label once (leave it out of metadata.labels).`);
    }
  }
  return { ...own, ...extra };
}

/**
 * Checks `metadata` (see `checkResourceMetadata`) and adds its labels and annotations to each of `objects`. A key the
 * object already carries with a different value (a label the construct sets itself, e.g. NodeLocalDnsCache's
 * `k8s-app`) is refused naming the object; the same value is accepted. Returns the checked metadata.
 */
export function applyResourceMetadata(who: string, metadata: ResourceMetadataProps | undefined, objects: readonly ApiObject[]): ResolvedResourceMetadata {
  const resolved = checkResourceMetadata(who, metadata);
  if (Object.keys(resolved.labels).length === 0 && Object.keys(resolved.annotations).length === 0) return resolved;
  for (const obj of objects) {
    const current = obj.metadata.toJson() as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    const where = `${obj.kind} ${current.namespace ? `${current.namespace}/` : ''}${current.name ?? obj.node.path}`;
    for (const field of ['labels', 'annotations'] as const) {
      for (const [key, value] of Object.entries(resolved[field])) {
        const mine = ownValue(current[field] ?? {}, key);
        if (mine !== undefined && mine !== value) {
          throw new NetsecError('INVALID', `${who}: metadata.${field} '${key}' is '${echo(value)}', but netsec sets it to '${mine}' on ${where}; leave it out of metadata.${field}.`);
        }
      }
    }
    for (const [key, value] of Object.entries(resolved.labels)) obj.metadata.addLabel(key, value);
    for (const [key, value] of Object.entries(resolved.annotations)) obj.metadata.addAnnotation(key, value);
  }
  return resolved;
}
