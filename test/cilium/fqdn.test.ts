import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FqdnSelector, dnsSelectorsCovering } from '../../src/index.js';

// domain-notes §B.3: the accept/reject vectors of cilium TestAnchoredMatchPatternMatching, verbatim.
const VECTORS: { pattern: string; accept: string[]; reject: string[]; multilevel?: boolean }[] = [
  { pattern: 'cilium.io.', accept: ['cilium.io.'], reject: ['', 'anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'] },
  { pattern: '*.cilium.io.', accept: ['anysub.cilium.io.'], reject: ['', 'cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'] },
  { pattern: '*.ci*.io.', accept: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], reject: ['', 'cilium.io.'] },
  ...['*', '**'].map((pattern) => ({
    pattern,
    accept: ['.', 'io.', 'cilium.io.', 'svc.cluster.local.', 'service.namesace.svc.cluster.local.', '_foobar._tcp.cilium.io.'],
    reject: ['', '.io.', '.cilium.io.', '.svc.cluster.local.'],
  })),
  { pattern: '*.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: [''] },
  { pattern: '**.cilium.io.', accept: ['test.cilium.io.', 'test.app.cilium.io.', 'test.app.new.cilium.io.'], reject: ['', 'cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], multilevel: true },
  { pattern: '**.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.', '_foo._bar._tcp.cilium.io.'], reject: ['', 'cilium.io.', 'foo.cilium.io.'], multilevel: true },
  { pattern: '**.ci*.io.', accept: ['foo.bar.cilium.io.', 'anysub.cilium.io.', 'anysub.ci.io.', '_foo._bar.ciliumandmore.io.'], reject: ['', 'cilium.io.', 'test.calium.io.'], multilevel: true },
];

describe('matchPattern semantics follow upstream matchpattern.go', () => {
  test.each(VECTORS)('$pattern', ({ pattern, accept, reject }) => {
    const sel = FqdnSelector.matchPattern(pattern);
    for (const name of accept) expect(sel.matches(name), name).toBe(true);
    // '' is not a name at all; an empty query never matches (canonicalName('') is '.', which only match-all accepts).
    for (const name of reject.filter((n) => n !== '')) expect(sel.matches(name), name).toBe(false);
  });

  test('the documented examples: *.cilium.io is not cilium.io, part*ial.com, special*service', () => {
    expect(FqdnSelector.matchPattern('*.cilium.io').matches('cilium.io')).toBe(false);
    expect(FqdnSelector.matchPattern('part*ial.com').matches('partial.com')).toBe(true);
    expect(FqdnSelector.matchPattern('part*ial.com').matches('part-extra-ial.com')).toBe(true);
    const special = FqdnSelector.matchPattern('special*service.api.cilium.io');
    expect(special.matches('special-region1-service.api.cilium.io')).toBe(true);
    expect(special.matches('region1-service.api.cilium.io')).toBe(false);
    // The regex, not the fqdn.go prose: a leading '*' without a dot stays inside one label.
    expect(FqdnSelector.matchPattern('*cilium.io').matches('subcilium.io')).toBe(true);
    expect(FqdnSelector.matchPattern('*cilium.io').matches('www.cilium.io')).toBe(false);
  });

  test("before 1.19 a leading '**.' matches one label only, like '*.'", () => {
    const sel = FqdnSelector.matchPattern('**.cilium.io');
    expect(sel.matches('a.b.cilium.io', { multilevelWildcard: false })).toBe(false);
    expect(sel.matches('a.cilium.io', { multilevelWildcard: false })).toBe(true);
    expect(sel.matches('a.b.cilium.io', { multilevelWildcard: true })).toBe(true);
  });

  test('names match case-insensitively and with or without the final dot', () => {
    expect(FqdnSelector.matchName('API.Example.com').matches('api.example.com.')).toBe(true);
    expect(FqdnSelector.matchName('api.example.com.').matches('API.EXAMPLE.COM')).toBe(true);
  });
});

describe('the upstream grammar refuses bad names and patterns', () => {
  test.each([
    [() => FqdnSelector.matchName('https://api.example.com/v1'), "FqdnSelector.matchName('https://api.example.com/v1'): an FQDN must not include a scheme. Did you mean 'api.example.com'?"],
    [() => FqdnSelector.matchName('api.example.com:443'), "FqdnSelector.matchName('api.example.com:443'): an FQDN must not include a port or a path; ports go in the rule's 'ports'. Did you mean 'api.example.com'?"],
    [() => FqdnSelector.matchName('*.example.com'), "FqdnSelector.matchName('*.example.com'): a name must not contain '*'; wildcards belong in a pattern. Did you mean FqdnSelector.matchPattern('*.example.com')?"],
    [() => FqdnSelector.matchName('a..example.com'), "FqdnSelector.matchName('a..example.com'): expected DNS labels of letters, digits, '-' and '_' separated by single dots (the matchName grammar ^([-a-zA-Z0-9_]+[.]?)+$)."],
    [() => FqdnSelector.matchPattern('.example.com'), "FqdnSelector.matchPattern('.example.com'): expected DNS labels of letters, digits, '-', '_' and '*' separated by single dots (the matchPattern grammar ^([-a-zA-Z0-9_*]+[.]?)+$)."],
    [() => FqdnSelector.matchPattern('api.**.example.com'), "FqdnSelector.matchPattern('api.**.example.com'): '**' means \"any number of labels\" only as the leading '**.'; anywhere else Cilium matches it like '*'. Did you mean 'api.*.example.com'?"],
    [() => FqdnSelector.matchName(' '), "FqdnSelector.matchName(' '): an FQDN name must not be empty."],
    [() => FqdnSelector.matchPattern(`${'a'.repeat(250)}.*.com`), `FqdnSelector.matchPattern('${'a'.repeat(250)}.*.com'): an FQDN pattern must be at most 255 characters (got 256).`],
  ])('%#', (fn, message) => {
    expect(fn).toThrow(message);
  });

  test('long invalid input is refused quickly (no catastrophic backtracking)', () => {
    const started = Date.now();
    expect(() => FqdnSelector.matchPattern(`${'a'.repeat(200)}!`)).toThrow(/matchPattern grammar/);
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe('dnsSelectorsCovering', () => {
  test('drops duplicates and selectors another one covers', () => {
    const out = dnsSelectorsCovering([
      FqdnSelector.matchName('api.example.com'),
      FqdnSelector.matchPattern('*.example.com'),
      FqdnSelector.matchName('API.example.com.'),
      FqdnSelector.matchName('ifconfig.me'),
    ]);
    expect(out.map(String)).toEqual(['matchName: ifconfig.me', 'matchPattern: *.example.com']);
  });

  test('adds the cluster search-list expansions, so musl clients are not stopped by REFUSED', () => {
    const out = dnsSelectorsCovering([FqdnSelector.matchName('api.example.com')], { searchDomain: 'cluster.local' });
    expect(out.map(String)).toEqual([
      'matchName: api.example.com',
      'matchName: api.example.com.cluster.local',
      'matchName: api.example.com.svc.cluster.local',
      'matchPattern: api.example.com.*.svc.cluster.local',
    ]);
    expect(out.some((s) => s.matches('api.example.com.payments.svc.cluster.local'))).toBe(true);
  });

  // Random FQDN sets (names and patterns, with '**.' only where the line has it): every name the FQDNs match is matched
  // by some generated DNS selector, under upstream matching semantics.
  const label = fc.stringMatching(/^[a-z0-9][-a-z0-9_]{0,6}$/);
  const wildLabel = fc.oneof(label, fc.constant('*'), label.map((l) => `${l}*`), label.map((l) => `*${l}`));
  const fqdnArb = (multilevel: boolean): fc.Arbitrary<{ sel: FqdnSelector; example: string }> =>
    fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ({ sel: FqdnSelector.matchName(ls.join('.')), example: ls.join('.') })),
      fc.tuple(fc.array(wildLabel, { minLength: 1, maxLength: 4 }), fc.array(label, { minLength: 1, maxLength: 2 }), label, fc.boolean()).map(([ls, subs, fill, multi]) => {
        const body = ls.join('.');
        const useMulti = multilevel && multi;
        const pattern = useMulti ? `**.${body}` : body;
        const example = `${useMulti ? `${subs.join('.')}.` : ''}${body.replace(/\*/g, fill)}`;
        return { sel: FqdnSelector.matchPattern(pattern), example };
      }),
    );

  test.each([false, true])('covers every FQDN of a random set (multilevel %s)', (multilevel) => {
    fc.assert(
      fc.property(fc.array(fqdnArb(multilevel), { minLength: 1, maxLength: 8 }), fc.boolean(), (items, search) => {
        const opts = { multilevelWildcard: multilevel, searchDomain: search ? 'cluster.local' : undefined };
        const out = dnsSelectorsCovering(items.map((i) => i.sel), opts);
        for (const { sel, example } of items) {
          expect(sel.matches(example, opts), `${sel} matches its own example ${example}`).toBe(true);
          expect(out.some((d) => d.matches(example, opts)), `${example} (${sel}) covered by ${out.join(', ')}`).toBe(true);
          if (search && !sel.matchesAll) {
            expect(out.some((d) => d.matches(`${example}.team-a.svc.cluster.local`, opts))).toBe(true);
          }
        }
        expect(out.length).toBeLessThanOrEqual(items.length * (search ? 4 : 1));
      }),
      { numRuns: 300 },
    );
  });
});
