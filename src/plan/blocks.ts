/**
 * Prefix totals per egress block. A block's prefixes are spread over shards (CiliumCIDRGroups, GlobalNetworkSets)
 * whose boundaries can move from one day to the next; a prefix that moved from one shard to the next was neither
 * added nor removed. So a block is compared as a whole: all prefixes of its shards before and after, sorted by
 * address and merged as `netsec cidrs diff` merges two aggregated feeds (netsec writes every list canonical and
 * aggregated, so the counts are the same). A list holding anything but prefixes (a hand edit) is compared by text.
 * Each shard is then classified: added, removed, moved (its list changed only because a boundary moved) or changed
 * (it holds prefixes really added or removed).
 */
import { PrefixList } from '../cidr/prefix-list.js';
import { Json, PrefixRun, prefixRunOf } from './netsec-yaml.js';
import { PlanObject } from './objects.js';
import { OWNER_LABEL } from '../core/resource-metadata.js';

/** The kinds whose objects hold one shard of a block list, and where the list is. */
const CIDR_LISTS: ReadonlyArray<{ readonly group: string; readonly kind: string; readonly field: 'externalCIDRs' | 'nets' }> = [
  { group: 'cilium.io', kind: 'CiliumCIDRGroup', field: 'externalCIDRs' },
  { group: 'crd.projectcalico.org', kind: 'GlobalNetworkSet', field: 'nets' },
  { group: 'projectcalico.org', kind: 'GlobalNetworkSet', field: 'nets' },
];

// `<block>-<shard id>`, the shard ids of src/cidr/shard.ts: v4-ddd-ddd-ddd-ddd, v6-hhhh-...-hhhh (8 groups).
const SHARD_NAME = /^(.+)-(?:v4(?:-[0-9]{3}){4}|v6(?:-[0-9a-f]{4}){8})$/;

/** One shard object of a block, on one side of the plan. */
export interface BlockShard {
  /** The target folder (first segment of the output path). */
  readonly target: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly block: string;
  /** How the block was found: the owner label, or the object name (`<block>-<shard id>`, or the name itself). */
  readonly ownedBy: 'label' | 'name';
  /** The entries: in place in the file's text (netsec's own files), or strings. */
  readonly list: PrefixRun | readonly string[];
  readonly count: number;
  /** Where the list is in the object: `externalCIDRs` or `nets` under `spec`. */
  readonly field: 'externalCIDRs' | 'nets';
  /** The object's text: unchanged shards are skipped by comparing it. */
  readonly text: string;
}

/** What happened to one shard. */
export interface ShardChange {
  readonly name: string;
  /** `move`: the list changed only because a boundary moved (no prefix added to or removed from the block). */
  readonly action: 'add' | 'remove' | 'move' | 'change';
  readonly entriesBefore: number;
  readonly entriesAfter: number;
  /** Prefixes in this shard that the block did not hold before. */
  readonly prefixesAdded: number;
  /** Prefixes of this shard that the block no longer holds. */
  readonly prefixesRemoved: number;
  /** Entries that came from another shard of the block. */
  readonly movedIn: number;
  /** Entries that went to another shard of the block. */
  readonly movedOut: number;
}

/** What happened to one block (or standalone CIDR list) on one target. */
export interface BlockChange {
  readonly target: string;
  readonly block: string;
  readonly group: string;
  readonly kind: string;
  readonly ownedBy: 'label' | 'name';
  readonly prefixesBefore: number;
  readonly prefixesAfter: number;
  /** Prefixes the block holds now and did not before (set difference, as `netsec cidrs diff` counts). */
  readonly prefixesAdded: number;
  readonly prefixesRemoved: number;
  /** The shards that are not byte-for-byte unchanged, by name. */
  readonly shards: ShardChange[];
  readonly shardsUnchanged: number;
}

