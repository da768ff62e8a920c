import { describe, expect, test } from 'vitest';
import { Entry, EntryAction, decide } from '../../src/explain/index.js';

// The core's ordering, as cilium pkg/policy/testutils/simulate.go sorts entries (tier, priority, deny < allow < pass)
// and as Calico judges tiers (a Pass leaves the tier, an applicable tier drops what it did not decide).

const entry = (name: string, tier: number, priority: number, action: EntryAction, match = true): Entry<null> => ({
  tier, priority, action, origin: { by: name, path: 'spec' }, matches: () => match,
});
const outcome = (entries: Entry<null>[], defaultDeny = false, endOfTierDeny?: Set<number>) => {
  const d = decide({ entries, defaultDeny, endOfTierDeny }, null);
  return [d.outcome, ...d.matched.map((e) => e.origin.by), ...(d.tier === undefined ? [] : [`tier ${d.tier}`])].join(' ');
};

describe('decide (simulate.go order; Calico tiers)', () => {
  test('within one tier and priority a deny sorts before an allow, whatever the input order', () => {
    expect(outcome([entry('allow', 0, 0, 'allow'), entry('deny', 0, 0, 'deny')])).toBe('deny deny');
  });

  test('a lower priority decides first, and a lower tier before any priority', () => {
    expect(outcome([entry('deny', 0, 2, 'deny'), entry('allow', 0, 1, 'allow')])).toBe('allow allow');
    expect(outcome([entry('deny', 1, 0, 'deny'), entry('allow', 0, 9, 'allow')])).toBe('allow allow');
  });

  test('every matching allow of the deciding level is reported (Cilium unions them); a non-matching one is not', () => {
    expect(outcome([entry('a', 0, 0, 'allow'), entry('b', 0, 0, 'allow'), entry('c', 0, 0, 'allow', false), entry('d', 0, 1, 'allow')])).toBe('allow a b');
  });

  test('pass skips the rest of its tier and its end-of-tier drop; log never decides', () => {
    expect(outcome([entry('log', 0, 0, 'log'), entry('pass', 0, 1, 'pass'), entry('deny', 0, 2, 'deny'), entry('allow', 1, 0, 'allow')], false, new Set([0]))).toBe('allow allow');
    expect(decide({ entries: [entry('log', 0, 0, 'log')], defaultDeny: false }, null).logged.map((e) => e.origin.by)).toEqual(['log']);
  });

  test('an applicable tier that decides nothing drops at its end; a tier with no entries still applies', () => {
    expect(outcome([entry('allow', 1, 0, 'allow')], false, new Set([0]))).toBe('default-deny tier 0');
    expect(outcome([entry('no', 0, 0, 'allow', false), entry('allow', 1, 0, 'allow')], false, new Set([0]))).toBe('default-deny tier 0');
  });

  test('with nothing matching: the default-deny flag decides', () => {
    expect(outcome([entry('x', 0, 0, 'allow', false)], true)).toBe('default-deny');
    expect(outcome([entry('x', 0, 0, 'allow', false)], false)).toBe('default-allow');
  });
});
