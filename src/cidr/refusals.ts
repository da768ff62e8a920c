/**
 * Refusals: block lists that are syntactically fine but dangerous to apply. Pure checks the constructs call
 * before rendering; each can be waived by an explicit option.
 */
import { NetsecError } from '../core/errors.js';
import { Cidr } from './cidr.js';
import type { CidrSet } from './cidr-set.js';
import { maskV6Word } from './_scan.js';

/** A cluster CIDR with a role for messages, e.g. `{ cidr: '10.96.0.0/12', name: 'service CIDR' }`. */
export interface NamedCidr {
  readonly cidr: string | Cidr;
  readonly name: string;
}

/** Options for `findRefusals` / `assertSafeBlockList`. */
export interface BlockListCheckOptions {
  /** Name of the list in messages. @default 'block list' */
  readonly name?: string;
  /** The cluster's own ranges: pod CIDRs, service CIDR, API server address. @default - none */
  readonly clusterCidrs?: readonly (string | Cidr | NamedCidr)[];
  /** Accept an empty list. @default false */
  readonly allowEmpty?: boolean;
  /** Accept `0.0.0.0/0` or `::/0`. @default false */
  readonly allowDefaultRoute?: boolean;
  /** Accept prefixes overlapping cluster CIDRs. @default false */
  readonly allowClusterOverlap?: boolean;
}

/** Why a block list is refused. */
export interface CidrRefusal {
  /** `empty`, `default-route` or `cluster-overlap`. */
  readonly rule: 'empty' | 'default-route' | 'cluster-overlap';
  /** The complete message. */
  readonly message: string;
  /** The offending prefix of the list, when there is one. */
  readonly prefix?: string;
  /** The cluster CIDR it overlaps, for `cluster-overlap`. */
  readonly clusterCidr?: string;
}

function cmp4w(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number): number {
  for (let i = 0; i < 4; i++) {
    if (a[ao + i] !== b[bo + i]) return a[ao + i]! < b[bo + i]! ? -1 : 1;
  }
  return 0;
}

/** Indices of the prefixes of `set` that overlap `c` (they are contiguous because the set is sorted and disjoint). */
function overlapping(set: CidrSet, c: Cidr): number[] {
  const hits: number[] = [];
  if (c.family === 4) {
    const cs = c.w0;
    const ce = c.w0 + 2 ** (32 - c.length) - 1;
    // First prefix whose last address is >= cs (ends are sorted like starts).
    let lo = 0;
    let hi = set.v4Count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (set.v4Start[mid]! + 2 ** (32 - set.v4Len[mid]!) - 1 < cs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < set.v4Count && set.v4Start[i]! <= ce; i++) hits.push(i);
    return hits;
  }
  const w = set.v6Words;
  const start = [c.w0, c.w1, c.w2, c.w3];
  const end = start.map((x, i) => {
    return (x | ~maskV6Word(c.length, i)) >>> 0;
  });
  const endOf = (i: number) => [0, 1, 2, 3].map((k) => {
    return (w[4 * i + k]! | ~maskV6Word(set.v6Len[i]!, k)) >>> 0;
  });
  let lo = 0;
  let hi = set.v6Count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp4w(endOf(mid), 0, start, 0) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < set.v6Count && cmp4w(w, 4 * i, end, 0) <= 0; i++) hits.push(set.v4Count + i);
  return hits;
}

/** Relative rounding bound of summing up to MAX_SUMMED doubles (n * 2^-53 < 2^-30): see `cannotCoverDefaultRoute`. */
const SUM_MARGIN = 1 - 2 ** -30;
const MAX_SUMMED = 2 ** 22;
/** 2^i for every host-bit count of a prefix (0..128). */
const SIZES = Float64Array.from({ length: 129 }, (_, i) => 2 ** i);

/**
 * True when the union of the `lists` of prefixes (text such as `192.0.2.0/24`) certainly covers neither `0.0.0.0/0`
 * nor `::/0`: their sizes add up to less than a whole address family. Judged from the lengths alone, so callers can
 * skip parsing and aggregating a large list when a default route is the only refusal they look for (the 600k prefixes
 * of a 1M-line geo-block, referenced by one deny rule, took ~120 ms idle to parse and aggregate). False (not known) for
 * a list with an entry that is not `address/length` text, or too long for the floating-point bound.
 */