function isMap(x: Json | undefined): x is { [k: string]: Json } {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** The shard view of an object (a CiliumCIDRGroup or GlobalNetworkSet), or undefined for any other object. */
export function blockShardOf(target: string, obj: PlanObject): BlockShard | undefined {
  const ref = obj.ref;
  if (!ref || !isMap(obj.value)) return undefined;
  const kind = CIDR_LISTS.find((k) => k.group === ref.group && k.kind === ref.kind);
  if (!kind) return undefined;
  const spec = obj.value.spec;
  let list: PrefixRun | readonly string[] = [];
  if (isMap(spec)) {
    // The run when the fast reader left the list in the text; reading spec[field] would make its strings.
    const run = prefixRunOf(spec, kind.field);
    const value = run ?? spec[kind.field];
    if (value instanceof PrefixRun) list = value;
    else if (Array.isArray(value)) list = value.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  const metadata = obj.value.metadata;
  const labels = isMap(metadata) ? metadata.labels : undefined;
  const owner = isMap(labels) ? labels[OWNER_LABEL] : undefined;
  const byName = SHARD_NAME.exec(ref.name)?.[1] ?? ref.name;
  return {
    target,
    group: ref.group,
    kind: ref.kind,
    name: ref.name,
    block: typeof owner === 'string' && owner ? owner : byName,
    ownedBy: typeof owner === 'string' && owner ? 'label' : 'name',
    list,
    count: list instanceof PrefixRun ? list.count : list.length,
    field: kind.field,
    text: obj.text,
  };
}

/** The entries of a shard as strings (made from the text when the reader left them there). */
export function entriesOf(o: BlockShard): readonly string[] {
  return o.list instanceof PrefixRun ? o.list.entries() : o.list;
}

/** The key of a shard in `shardKey` lookups. */
export function shardKey(target: string, group: string, kind: string, name: string): string {
  return JSON.stringify([target, group, kind, name]);
}

/** Compares the shards of every block before and after; blocks whose shards are all unchanged are left out. */
export function compareBlocks(before: readonly BlockShard[], after: readonly BlockShard[]): BlockChange[] {
  const groups = new Map<string, { before: BlockShard[]; after: BlockShard[] }>();
  const add = (o: BlockShard, side: 'before' | 'after'): void => {
    const key = JSON.stringify([o.target, o.group, o.kind, o.block]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { before: [], after: [] }));
    g[side].push(o);
  };
  for (const o of before) add(o, 'before');
  for (const o of after) add(o, 'after');
  const out: BlockChange[] = [];
  for (const g of groups.values()) {
    const change = compareBlock(g.before, g.after);
    if (change) out.push(change);
  }
  return out.sort((a, b) => cmp(a.target, b.target) || cmp(a.kind, b.kind) || cmp(a.group, b.group) || cmp(a.block, b.block));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct prefixes of a block before and after, and how many were added and removed. */
interface Totals {
  readonly added: number;
  readonly removed: number;
  readonly before: number;
  readonly after: number;
}

/** Per-shard counts, filled by either comparison. */
interface Counts {
  added: number;
  removed: number;
  movedIn: number;
  movedOut: number;
}

/**
 * `text[from, to)` as the IPv4 sort key `address * 64 + length` (exact in a double: below 2^38), or -1 when it is not
 * `a.b.c.d/len`. Hand-written, as is `pushV6At`: they run once per listed prefix on both sides of a plan (a million
 * on a large geo-block), where making a string per prefix for the CIDR engine's parser cost several times more.
 */
function v4KeyAt(text: string, from: number, to: number): number {
  let addr = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = from;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      addr = addr * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c === 47 && digits > 0 && dots === 3) {
      break;
    } else {
      return -1;
    }
  }
  if (i >= to - 1 || to - i > 3) return -1;
  let len = 0;
  for (i++; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    len = len * 10 + (c - 48);
  }
  return len > 32 ? -1 : (addr * 256 + octet) * 64 + len;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Pushes `text[from, to)` to `out` as an IPv6 prefix: up to eight groups of 1-4 hex digits, at most one `::`, then
 * `/len`. False for anything else (an embedded IPv4 tail included); the block is then compared by text.
 * `groups` is scratch space for eight values.
 */
function pushV6At(text: string, from: number, to: number, out: PrefixList, groups: Uint16Array): boolean {
  let slash = to - 1;
  while (slash > from && text.charCodeAt(slash) !== 47) slash--;
  if (slash <= from || to - slash - 1 < 1 || to - slash - 1 > 3) return false;
  let len = 0;
  for (let i = slash + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    len = len * 10 + (c - 48);
  }
  if (len > 128) return false;
  let n = 0;
  let gap = -1;
  let i = from;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < slash) {
    let value = 0;
    let digits = 0;
    for (let h: number; i < slash && (h = hexValue(text.charCodeAt(i))) >= 0; i++) {
      value = value * 16 + h;
      if (++digits > 4) return false;
    }
    if (digits === 0 || n === 8) return false;
    groups[n++] = value;
    if (i === slash) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === slash) {
      return false;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  if (gap >= 0) {
    // Move the groups after '::' to the end and zero the gap.
    const zeros = 8 - n;
    for (let k = n - 1; k >= gap; k--) groups[k + zeros] = groups[k]!;
    for (let k = gap; k < gap + zeros; k++) groups[k] = 0;
  }
  out.pushV6(
    ((groups[0]! << 16) | groups[1]!) >>> 0,
    ((groups[2]! << 16) | groups[3]!) >>> 0,
    ((groups[4]! << 16) | groups[5]!) >>> 0,
    ((groups[6]! << 16) | groups[7]!) >>> 0,
    len,
  );
  return true;
}

/**
 * Every prefix of one side of a block, parsed and sorted by address, with the index of the shard that lists each.
 * netsec writes the lists sorted (shards in address order, each list sorted), so sorting is usually a check.
 */
interface ParsedSide {
  readonly key4: Float64Array;
  readonly shard4: Int32Array;
  /** IPv6 prefixes (four words each), in list order; `order6` sorts them. */
  readonly list6: PrefixList;
  readonly shard6: Int32Array;
  readonly order6: Int32Array;
}

/** Collects the prefixes of one side (a class, not closures: its methods run once per prefix and optimize early). */
class SideBuilder {
  public key4: Float64Array;
  public shard4: Int32Array;
  public n4 = 0;
  public sorted = true;
  public readonly list6 = new PrefixList(16);
  public readonly shard6: Int32Array;
  private readonly groups = new Uint16Array(8);

  public constructor(total: number) {
    this.key4 = new Float64Array(total);
    this.shard4 = new Int32Array(total);
    this.shard6 = new Int32Array(total);
  }

  /** Adds `text[from, to)` of shard `si`; false when it is not a prefix. */
  public add(text: string, from: number, to: number, si: number): boolean {
    const k = v4KeyAt(text, from, to);
    if (k >= 0) {
      if (this.n4 > 0 && k < this.key4[this.n4 - 1]!) this.sorted = false;
      this.key4[this.n4] = k;
      this.shard4[this.n4++] = si;
      return true;
    }
    if (!pushV6At(text, from, to, this.list6, this.groups)) return false;
    this.shard6[this.list6.v6Count - 1] = si;
    return true;
  }

  /** Adds every entry of shard `si`; false when one is not a prefix. */
  public addShard(o: BlockShard, si: number): boolean {
    if (o.list instanceof PrefixRun) {
      const { text, from, to, indent } = o.list;
      for (let p = from; p < to; ) {
        const end = text.indexOf('\n', p);
        if (!this.add(text, p + indent + 2, end, si)) return false;
        p = end + 1;
      }
      return true;
    }
    for (const e of o.list) if (!this.add(e, 0, e.length, si)) return false;
    return true;
  }
}

function parseSide(shards: readonly BlockShard[]): ParsedSide | undefined {
  const b = new SideBuilder(shards.reduce((n, s) => n + s.count, 0));
  // An entry that is not a prefix (a hand edit): the caller compares the texts instead.
  for (let si = 0; si < shards.length; si++) if (!b.addShard(shards[si]!, si)) return undefined;
  let { key4, shard4 } = b;
  const n4 = b.n4;
  if (!b.sorted) {
    const order = new Int32Array(n4).map((_, i) => i).sort((x, y) => key4[x]! - key4[y]!);
    const k = new Float64Array(n4);
    const s = new Int32Array(n4);
    order.forEach((from, to) => {
      k[to] = key4[from]!;
      s[to] = shard4[from]!;
    });
    key4 = k;
    shard4 = s;
  }
  const { list6, shard6 } = b;
  const cmp6 = (x: number, y: number): number => {
    const w = list6.v6Words;
    for (let i = 0; i < 4; i++) {
      const d = w[4 * x + i]! - w[4 * y + i]!;
      if (d !== 0) return d;
    }
    return list6.v6Len[x]! - list6.v6Len[y]!;
  };
  const order6 = new Int32Array(list6.v6Count).map((_, i) => i);
  for (let i = 1; i < order6.length; i++) {
    if (cmp6(i - 1, i) > 0) {
      order6.sort(cmp6);
      break;
    }
  }
  return { key4: key4.subarray(0, n4), shard4: shard4.subarray(0, n4), list6, shard6, order6 };
}

/** Per-shard counters of one comparison, indexed by shard position on each side. */
class ShardCounters {
  public readonly added: Int32Array;
  public readonly movedIn: Int32Array;
  public readonly removed: Int32Array;
  public readonly movedOut: Int32Array;
  public addedTotal = 0;
  public removedTotal = 0;
  public kept = 0;

  /** `sameName[o]`: the index of the new shard named like old shard `o`, or -1. */
  public constructor(oldShards: number, newShards: number, private readonly sameName: Int32Array) {
    this.added = new Int32Array(newShards);
    this.movedIn = new Int32Array(newShards);
    this.removed = new Int32Array(oldShards);
    this.movedOut = new Int32Array(oldShards);
  }

  public both(o: number, n: number): void {
    this.kept++;
    if (this.sameName[o] !== n) {
      this.movedOut[o]!++;
      this.movedIn[n]!++;
    }
  }

  public gone(o: number): void {
    this.removed[o]!++;
    this.removedTotal++;
  }

  public fresh(n: number): void {
    this.added[n]!++;
    this.addedTotal++;
  }
}

/**
 * Merges the sorted prefixes of both sides, as `netsec cidrs diff` does: a prefix on both sides is kept (moved, when
 * another shard lists it now), the others were removed or added. A prefix listed twice on one side counts once.
 */
function mergeV4(a: ParsedSide, b: ParsedSide, c: ShardCounters): void {
  const ka = a.key4;
  const kb = b.key4;
  const n = ka.length;
  const m = kb.length;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const x = i < n ? ka[i]! : Infinity;
    const y = j < m ? kb[j]! : Infinity;
    if (x === y) c.both(a.shard4[i]!, b.shard4[j]!);
    else if (x < y) c.gone(a.shard4[i]!);
    else c.fresh(b.shard4[j]!);
    if (x <= y) while (++i < n && ka[i] === x);
    if (y <= x) while (++j < m && kb[j] === y);
  }
}

