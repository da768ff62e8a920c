/**
 * Splitting an aggregated prefix list into objects that stay under a Kubernetes size budget, with boundaries that
 * stay put from one day's feed to the next.
 *
 * Why a budget: client-side `kubectl apply` (and Argo CD without `ServerSideApply=true`) copies the whole object into
 * the `kubectl.kubernetes.io/last-applied-configuration` annotation, and all annotations together are capped at
 * 262,144 bytes; with server-side apply the practical cap is etcd's request limit (1.5 MiB), for which we default to
 * 1 MiB to keep headroom.
 *
 * Why content-defined: cutting every N prefixes would shift every later boundary when one prefix is inserted near the
 * start, so a daily refresh would rewrite every object. Instead a boundary falls after a prefix whose FNV-1a 32 hash
 * of its canonical text satisfies `hash % divisor === 0` (once the shard holds at least `minBytes`), or, rarely, when
 * the next prefix would exceed the budget. Insertions and removals then only change the shard they land in (plus
 * the next one in the rare case that they move a boundary). The divisor and minimum depend only on the budget and
 * the family, never on the data, so the same prefix is a boundary on every run.
 *
 * Shard ids name the first address of the shard's key range: the address right after the last prefix of the
 * previous shard (or the family's first address). That is fixed by the boundary prefix alone, so inserting a
 * prefix at the start of a shard does not rename it. Format: `v4-ddd-ddd-ddd-ddd` (zero-padded octets) and
 * `v6-hhhh-hhhh-hhhh-hhhh-hhhh-hhhh-hhhh-hhhh` (zero-padded groups): lowercase alphanumerics and '-', a valid
 * DNS-1123 label fragment, and sorting the ids as text sorts the shards by address.
 */
import { NetsecError } from '../core/errors.js';
import { ApplyMode } from '../core/target.js';

export { ApplyMode };
import type { CidrSet } from './cidr-set.js';
import { fnv1a32 } from './hash.js';
import { maskV6Word } from './_scan.js';


/** Default budget for client-side apply: the total annotation size limit. */
export const CLIENT_SIDE_APPLY_BUDGET = 262_144;
/** Default budget for server-side apply. */
export const SERVER_SIDE_APPLY_BUDGET = 1_048_576;
/** Default allowance for everything in an object but its prefixes (apiVersion, kind, metadata, labels, spec keys). */
export const DEFAULT_SHARD_OVERHEAD_BYTES = 2048;
/**
 * Typical serialized cost of one prefix, used only to derive the boundary divisor (not for the budget check):
 * `"198.51.100.0/24",` is 18 bytes; `"2001:db8:abcd::/48",` is 21, rounded up for longer IPv6 prefixes.
 */
export const NOMINAL_PREFIX_BYTES = { 4: 18, 6: 24 } as const;

/** Options for `shardCidrs`. */
export interface ShardCidrsOptions {
  /** @default ApplyMode.CLIENT_SIDE */
  readonly mode?: ApplyMode;
  /** Maximum serialized size of one object, in bytes. @default - 262,144 (client-side) or 1,048,576 (server-side) */
  readonly budgetBytes?: number;
  /**
   * Bytes of an object besides its prefixes, as a constant or computed from the shard id (whose length ends up in
   * the object name). @default DEFAULT_SHARD_OVERHEAD_BYTES (2048)
   */
  readonly objectOverheadBytes?: number | ((shardId: string, family: 4 | 6) => number);
  /** Serialized cost of one prefix. @default - JSON array item: the text, two quotes and a comma */
  readonly prefixBytes?: (text: string) => number;
}

/** One object's worth of prefixes. */
export interface CidrShard {
  /** Deterministic id, e.g. `v4-010-000-000-000` (see the module comment). */
  readonly id: string;
  /** Every prefix of a shard has this family (Calico rules cannot mix families). */
  readonly family: 4 | 6;
  /** Canonical prefixes, sorted. */
  readonly prefixes: readonly string[];
  /** Estimated serialized size: overhead plus prefix costs; never above the budget. */
  readonly bytes: number;
}

/** FNV-1a of each prefix's canonical text, per set: a geo-blocking set is sharded once per Cilium and Calico target. */
const hashCache = new WeakMap<CidrSet, Uint32Array>();

function prefixHashes(set: CidrSet, texts: readonly string[]): Uint32Array {
  let hashes = hashCache.get(set);
  if (!hashes) {
    hashes = new Uint32Array(texts.length);
    for (let i = 0; i < texts.length; i++) hashes[i] = fnv1a32(texts[i]!);
    hashCache.set(set, hashes);
  }
  return hashes;
}

