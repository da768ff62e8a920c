import { Document, LineCounter, Node, Scalar, isAlias, isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import { SourceLocation } from '../core/errors.js';
import { MAX_ALIAS_COUNT } from '../config/load.js';
import type { ManifestValidator } from '../core/validation/manifest-validator.js';
import { firstForeignTag, yamlSyntaxMessage } from '../core/text-input.js';

/** One YAML document of a manifest file, with what is needed to point at any of its fields. */
export interface ManifestDocument {
  /** The file as messages name it. */
  readonly file: string;
  /** The document as plain JSON; undefined when it could not be read (see `error`) or is empty. */
  readonly value?: unknown;
  /** Where the document's content starts (after comments and `---`). */
  readonly location: SourceLocation;
  /** Why the document could not be read, at the place the parser stopped. */
  readonly error?: { readonly location: SourceLocation; readonly message: string };
  /** `file:line:col` of the field at a dotted path (`spec.egress[0].toPorts`); see `locateField`. */
  locate(path: string): SourceLocation;
}

/**
 * Every document of a multi-document YAML text, in order. Empty documents (a trailing `---`) are left out. A list of
 * objects (`kind: List` or `<Kind>List` with `items`, what `kubectl get -o yaml` prints) counts as one document per
 * item, located at the item, so every reader checks what the list holds rather than the list.
 */
export function parseManifestDocuments(text: string, file: string): ManifestDocument[] {
  const lines = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const out: ManifestDocument[] = [];
  // logLevel 'error': the yaml library would print its warnings (which quote the input) past netsec's renderer.
  // merge: the `<<` merge keys of YAML 1.1, which kubectl's parser (go-yaml v2) expands: `{<<: *base}` is a valid manifest.
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error', merge: true })) {
    const location = at(doc.contents?.range?.[0] ?? doc.range[0]);
    const locate = (path: string): SourceLocation => at(locateField(doc, path, text) ?? doc.contents?.range?.[0] ?? doc.range[0]);
    // A Map, Set, Buffer or Date from !!omap, !!set, !!binary or !!timestamp is no JSON value the API server would store.
    const problem = doc.errors[0] ?? firstForeignTag(doc, text);
    if (problem) {
      // Where the parser stopped (or the tag is), not where the document starts.
      out.push({ file, location, locate, error: { location: at(problem.pos[0]), message: yamlSyntaxMessage(problem) } });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // An alias bomb or an alias without its anchor: the yaml library refuses it without a position.
      if (!(err instanceof ReferenceError)) throw err;
      out.push({ file, location, locate, error: { location, message: `invalid YAML: ${err.message}` } });
      continue;
    }
    if (value === null || value === undefined) continue;
    out.push(...listItems({ file, value, location, locate }));
  }
  return out;
}

/**
 * A document, or the items of a `kind: List` in it, each located: lists inside lists are flattened, as kubectl's
 * resource builder does, so that their objects are judged too.
 */
function listItems(doc: ManifestDocument & { readonly value: unknown }): ManifestDocument[] {
  if (!isObjectList(doc.value)) return [doc];
  return doc.value.items.flatMap((item, i) => {
    const locate = (path: string): SourceLocation => doc.locate(`items[${i}]${path === '' || path.startsWith('[') ? '' : '.'}${path}`);
    return listItems({ file: doc.file, value: item, location: locate(''), locate });
  });
}

/**
 * Why a document is not a Kubernetes object, or undefined when it is one (a map with a non-empty apiVersion and kind):
 * `validate` and the scenario reader refuse such documents in these words.
 */
