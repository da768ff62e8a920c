import { SourceLocation, formatLocation } from '../errors.js';

/** The object a finding is about. */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One problem with one synthesized object. */
export interface ValidationFinding {
  /** The lint rule that found it (`k8s/duplicate-object`); undefined for schema findings. */
  readonly ruleId?: string;
  /** Where the user described the object (a netsec.yaml entry, a manifest file), when known. */
  readonly location?: SourceLocation;
  readonly resource: ResourceRef;
  /** Dotted JSON path inside the object, e.g. `spec.egressDeny[0].toCIDRSet[0].cidrGroupRef`; '' for the object. */
  readonly path: string;
  readonly message: string;
  /** The construct that produced the object, when known. */
  readonly constructPath?: string;
}

/** `Kind namespace/name` or `Kind name`. */
export function describeResource(ref: ResourceRef): string {
  return `${ref.kind} '${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}'`;
}

/**
 * The one-line form every CLI and test prints: `Kind 'ns/name' at spec.x: message`, prefixed with `file:line:col: `
 * when the object's source is known and followed by ` [rule-id]` for lint findings.
 */
export function formatFinding(f: ValidationFinding): string {
  const where = f.location ? `${formatLocation(f.location)}: ` : '';
  return `${where}${describeResource(f.resource)}${f.path ? ` at ${f.path}` : ''}: ${f.message}${f.ruleId ? ` [${f.ruleId}]` : ''}`;
}

/** The ResourceRef of a manifest object (tolerant of malformed input). */
export function refOf(obj: Record<string, unknown>): ResourceRef {
  const metadata = (obj.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = fieldText(metadata.namespace);
  return {
    apiVersion: fieldText(obj.apiVersion),
    kind: fieldText(obj.kind),
    name: fieldText(metadata.name),
    ...(namespace ? { namespace } : {}),
  };
}

/**
 * An identifying field (apiVersion, kind, name, namespace) as messages and identities use it: a string as it is, a
 * missing one as '', anything else as JSON. A template's `{{ .Name }}` reads as a map, and '[object Object]' would
 * say nothing and make two different such objects look like one.
 */
export function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : JSON.stringify(v) ?? String(v);
}

/** ajv's `/spec/egress/0/toPorts` as `spec.egress[0].toPorts`. */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}