function pad(n: number, width: number, radix: number): string {
  return n.toString(radix).padStart(width, '0');
}

/** Id of a v4 shard whose key range starts at `addr` (a number up to 2^32 - 1). */
function v4Id(addr: number): string {
  return `v4-${pad(addr >>> 24, 3, 10)}-${pad((addr >>> 16) & 255, 3, 10)}-${pad((addr >>> 8) & 255, 3, 10)}-${pad(addr & 255, 3, 10)}`;
}

function v6Id(w: ArrayLike<number>): string {
  let out = 'v6';
  for (let i = 0; i < 4; i++) out += `-${pad(w[i]! >>> 16, 4, 16)}-${pad(w[i]! & 0xffff, 4, 16)}`;
  return out;
}

/** Address after the last address of v6 prefix (w, len), or undefined past the end of the space. */
function v6After(w: ArrayLike<number>, len: number): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    out.push((w[i]! | ~maskV6Word(len, i)) >>> 0);
  }
  for (let i = 3; i >= 0; i--) {
    if (out[i] !== 0xffffffff) {
      out[i] = out[i]! + 1;
      return out;
    }
    out[i] = 0;
  }
  return undefined;
}

/**
 * Splits an aggregated set into shards under a byte budget with content-defined, stable boundaries. IPv4 and
 * IPv6 are never mixed in one shard. Throws `NetsecError` (`CONFIG`) if one prefix alone cannot fit.
 *
 * @example
 * for (const shard of shardCidrs(set, { mode: ApplyMode.SERVER_SIDE })) {
 *   new CiliumCIDRGroup(chart, shard.id, { name: `geo-block-${shard.id}`, externalCIDRs: shard.prefixes });
 * }
 */
export function shardCidrs(set: CidrSet, options: ShardCidrsOptions = {}): CidrShard[] {
  const budget = options.budgetBytes ?? (options.mode === ApplyMode.SERVER_SIDE ? SERVER_SIDE_APPLY_BUDGET : CLIENT_SIDE_APPLY_BUDGET);
  if (!Number.isInteger(budget) || budget <= 0) {
    throw new NetsecError('CONFIG', `shard budget is ${budget}; expected a positive whole number of bytes such as ${CLIENT_SIDE_APPLY_BUDGET}`);
  }
  const ov = options.objectOverheadBytes ?? DEFAULT_SHARD_OVERHEAD_BYTES;
  const overhead = typeof ov === 'number' ? () => ov : ov;
  const cost = options.prefixBytes ?? ((t: string) => t.length + 3);
  const texts = set.toStrings();
  const hashes = prefixHashes(set, texts);
  const out: CidrShard[] = [];
  for (const family of [4, 6] as const) {
    const from = family === 4 ? 0 : set.v4Count;
    const to = family === 4 ? set.v4Count : set.size;
    if (from === to) continue;
    // Expected shard ≈ minBytes + divisor × nominal cost ≈ budget / 3; the hard budget is then hit by fewer than
    // 1% of shards (no boundary in ~5 × divisor prefixes: e^-5).
    const minBytes = Math.floor(budget / 6);
    const divisor = Math.max(1, Math.round(budget / (6 * NOMINAL_PREFIX_BYTES[family])));
    let id = family === 4 ? v4Id(0) : v6Id([0, 0, 0, 0]);
    let objOverhead = overhead(id, family);
    let bytes = objOverhead;
    let start = from;
    const close = (end: number) => {
      out.push({ id, family, prefixes: texts.slice(start, end), bytes });
      // The next shard's key range starts right after the last prefix of this one.
      const last = end - 1;
      if (family === 4) {
        const li = last;
        id = v4Id(set.v4Start[li]! + 2 ** (32 - set.v4Len[li]!));
      } else {
        const li = last - set.v4Count;
        const next = v6After(set.v6Words.subarray(4 * li, 4 * li + 4), set.v6Len[li]!);
        id = next ? v6Id(next) : id;
      }
      objOverhead = overhead(id, family);
      bytes = objOverhead;
      start = end;
    };
    for (let i = from; i < to; i++) {
      const text = texts[i]!;
      const c = cost(text);
      if (bytes + c > budget && i > start) close(i);
      if (bytes + c > budget) {
        throw new NetsecError('CONFIG', `prefix '${text}' needs ${c} bytes but shard '${id}' has only ${budget - objOverhead} left after ${objOverhead} bytes of object overhead (budget ${budget}); expected a budget well above the overhead`);
      }
      bytes += c;
      if (bytes >= objOverhead + minBytes && hashes[i]! % divisor === 0 && i + 1 < to) close(i + 1);
    }
    if (start < to) close(to);
  }
  return out;
}
