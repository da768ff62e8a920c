import { BlockChange, BlockShard, ShardChange, blockShardOf, compareBlocks, shardKey } from './blocks.js';
import { Json } from './netsec-yaml.js';
import { ManifestValidator } from '../core/validation/manifest-validator.js';
import { ObjectRef, PlanFile, PlanObject, readPlanFile, targetOfHeader } from './objects.js';
import { PreviousEntry } from './previous-output.js';

/** One changed field inside an object. Lists of scalars (CIDRs, FQDNs) are compared as sets: added/removed entries. */
export interface FieldChange {
  /** Dotted path, e.g. `spec.egressDeny[0].toCIDRSet`; '' for the whole value. */
  readonly path: string;
  readonly added?: number;
  readonly removed?: number;
  readonly before?: Json;
  readonly after?: Json;
}

/** What happens to one object. */
export interface ObjectChange {
  readonly action: 'add' | 'remove' | 'change';
  /** `Kind.group namespace/name` (see `labelOf`), or `document N` for a document that is not a Kubernetes object. */
  readonly object: string;
  /** Group, kind, namespace and name; absent for documents that are not Kubernetes objects. */
  readonly ref?: ObjectRef;
  readonly fields: FieldChange[];
  /**
   * Changes the API server refuses as an update (a CRD rule that compares with the stored copy, such as an immutable
   * `redirectFrontend`): applying fails until the object is deleted and created anew. Absent when there are none.
   */
  readonly refused?: readonly { readonly path: string; readonly message: string }[];
}

/** What happens to one file of the output tree. */
export interface FileChange {
  readonly path: string;
  readonly action: 'add' | 'remove' | 'change';
  readonly objects: ObjectChange[];
  /** Why a file changes beyond its objects: header comments, formatting, a symlink or unreadable YAML replaced. */
  readonly notes: string[];
}

/** Counts over the whole plan. */
export interface PlanSummary {
  readonly filesAdded: number;
  readonly filesChanged: number;
  readonly filesRemoved: number;
  readonly filesUnchanged: number;
  readonly objectsAdded: number;
  readonly objectsChanged: number;
  readonly objectsRemoved: number;
  /** Changed objects the API server would refuse to update in place (see `ObjectChange.refused`). */
  readonly objectsToReplace: number;
  /** Sums over `blocks` (each target counts its own copy of a block). */
  readonly prefixesAdded: number;
  readonly prefixesRemoved: number;
}

/** The whole plan: what `synth` would change in the output folder, as `terraform plan` does. */
export interface Plan {
  /** Whether synth would change any byte of the output folder (the `--detailed-exitcode` answer). */
  readonly changes: boolean;
  readonly files: FileChange[];
  /** Per target and block: prefixes added and removed, and which shards were added, removed or moved. */
  readonly blocks: BlockChange[];
  readonly summary: PlanSummary;
}

/** A file synthesis would write. */
export interface NextFile {
  readonly path: string;
  readonly content: string;
}

function isScalar(x: Json): boolean {
  return x === null || typeof x !== 'object';
}

function isMap(x: Json): x is { [k: string]: Json } {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Deep equality of JSON values, ignoring the order of object keys (YAML maps have none). */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k]!, b[k]!));
  }
  return false;
}

/** Entries of a list of scalars, as set members: strings as they are (the common case: prefixes), others as JSON. */
function members(list: readonly Json[]): Set<string> {
  return new Set(list.map((x) => (typeof x === 'string' ? x : `\u0000${JSON.stringify(x)}`)));
}

/** Field-level differences between two versions of a value. */
export function diffValues(before: Json, after: Json, path = ''): FieldChange[] {
  if (sameJson(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after) && before.every(isScalar) && after.every(isScalar)) {
    const b = members(before);
    const a = members(after);
    let added = 0;
    let removed = 0;
    for (const x of a) if (!b.has(x)) added++;
    for (const x of b) if (!a.has(x)) removed++;
    // Same members in another order (or repeated): a real change of the list, shown as a value change.
    if (added === 0 && removed === 0) return [{ path, before, after }];
    return [{ path, added, removed }];
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffValues(b, after[i]!, `${path}[${i}]`));
  }
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k] ?? null, after[k] ?? null, path ? `${path}.${k}` : k));
  }
  return [{ path, before, after }];
}