function mergeV6(a: ParsedSide, b: ParsedSide, c: ShardCounters): void {
  const cmp = (p: PrefixList, i: number, q: PrefixList, j: number): number => {
    for (let x = 0; x < 4; x++) {
      const d = p.v6Words[4 * i + x]! - q.v6Words[4 * j + x]!;
      if (d !== 0) return d;
    }
    return p.v6Len[i]! - q.v6Len[j]!;
  };
  const n = a.order6.length;
  const m = b.order6.length;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const oi = a.order6[i]!;
    const nj = b.order6[j]!;
    const d = i >= n ? 1 : j >= m ? -1 : cmp(a.list6, oi, b.list6, nj);
    if (d === 0) c.both(a.shard6[oi]!, b.shard6[nj]!);
    else if (d < 0) c.gone(a.shard6[oi]!);
    else c.fresh(b.shard6[nj]!);
    if (d <= 0) while (++i < n && cmp(a.list6, a.order6[i - 1]!, a.list6, a.order6[i]!) === 0);
    if (d >= 0) while (++j < m && cmp(b.list6, b.order6[j - 1]!, b.list6, b.order6[j]!) === 0);
  }
}

/** The comparison of parsed prefixes; undefined when an entry is not a prefix (then the texts are compared). */
function compareParsed(before: readonly BlockShard[], after: readonly BlockShard[], countOf: (name: string) => Counts): Totals | undefined {
  const a = parseSide(before);
  const b = parseSide(after);
  if (!a || !b) return undefined;
  const newIndex = new Map(after.map((s, i) => [s.name, i]));
  const c = new ShardCounters(before.length, after.length, Int32Array.from(before, (s) => newIndex.get(s.name) ?? -1));
  mergeV4(a, b, c);
  mergeV6(a, b, c);
  before.forEach((s, o) => {
    const x = countOf(s.name);
    x.removed += c.removed[o]!;
    x.movedOut += c.movedOut[o]!;
  });
  after.forEach((s, n) => {
    const x = countOf(s.name);
    x.added += c.added[n]!;
    x.movedIn += c.movedIn[n]!;
  });
  return { added: c.addedTotal, removed: c.removedTotal, before: c.kept + c.removedTotal, after: c.kept + c.addedTotal };
}