export function notAnObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a Kubernetes object (a map with apiVersion, kind and metadata), found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : 'a scalar'}`;
  }
  const object = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof object[k] !== 'string' || object[k] === '');
  return missing.length ? `no ${missing.join(' and no ')}; expected a Kubernetes object (apiVersion, kind, metadata)` : undefined;
}

/** `kind: List` (or a typed list such as `ConfigMapList`) with an `items` array. */
function isObjectList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown } | null;
  return v !== null && typeof v === 'object' && typeof v.kind === 'string' && /^(?:[A-Z][A-Za-z0-9]*)?List$/.test(v.kind) && Array.isArray(v.items);
}

/**
 * The source offset of the field at a dotted path (`metadata.labels.app.kubernetes.io/name`, `spec.egress[0]`) in
 * a parsed document: a map entry's key (where an editor should put the cursor to fix or delete it), a list item
 * itself. A path that leaves the document (a missing required field) stops at the deepest node that exists, so a
 * finding is never placed further away than its parent. Keys may contain dots, so a map step takes the longest key
 * the rest of the path starts with, rather than splitting the path first. With the document's `text`, a path that
 * goes on into YAML held in a string (`data.flowlogs.yaml#flowLogs[0].filePath`, a ConfigMap's embedded file) is
 * followed into it when the string is a literal block (`|`), whose lines stand in the file as they are.
 */
export function locateField(doc: Document, path: string, text?: string): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  let rest = path;
  while (rest !== '') {
    if (isAlias(node)) node = node.resolve(doc);
    if (rest.startsWith('[')) {
      const m = /^\[(\d+)\]/.exec(rest);
      if (!m || !isSeq(node)) break;
      const item = node.items[Number(m[1])] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
      rest = rest.slice(m[0].length);
    } else {
      if (rest.startsWith('.')) rest = rest.slice(1);
      if (rest.startsWith('#')) {
        const inner = text !== undefined && isScalar(node) ? locateInBlock(node, rest.slice(1), text) : undefined;
        return inner ?? offset;
      }
      if (!isMap(node)) break;
      let best: { pair: (typeof node.items)[number]; length: number } | undefined;
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined || !rest.startsWith(key)) continue;
        const next = rest[key.length];
        if ((next === undefined || next === '.' || next === '[' || next === '#') && (!best || key.length > best.length)) best = { pair, length: key.length };
      }
      if (!best) break;
      offset = (best.pair.key as Node).range?.[0] ?? offset;
      node = best.pair.value;
      rest = rest.slice(best.length);
    }
  }
  return offset;
}

/**
 * The source offset of the field at `path` in YAML held by a literal block scalar (`|`), or undefined. Each line of
 * the block stands in the file at the block's indentation; the string is checked against the file line by line, so a
 * block whose lines do not read back as its value (escapes, folding) is not guessed at.
 */
function locateInBlock(node: Scalar, path: string, text: string): number | undefined {
  if (node.type !== 'BLOCK_LITERAL' || typeof node.value !== 'string' || !node.range) return undefined;
  const source = text.slice(node.range[0], node.range[1]);
  const header = source.indexOf('\n');
  if (header < 0) return undefined;
  const lines = source.slice(header + 1).split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  const valueLines = node.value.split('\n');
  const starts: number[] = [];
  let at = node.range[0] + header + 1;
  for (let i = 0; i < valueLines.length && i < lines.length; i++) {
    if (lines[i]!.trim() !== '' && lines[i]!.slice(indent) !== valueLines[i]) return undefined;
    starts.push(at + indent);
    at += lines[i]!.length + 1;
  }
  const inner = new LineCounter();
  const doc = parseDocument(node.value, { lineCounter: inner, prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length) return undefined;
  const offset = locateField(doc, path);
  if (offset === undefined) return undefined;
  const pos = inner.linePos(offset);
  const start = starts[pos.line - 1];
  return start === undefined ? undefined : start + pos.col - 1;
}

/**
 * The object with `metadata.namespace` set to `namespace` when its kind is namespaced and it names none (a copy; the
 * input is unchanged), as `kubectl apply -n` and kustomize's `namespace:` supply it. Other objects are returned as they are.
 */
export function defaultNamespace(object: Record<string, unknown>, namespace: string, validator: ManifestValidator): Record<string, unknown> {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return object;
  if ((metadata as Record<string, unknown>).namespace !== undefined) return object;
  if (validator.scopeOf(String(object.apiVersion ?? ''), String(object.kind ?? '')) !== 'Namespaced') return object;
  return withMetadata(object, { namespace });
}

/** A copy of the object with `fields` set in its metadata (an object without a metadata map is returned as it is). */
export function withMetadata(object: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return object;
  return { ...object, metadata: { ...metadata, ...fields } };
}