function headerLines(header: string): string[] {
  return header.split('\n').filter((l) => l !== '');
}

function describe(o: PlanObject, action: ObjectChange['action'], fields: FieldChange[] = [], refused: ObjectChange['refused'] = []): ObjectChange {
  return { action, object: o.label, ...(o.ref ? { ref: o.ref } : {}), fields, ...(refused.length ? { refused } : {}) };
}

/** The object without its CIDR list: the list is compared per block, the rest field by field. Never reads the list. */
function withoutList(value: Json, field: string): Json {
  if (!isMap(value) || !isMap(value.spec ?? null)) return value;
  const spec = value.spec as { [k: string]: Json };
  const copy: { [k: string]: Json } = {};
  // Not a spread: that would read the list, and a list the fast reader left in the text would make its strings.
  for (const k of Object.keys(spec)) copy[k] = k === field ? null : spec[k]!;
  return { ...value, spec: copy };
}

/**
 * Field changes of one object. The entry list of a CIDR shard is not diffed again here: its counts come from the
 * block comparison (entries added = prefixes new to the block + entries moved in from other shards).
 */
function diffObject(target: string, old: PlanObject, now: PlanObject, shards: ReadonlyMap<string, ShardChange>): FieldChange[] {
  const list = blockShardOf(target, now);
  // Same key, so `old` is the same kind of list.
  const shard = list && shards.get(shardKey(target, list.group, list.kind, list.name));
  if (!list || !shard) return diffValues(old.value, now.value);
  const fields = diffValues(withoutList(old.value, list.field), withoutList(now.value, list.field));
  const added = shard.prefixesAdded + shard.movedIn;
  const removed = shard.prefixesRemoved + shard.movedOut;
  if (added || removed) fields.push({ path: `spec.${list.field}`, added, removed });
  else if (!sameJson((old.value as { spec: { [k: string]: Json } }).spec[list.field] ?? null, (now.value as { spec: { [k: string]: Json } }).spec[list.field] ?? null)) {
    fields.push(...diffValues(old.value, now.value).filter((c) => c.path.startsWith(`spec.${list.field}`)));
  }
  return fields.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Object-level comparison of two versions of one file. Objects with the same text are equal without a field diff. */
function diffFile(path: string, before: PlanFile | undefined, after: PlanFile | undefined, shards: ReadonlyMap<string, ShardChange>): { objects: ObjectChange[]; notes: string[] } {
  const target = targetOf(path);
  const oldObjects = new Map((before?.objects ?? []).map((o) => [o.key, o]));
  const newKeys = new Set((after?.objects ?? []).map((o) => o.key));
  const objects: ObjectChange[] = [];
  // The new file is the one synth writes now, so its header names the target's versions, and with them the CRDs.
  let validator: ManifestValidator | null | undefined;
  const refusedUpdates = (old: PlanObject, now: PlanObject): ObjectChange['refused'] => {
    if (!now.ref || !isMap(old.value) || !isMap(now.value)) return [];
    if (validator === undefined) {
      const t = after && targetOfHeader(after.header);
      validator = t ? new ManifestValidator(t) : null;
    }
    return validator ? validator.refusedUpdates(old.value, now.value).map((f) => ({ path: f.path, message: f.message })) : [];
  };
  for (const o of after?.objects ?? []) {
    const old = oldObjects.get(o.key);
    if (!old) objects.push(describe(o, 'add'));
    else if (old.text !== o.text) {
      const fields = diffObject(target, old, o, shards);
      if (fields.length) objects.push(describe(o, 'change', fields, refusedUpdates(old, o)));
    }
  }
  for (const o of before?.objects ?? []) if (!newKeys.has(o.key)) objects.push(describe(o, 'remove'));
  const notes: string[] = [];
  if (before?.unreadable) notes.push(`the previous file is not valid YAML (${before.unreadable}); synth replaces it`);
  if (before && after && !before.unreadable) {
    const oldHeader = headerLines(before.header);
    const newHeader = headerLines(after.header);
    if (oldHeader.join('\n') !== newHeader.join('\n')) {
      const removed = oldHeader.filter((l) => !newHeader.includes(l));
      const added = newHeader.filter((l) => !oldHeader.includes(l));
      notes.push(`header comments: ${added.length} line(s) added, ${removed.length} removed`);
    }
    if (objects.length === 0 && oldHeader.join('\n') === newHeader.join('\n')) {
      notes.push('same objects; only formatting or object order differs');
    }
  }
  return { objects, notes };
}

/** The target folder of an output path (`aks/egress-blocking.yaml` -> `aks`). */
function targetOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function listsOf(path: string, file: PlanFile | undefined): BlockShard[] {
  const target = targetOf(path);
  return (file?.objects ?? []).flatMap((o) => blockShardOf(target, o) ?? []);
}

/**
 * Compares the files synthesis would write with the previous output folder. Files with the same bytes are equal
 * without being parsed; the others are read (netsec's own files by the fast reader), compared object by object
 * (keyed by group, kind, namespace and name), and their CIDR shards are compared per block (see `blocks.ts`).
 */
export function computePlan(previous: ReadonlyMap<string, PreviousEntry>, next: readonly NextFile[]): Plan {
  const pending: { path: string; action: FileChange['action']; before?: PlanFile; after?: PlanFile; notes: string[] }[] = [];
  let unchanged = 0;
  const nextPaths = new Set(next.map((f) => f.path));
  for (const f of next) {
    const old = previous.get(f.path);
    if (old?.type === 'file' && old.text === f.content) {
      unchanged++;
      continue;
    }
    const notes =
      old?.type === 'symlink' ? [`a symbolic link (to ${old.target}) now; synth writes a regular file`] : old?.type === 'other' ? ['not a regular file now; synth writes a regular file'] : [];
    pending.push({ path: f.path, action: old ? 'change' : 'add', ...(old?.type === 'file' ? { before: readPlanFile(old.text) } : {}), after: readPlanFile(f.content), notes });
  }
  for (const [path, old] of previous) {
    if (nextPaths.has(path)) continue;
    const before = old.type === 'file' ? readPlanFile(old.text) : undefined;
    const notes = old.type === 'symlink' ? [`a symbolic link (to ${old.target})`] : old.type === 'other' ? ['not a regular file'] : before?.unreadable ? [`not valid YAML (${before.unreadable})`] : [];
    pending.push({ path, action: 'remove', ...(before ? { before } : {}), notes });
  }
  const blocks = compareBlocks(
    pending.flatMap((p) => listsOf(p.path, p.before)),
    pending.flatMap((p) => listsOf(p.path, p.after)),
  );
  const shards = new Map<string, ShardChange>();
  for (const b of blocks) for (const s of b.shards) shards.set(shardKey(b.target, b.group, b.kind, s.name), s);
  const files: FileChange[] = pending.map((p) => {
    const { objects, notes } = diffFile(p.path, p.before, p.after, shards);
    // A removed file's unreadable YAML is already said in its own note.
    return { path: p.path, action: p.action, objects, notes: [...p.notes, ...(p.action === 'remove' ? [] : notes)] };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const objects = files.flatMap((f) => f.objects);
  const count = <T>(xs: readonly T[], pred: (x: T) => boolean): number => xs.filter(pred).length;
  return {
    changes: files.length > 0,
    files,
    blocks,
    summary: {
      filesAdded: count(files, (f) => f.action === 'add'),
      filesChanged: count(files, (f) => f.action === 'change'),
      filesRemoved: count(files, (f) => f.action === 'remove'),
      filesUnchanged: unchanged,
      objectsAdded: count(objects, (o) => o.action === 'add'),
      objectsChanged: count(objects, (o) => o.action === 'change'),
      objectsRemoved: count(objects, (o) => o.action === 'remove'),
      objectsToReplace: count(objects, (o) => o.refused !== undefined),
      prefixesAdded: blocks.reduce((n, b) => n + b.prefixesAdded, 0),
      prefixesRemoved: blocks.reduce((n, b) => n + b.prefixesRemoved, 0),
    },
  };
}