/** The same comparison on the entries' texts, for lists that hold something other than prefixes. */
function compareTexts(before: readonly BlockShard[], after: readonly BlockShard[], countOf: (name: string) => Counts): Totals {
  const owners = (shards: readonly BlockShard[]): Map<string, string> => {
    const map = new Map<string, string>();
    for (const s of shards) for (const p of entriesOf(s)) if (!map.has(p)) map.set(p, s.name);
    return map;
  };
  const oldOwner = owners(before);
  const newOwner = owners(after);
  let added = 0;
  let removed = 0;
  for (const [p, name] of newOwner) {
    const was = oldOwner.get(p);
    if (was === undefined) {
      countOf(name).added++;
      added++;
    } else if (was !== name) {
      countOf(name).movedIn++;
      countOf(was).movedOut++;
    }
  }
  for (const [p, name] of oldOwner) {
    if (!newOwner.has(p)) {
      countOf(name).removed++;
      removed++;
    }
  }
  return { added, removed, before: oldOwner.size, after: newOwner.size };
}

function compareBlock(before: readonly BlockShard[], after: readonly BlockShard[]): BlockChange | undefined {
  const first = after[0] ?? before[0]!;
  const oldByName = new Map(before.map((s) => [s.name, s]));
  const newByName = new Map(after.map((s) => [s.name, s]));
  const changedNames = new Set<string>();
  let shardsUnchanged = 0;
  for (const s of after) if (oldByName.get(s.name)?.text !== s.text) changedNames.add(s.name);
  for (const s of before) {
    if (newByName.get(s.name)?.text === s.text) shardsUnchanged++;
    else changedNames.add(s.name);
  }
  // Unchanged bytes, unchanged prefixes: a block outside the churn costs one string comparison per shard.
  if (changedNames.size === 0) return undefined;
  const counts = new Map<string, Counts>();
  const countOf = (name: string): Counts => {
    let c = counts.get(name);
    if (!c) counts.set(name, (c = { added: 0, removed: 0, movedIn: 0, movedOut: 0 }));
    return c;
  };
  const totals = compareParsed(before, after, countOf) ?? compareTexts(before, after, countOf);
  const shards: ShardChange[] = [...changedNames]
    .map((name) => {
      const c = counts.get(name) ?? { added: 0, removed: 0, movedIn: 0, movedOut: 0 };
      const old = oldByName.get(name);
      const now = newByName.get(name);
      const action: ShardChange['action'] = !old ? 'add' : !now ? 'remove' : c.added === 0 && c.removed === 0 && c.movedIn + c.movedOut > 0 ? 'move' : 'change';
      return {
        name,
        action,
        entriesBefore: old?.count ?? 0,
        entriesAfter: now?.count ?? 0,
        prefixesAdded: c.added,
        prefixesRemoved: c.removed,
        movedIn: c.movedIn,
        movedOut: c.movedOut,
      };
    })
    .sort((x, y) => cmp(x.name, y.name));
  return {
    target: first.target,
    block: first.block,
    group: first.group,
    kind: first.kind,
    ownedBy: [...before, ...after].some((s) => s.ownedBy === 'label') ? 'label' : 'name',
    prefixesBefore: totals.before,
    prefixesAfter: totals.after,
    prefixesAdded: totals.added,
    prefixesRemoved: totals.removed,
    shards,
    shardsUnchanged,
  };
}
