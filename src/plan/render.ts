import { escapeControls, formatCount, truncate } from '../core/errors.js';
import { BlockChange, ShardChange } from './blocks.js';
import { FieldChange, ObjectChange, Plan } from './diff.js';

const SIGN = { add: '+', remove: '-', change: '~', move: '~' } as const;
/** Fields listed per object, and shards with prefix changes listed per block, before the rest is summarized. */
const MAX_FIELDS = 20;
const MAX_CHANGED_SHARDS = 5;
/** Shards added, removed or moved named per block (a first plan of a large feed adds hundreds). */
const MAX_NAMED_SHARDS = 10;
/** A value printed in a field change is cut after this many characters (a hand-edited file can hold megabytes). */
const MAX_VALUE_CHARS = 200;

const f = formatCount;

/** Names and values from a hand-edited file are shown with control characters escaped, never sent to the terminal. */
const safe = escapeControls;

function value(v: unknown): string {
  return safe(truncate(JSON.stringify(v) ?? 'null', MAX_VALUE_CHARS));
}

function field(c: FieldChange): string {
  const path = safe(c.path || '(value)');
  return c.added !== undefined ? `${path}: +${f(c.added)} / -${f(c.removed ?? 0)} entries` : `${path}: ${value(c.before)} -> ${value(c.after)}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${f(n)} ${n === 1 ? one : many}`;
}

function shardLine(s: ShardChange): string {
  const moved = (n: number, dir: 'from' | 'to'): string => (n ? `${f(n)} moved ${dir} other shards` : '');
  const real = (a: number, r: number): string => (a || r ? `prefixes +${f(a)} / -${f(r)}` : '');
  const parts = (...xs: string[]): string => xs.filter(Boolean).join(', ');
  switch (s.action) {
    case 'add':
      return `+ ${safe(s.name)}: ${plural(s.entriesAfter, 'entry', 'entries')}; ${parts(moved(s.movedIn, 'from'), real(s.prefixesAdded, 0)) || 'no prefixes'}`;
    case 'remove':
      return `- ${safe(s.name)}: ${plural(s.entriesBefore, 'entry', 'entries')}; ${parts(moved(s.movedOut, 'to'), real(0, s.prefixesRemoved)) || 'no prefixes'}`;
    case 'move':
      return `~ ${safe(s.name)}: boundary moved, no prefix added or removed; ${parts(moved(s.movedIn, 'from'), moved(s.movedOut, 'to'))}`;
    case 'change':
      return `~ ${safe(s.name)}: ${parts(real(s.prefixesAdded, s.prefixesRemoved), moved(s.movedIn, 'from'), moved(s.movedOut, 'to')) || 'labels or metadata changed'}`;
  }
}

/** `shards: 1 added, 1 removed, 24 changed, 3 unchanged`: the kinds of change the block has. */
function blockCounts(b: BlockChange): string {
  const n = (a: ShardChange['action']): number => b.shards.filter((s) => s.action === a).length;
  const parts: Array<[number, string]> = [
    [n('add'), 'added'],
    [n('remove'), 'removed'],
    [n('move'), 'moved by a boundary'],
    [n('change'), 'changed'],
    [b.shardsUnchanged, 'unchanged'],
  ];
  const total = b.shards.length + b.shardsUnchanged;
  return `${plural(total, 'shard')}: ${parts.filter(([k]) => k > 0).map(([k, what]) => `${f(k)} ${what}`).join(', ')}`;
}

function blockTitle(b: BlockChange): string {
  return `${b.ownedBy === 'label' || b.shards.length + b.shardsUnchanged > 1 ? 'egress block' : 'CIDR list'} ${safe(b.block)}`;
}

