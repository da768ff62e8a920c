import { parseAllDocuments } from 'yaml';
import { Target } from '../core/target.js';
import { PRODUCT_NAMES, Product } from '../core/versions.js';
import { emitYaml } from '../core/yaml-emitter.js';
import { Json, readNetsecYaml, splitHeader } from './netsec-yaml.js';

/** Who a Kubernetes object is: API group (not version: the API server serves one object under every version), kind, namespace, name. */
export interface ObjectRef {
  readonly apiVersion: string;
  /** '' for the core group (`v1`). */
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  /** '' for objects without a name (a `Kustomization`). */
  readonly name: string;
}

/** One document of an output file. */
export interface PlanObject {
  /** Identity inside a file: group, kind, namespace and name; documents that are not Kubernetes objects by position. */
  readonly key: string;
  /** How plans print it: `Kind.group namespace/name` (kubectl's `resource.group` style), or `document N`. */
  readonly label: string;
  /** Undefined for documents that are not Kubernetes objects (Helm values). */
  readonly ref?: ObjectRef;
  readonly value: Json;
  /** The object as netsec's emitter writes it: two objects are equal exactly when these texts are. */
  readonly text: string;
}

/** What a file holds. */
export interface PlanFile {
  /** The leading comment lines. */
  readonly header: string;
  readonly objects: PlanObject[];
  /** `netsec`: read by the fast reader of netsec's own output; `yaml`: by the general parser (a file netsec did not write as it is). */
  readonly reader: 'netsec' | 'yaml';
  /** Set when the file is not valid YAML: `line:col: reason`. Then `objects` is empty. */
  readonly unreadable?: string;
}

/** `cilium.io/v2` -> `cilium.io`; `v1` -> ''. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `CiliumCIDRGroup.cilium.io geo-block`, `ConfigMap kube-system/coredns`, `Kustomization.kustomize.config.k8s.io`. */
export function labelOf(ref: ObjectRef): string {
  const type = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  if (!ref.name) return type;
  return `${type} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function refOf(value: Json): ObjectRef | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return undefined;
  const meta = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined;
  return { apiVersion, group: groupOf(apiVersion), kind, name, ...(namespace ? { namespace } : {}) };
}

/** The emitter's text of a value; values it cannot write (a hand-edited `.inf`) fall back to JSON, which still compares. */
function canonicalText(value: Json): string {
  try {
    return emitYaml(value);
  } catch {
    return JSON.stringify(value);
  }
}

function toObjects(docs: ReadonlyArray<{ value: Json; text?: string }>): PlanObject[] {
  const seen = new Map<string, number>();
  const out: PlanObject[] = [];
  docs.forEach((doc, index) => {
    const ref = refOf(doc.value);
    let key = ref ? JSON.stringify([ref.group, ref.kind, ref.namespace ?? '', ref.name]) : `document ${index + 1}`;
    let label = ref ? labelOf(ref) : `document ${index + 1}`;
    // A hand-edited file can hold one object twice; keep both rather than let one hide the other.
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) {
      key = `${key} #${n}`;
      label = `${label} (copy ${n})`;
    }
    out.push({ key, label, ...(ref ? { ref } : {}), value: doc.value, text: doc.text ?? canonicalText(doc.value) });
  });
  return out;
}

/**
 * Reads one output file: netsec's own files through the fast reader, anything else through the `yaml` library. Never
 * throws on bad content: a file that is not valid YAML comes back with `unreadable` set.
 */
/**
 * The target a file of netsec's output was written for, as its header names it (`# Target: aks (Kubernetes 1.30,
 * Cilium 1.17)`, see core/synth.ts `fileHeader`); undefined for a header that names none.
 */
export function targetOfHeader(header: string): Target | undefined {
  const m = /^# Target: ([a-z0-9-]+) \((.*)\)$/m.exec(header);
  if (!m) return undefined;
  const versions: Partial<Record<Product, string>> = {};
  for (const part of m[2]!.split(', ')) {
    const product = Object.values(Product).find((p) => part.startsWith(`${PRODUCT_NAMES[p]} `));
    if (product) versions[product] = part.slice(PRODUCT_NAMES[product].length + 1);
  }
  try {
    return new Target({ name: m[1]!, ...versions });
  } catch {
    return undefined;
  }
}

export function readPlanFile(text: string): PlanFile {
  const fast = readNetsecYaml(text);
  if (fast) return { header: fast.header, objects: toObjects(fast.documents), reader: 'netsec' };
  const { header } = splitHeader(text);
  try {
    const docs: Json[] = [];
    // logLevel 'error': the library's own warnings go to the console and would echo raw input past netsec's renderer.
    for (const doc of parseAllDocuments(text, { logLevel: 'error' })) {
      const problem = doc.errors[0];
      if (problem) {
        const pos = problem.linePos?.[0];
        // yaml's message repeats the position (' at line 2, column 1:') before a code frame; keep the reason only.
        const reason = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { header, objects: [], reader: 'yaml', unreadable: `${pos ? `${pos.line}:${pos.col}: ` : ''}${reason}` };
      }
      // yaml's default alias limit (100 expansions) stops alias bombs; the error lands in the catch below.
      const value = doc.toJS() as Json;
      if (value !== null && value !== undefined) docs.push(value);
    }
    return { header, objects: toObjects(docs.map((value) => ({ value }))), reader: 'yaml' };
  } catch (err) {
    return { header, objects: [], reader: 'yaml', unreadable: (err as Error).message.split('\n')[0] ?? 'cannot be read' };
  }
}
