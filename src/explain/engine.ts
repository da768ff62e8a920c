// The product-neutral core (domain-notes §0 finding 15, §C): every product compiles its policies into ordered entries
// for one endpoint and one direction, plus a default-deny flag; the first matching entry in sort order decides.
// Cilium today is one tier and one priority, so "deny sorts before allow" is its deny precedence; Cilium 1.20's tiers and
// Calico's tiers and orders fit the same shape (tier, priority, then deny < allow < pass, as cilium
// pkg/policy/testutils/simulate.go sorts).

import { RuleRef } from './model.js';

/** What an entry does when it matches. `log` records and goes on; `pass` skips the rest of its tier. */
export type EntryAction = 'deny' | 'allow' | 'pass' | 'log';

/** One rule of one policy, for one endpoint and direction. */
export interface Entry<P> {
  /** Lower tiers are judged first. Cilium today: one tier (0). */
  readonly tier: number;
  /** Lower priorities are judged first within a tier. Cilium today: one priority (0). */
  readonly priority: number;
  readonly action: EntryAction;
  readonly origin: RuleRef;
  /** Whether the entry applies to the packet (peer, protocol, port). */
  matches(packet: P): boolean;
}

/** The entries that apply to one endpoint in one direction. */
export interface DirectionPolicy<P, E extends Entry<P> = Entry<P>> {
  readonly entries: readonly E[];
  /** Whether a packet no entry decided is dropped. */
  readonly defaultDeny: boolean;
  /**
   * Tiers that apply to the endpoint (some policy of theirs selects it) and drop what none of their entries decided
   * (Calico's end-of-tier drop, `defaultAction: Deny`); a tier whose default is Pass is left out. Cilium: none.
   */
  readonly endOfTierDeny?: ReadonlySet<number>;
}

/** What the entries decided for one packet. */
export interface Decision<E> {
  /** `deny` / `allow`: an entry decided; `default-deny` / `default-allow`: none did. */
  readonly outcome: 'deny' | 'allow' | 'default-deny' | 'default-allow';
  /**
   * The entries that decided: the deny entry, or every allow entry of the deciding (tier, priority) that matched (Cilium
   * unions the allows of one level, which L7 needs: an L4-only allow among them wildcards L7).
   */
  readonly matched: readonly E[];
  /** `log` entries met on the way. */
  readonly logged: readonly E[];
  /** With `default-deny` from an end-of-tier drop: that tier. */
  readonly tier?: number;
}

const ACTION_ORDER: Record<EntryAction, number> = { deny: 0, allow: 1, pass: 2, log: 3 };

/** Entries in the order they are judged: tier, priority, then deny < allow < pass (< log, which never decides). */
export function sortEntries<E extends Entry<unknown>>(entries: readonly E[]): E[] {
  return [...entries].sort((a, b) => a.tier - b.tier || a.priority - b.priority || ACTION_ORDER[a.action] - ACTION_ORDER[b.action]);
}

/**
 * Decides one packet, tier by tier: the first matching entry in sort order wins (`log` is recorded and skipped,
 * `pass` skips the rest of its tier and its end-of-tier drop); a tier in `endOfTierDeny` that decided nothing drops
 * the packet; after the last tier, `defaultDeny` says whether the packet is dropped.
 */
export function decide<P, E extends Entry<P>>(policy: DirectionPolicy<P, E>, packet: P): Decision<E> {
  const sorted = sortEntries(policy.entries);
  const tiers = [...new Set([...sorted.map((e) => e.tier), ...(policy.endOfTierDeny ?? [])])].sort((a, b) => a - b);
  const logged: E[] = [];
  for (const tier of tiers) {
    let passed = false;
    const inTier = sorted.filter((e) => e.tier === tier);
    for (let i = 0; i < inTier.length && !passed; i++) {
      const e = inTier[i]!;
      if (!e.matches(packet)) continue;
      if (e.action === 'log') {
        logged.push(e);
      } else if (e.action === 'pass') {
        passed = true;
      } else if (e.action === 'deny') {
        return { outcome: 'deny', matched: [e], logged };
      } else {
        const matched = [e];
        for (let j = i + 1; j < inTier.length; j++) {
          const o = inTier[j]!;
          if (o.priority !== e.priority || o.action !== 'allow') break;
          if (o.matches(packet)) matched.push(o);
        }
        return { outcome: 'allow', matched, logged };
      }
    }
    if (!passed && policy.endOfTierDeny?.has(tier)) return { outcome: 'default-deny', matched: [], logged, tier };
  }
  return { outcome: policy.defaultDeny ? 'default-deny' : 'default-allow', matched: [], logged };
}