export function cannotCoverDefaultRoute(...lists: readonly (readonly unknown[])[]): boolean {
  if (lists.reduce((n, l) => n + l.length, 0) > MAX_SUMMED) return false;
  let v4 = 0;
  let v6 = 0;
  for (const prefixes of lists) {
    // Indexed loops, lastIndexOf, a typed table: this runs once per run over 100,000s of prefixes, before V8 has
    // optimised it, and for-of with a character loop from the end measured ~3x slower there.
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (typeof p !== 'string') return false;
      const slash = p.lastIndexOf('/');
      const digits = p.length - slash - 1;
      if (slash < 0 || digits < 1 || digits > 3) return false;
      let len = 0;
      for (let k = slash + 1; k < p.length; k++) {
        const c = p.charCodeAt(k);
        if (c < 48 || c > 57) return false;
        len = len * 10 + (c - 48);
      }
      if (p.indexOf(':') >= 0) {
        if (len > 128) return false;
        v6 += SIZES[128 - len]!;
      } else {
        if (len > 32) return false;
        v4 += SIZES[32 - len]!;
      }
    }
  }
  // Positive sums: the computed sum is within a factor (1 +- n * 2^-53) of the exact one, so below the margin the
  // exact sum is below the family's size too.
  return v4 < 2 ** 32 * SUM_MARGIN && v6 < 2 ** 128 * SUM_MARGIN;
}

/**
 * Lists every reason to refuse `set` as a block list: empty, containing `0.0.0.0/0` or `::/0`, or overlapping a
 * cluster CIDR (one refusal per cluster CIDR, naming the first overlapping prefix and how many more there are).
 */
export function findRefusals(set: CidrSet, options: BlockListCheckOptions = {}): CidrRefusal[] {
  const name = options.name ?? 'block list';
  const out: CidrRefusal[] = [];
  if (set.isEmpty && !options.allowEmpty) {
    out.push({
      rule: 'empty',
      message: `${name} is empty; expected at least one prefix (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it)`,
    });
  }
  if (!options.allowDefaultRoute) {
    if (set.v4Count > 0 && set.v4Len[0] === 0) {
      out.push({ rule: 'default-route', prefix: '0.0.0.0/0', message: `${name} contains '0.0.0.0/0'; expected specific prefixes (blocking every IPv4 address cuts the cluster off; set allowDefaultRoute to accept it)` });
    }
    if (set.v6Count > 0 && set.v6Len[0] === 0) {
      out.push({ rule: 'default-route', prefix: '::/0', message: `${name} contains '::/0'; expected specific prefixes (blocking every IPv6 address cuts the cluster off; set allowDefaultRoute to accept it)` });
    }
  }
  if (!options.allowClusterOverlap) {
    for (const item of options.clusterCidrs ?? []) {
      const named = typeof item === 'object' && !(item instanceof Cidr) ? item : { cidr: item, name: '' };
      const c = typeof named.cidr === 'string' ? Cidr.parse(named.cidr) : named.cidr;
      const hits = overlapping(set, c);
      if (hits.length === 0) continue;
      const text = (i: number) => (i < set.v4Count ? set.v4Text(i) : set.v6Text(i - set.v4Count));
      const first = text(hits[0]!);
      const more = hits.length > 1 ? ` (and ${hits.length - 1} more)` : '';
      const role = named.name ? ` (${named.name})` : '';
      out.push({
        rule: 'cluster-overlap',
        prefix: first,
        clusterCidr: c.toString(),
        message: `${name} prefix '${first}'${more} overlaps cluster CIDR '${c.toString()}'${role}; expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)`,
      });
    }
  }
  return out;
}

/** Throws `NetsecError` (`INVALID`) listing every refusal, one per line; returns quietly when there is none. */
export function assertSafeBlockList(set: CidrSet, options: BlockListCheckOptions = {}): void {
  const refusals = findRefusals(set, options);
  if (refusals.length > 0) throw new NetsecError('INVALID', refusals.map((r) => r.message).join('\n'));
}