/** The lines of one block inside a file: named shards that were added, removed or moved; changed ones up to a few. */
function blockLines(b: BlockChange): string[] {
  const lines = [`    ~ ${blockTitle(b)} (${b.kind}.${b.group}): +${f(b.prefixesAdded)} / -${f(b.prefixesRemoved)} prefixes; ${blockCounts(b)}`];
  const word = { add: 'added', remove: 'removed', move: 'moved by a boundary', change: 'changed' } as const;
  for (const action of ['add', 'remove', 'move'] as const) {
    const shards = b.shards.filter((s) => s.action === action);
    for (const s of shards.slice(0, MAX_NAMED_SHARDS)) lines.push(`        ${shardLine(s)}`);
    if (shards.length > MAX_NAMED_SHARDS) lines.push(`        ${SIGN[action]} ${f(shards.length - MAX_NAMED_SHARDS)} more shards ${word[action]} (--output json lists each)`);
  }
  const changed = b.shards.filter((s) => s.action === 'change');
  if (changed.length <= MAX_CHANGED_SHARDS) {
    for (const s of changed) lines.push(`        ${shardLine(s)}`);
  } else {
    const added = changed.reduce((n, s) => n + s.prefixesAdded, 0);
    const removed = changed.reduce((n, s) => n + s.prefixesRemoved, 0);
    lines.push(`        ~ ${f(changed.length)} shards with prefixes added or removed: +${f(added)} / -${f(removed)} (--output json lists each)`);
  }
  return lines;
}

function objectLines(o: ObjectChange): string[] {
  const lines = [o.refused ? `    -/+ ${safe(o.object)} (must be replaced: the API server refuses this change as an update)` : `    ${SIGN[o.action]} ${safe(o.object)}`];
  for (const r of o.refused ?? []) lines.push(`        ! ${safe(r.path)}: ${safe(r.message)}`);
  for (const c of o.fields.slice(0, MAX_FIELDS)) lines.push(`        ${field(c)}`);
  if (o.fields.length > MAX_FIELDS) lines.push(`        ... and ${o.fields.length - MAX_FIELDS} more fields (--output json lists each)`);
  return lines;
}

/**
 * Renders a plan as text: each file with its objects and fields; shards grouped under their block; then one line
 * per block with its prefix totals, and the summary line.
 */
export function renderPlan(plan: Plan, out: string): string {
  const shardOf = new Map<string, BlockChange>();
  for (const b of plan.blocks) for (const s of b.shards) shardOf.set(JSON.stringify([b.target, b.group, b.kind, s.name]), b);
  const lines: string[] = [];
  for (const file of plan.files) {
    lines.push(`${SIGN[file.action]} ${safe(`${out}/${file.path}`)}`);
    for (const note of file.notes) lines.push(`    (${safe(note)})`);
    const target = file.path.includes('/') ? file.path.slice(0, file.path.indexOf('/')) : '';
    const shown = new Set<BlockChange>();
    for (const o of file.objects) {
      const block = o.ref && shardOf.get(JSON.stringify([target, o.ref.group, o.ref.kind, o.ref.name]));
      if (!block) lines.push(...objectLines(o));
      else if (!shown.has(block)) {
        shown.add(block);
        lines.push(...blockLines(block));
      }
    }
  }
  const s = plan.summary;
  if (!plan.changes) {
    lines.push(`No changes: ${out}/ matches the configuration (${plural(s.filesUnchanged, 'file')}).`);
    return lines.join('\n') + '\n';
  }
  if (plan.blocks.length) {
    lines.push('', "Prefixes per block (all shards of a block compared as one set, as 'netsec cidrs diff' counts them):");
    for (const b of plan.blocks) {
      lines.push(
        `  ${safe(b.target)}: ${blockTitle(b)} (${b.kind}): +${f(b.prefixesAdded)} / -${f(b.prefixesRemoved)} prefixes (${f(b.prefixesBefore)} -> ${f(b.prefixesAfter)}); ${blockCounts(b)}`,
      );
    }
  }
  if (s.objectsToReplace) {
    lines.push(
      `Warning: ${plural(s.objectsToReplace, 'object')} cannot be updated in place (-/+ above): kubectl apply and GitOps syncs fail on ${s.objectsToReplace === 1 ? 'it' : 'them'} until ${s.objectsToReplace === 1 ? 'it is' : 'they are'} deleted and created anew (kubectl replace --force -f FILE).`,
    );
  }
  lines.push(
    `Plan: ${f(s.filesAdded)} file(s) to add, ${f(s.filesChanged)} to change, ${f(s.filesRemoved)} to remove; ` +
      `${f(s.objectsAdded)} object(s) to add, ${f(s.objectsChanged)} to change, ${f(s.objectsRemoved)} to remove; ` +
      `prefixes +${f(s.prefixesAdded)} / -${f(s.prefixesRemoved)}.`,
  );
  return lines.join('\n') + '\n';
}
