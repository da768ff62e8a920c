import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FqdnSelector } from '../../src/index.js';
import { dnsSelectorsCovering } from '../../src/cilium/fqdn.js';

// The accept/reject vectors of TestAnchoredMatchPatternMatching, verbatim: cilium/cilium
// pkg/fqdn/matchpattern/matchpattern_test.go at v1.18.3 (c16016890116f9fc6bf8d90e3ffe0f4e91ae8097) for every line, and the
// vectors v1.19.0-pre.4 (f12299b25e4edd93742d9241b34e82aae0aef788) adds for the 1.19 wildcards ('**', '**.').
// Exception: upstream matches the raw regex, so 'cilium.io' (no final dot) is a reject there; netsec canonicalizes
// names first (a final dot is added, as Cilium's DNS proxy sees queries), so that one vector is left out.
const OLD = { multilevelWildcard: false };
const NEW = { multilevelWildcard: true };
const VECTORS: { pattern: string; accept: string[]; reject: string[]; lines: (typeof OLD)[] }[] = [
  { pattern: 'cilium.io.', accept: ['cilium.io.'], reject: ['', 'anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], lines: [OLD, NEW] },
  { pattern: '*.cilium.io.', accept: ['anysub.cilium.io.'], reject: ['', 'cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], lines: [OLD, NEW] },
  { pattern: '*.ci*.io.', accept: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], reject: ['', 'cilium.io.'], lines: [OLD, NEW] },
  { pattern: '*', accept: ['.', 'io.', 'cilium.io.', 'svc.cluster.local.', 'service.namesace.svc.cluster.local.', '_foobar._tcp.cilium.io.'], reject: ['', '.io.', '.cilium.io.', '.svc.cluster.local.'], lines: [OLD, NEW] },
  { pattern: '_foobar._tcp.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: ['', '_tcp.cilium.io.', 'cilium.io.'], lines: [OLD, NEW] },
  { pattern: '*.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: [''], lines: [OLD, NEW] },
  { pattern: '**', accept: ['.', 'io.', 'cilium.io.', 'svc.cluster.local.', 'service.namesace.svc.cluster.local.', '_foobar._tcp.cilium.io.'], reject: ['', '.io.', '.cilium.io.', '.svc.cluster.local.'], lines: [NEW] },
  { pattern: '**.cilium.io.', accept: ['test.cilium.io.', 'test.app.cilium.io.', 'test.app.new.cilium.io.'], reject: ['', 'cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], lines: [NEW] },
  { pattern: '**.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.', '_foo._bar._tcp.cilium.io.'], reject: ['', 'cilium.io.', 'foo.cilium.io.'], lines: [NEW] },
  { pattern: '**.ci*.io.', accept: ['foo.bar.cilium.io.', 'anysub.cilium.io.', 'anysub.ci.io.', '_foo._bar.ciliumandmore.io.'], reject: ['', 'cilium.io.', 'test.calium.io.'], lines: [NEW] },
];

describe('matchPattern semantics follow upstream matchpattern.go, per Cilium line', () => {
  test.each(VECTORS.flatMap((v) => v.lines.map((line) => ({ ...v, line, name: `${v.pattern} (${line.multilevelWildcard ? '1.19+' : 'before 1.19'})` }))))('$name', ({ pattern, accept, reject, line }) => {
    const sel = FqdnSelector.matchPattern(pattern);
    for (const name of accept) expect(sel.matches(name, line), name).toBe(true);
    for (const name of reject) expect(sel.matches(name, line), name).toBe(false);
  });

  test('the documented examples: *.cilium.io is not cilium.io, part*ial.com, special*service', () => {
    expect(FqdnSelector.matchPattern('*.cilium.io').matches('cilium.io', NEW)).toBe(false);
    expect(FqdnSelector.matchPattern('part*ial.com').matches('partial.com', NEW)).toBe(true);
    expect(FqdnSelector.matchPattern('part*ial.com').matches('part-extra-ial.com', NEW)).toBe(true);
    const special = FqdnSelector.matchPattern('special*service.api.cilium.io');
    expect(special.matches('special-region1-service.api.cilium.io', NEW)).toBe(true);
    expect(special.matches('region1-service.api.cilium.io', NEW)).toBe(false);
    // The regex, not the fqdn.go prose: a leading '*' without a dot stays inside one label.
    expect(FqdnSelector.matchPattern('*cilium.io').matches('subcilium.io', NEW)).toBe(true);
    expect(FqdnSelector.matchPattern('*cilium.io').matches('www.cilium.io', NEW)).toBe(false);
  });

  // matchpattern.go v1.18.3: only the exact pattern '*' is match-all (Sanitize, ToAnchoredRegexp); every other '*' run is
  // [-a-zA-Z0-9_]* within one label, so '**' and '*.' match single-label names, and '**.x' matches like '*.x'.
  test("before 1.19, '**.', '**' and '*.' match within one label; from 1.19 '**.' is any number of labels and '**', '*.' match all", () => {
    const multi = FqdnSelector.matchPattern('**.cilium.io');
    expect(multi.matches('a.b.cilium.io', OLD)).toBe(false);
    expect(multi.matches('a.cilium.io', OLD)).toBe(true);
    expect(multi.matches('a.b.cilium.io', NEW)).toBe(true);
    for (const pattern of ['**', '*.', '**.']) {
      const sel = FqdnSelector.matchPattern(pattern);
      expect(sel.matches('io', OLD), pattern).toBe(true);
      expect(sel.matches('cilium.io', OLD), pattern).toBe(false);
      expect(sel.matches('cilium.io', NEW), pattern).toBe(true);
      expect(sel.matchesEveryName(OLD), pattern).toBe(false);
      expect(sel.matchesEveryName(NEW), pattern).toBe(true);
      expect(sel.usesMultilevelWildcard, pattern).toBe(true);
    }
    expect(FqdnSelector.matchPattern('*').usesMultilevelWildcard).toBe(false);
    expect(FqdnSelector.matchPattern('*.example.com').usesMultilevelWildcard).toBe(false);
    // Coverage follows the line: before 1.19 '**' lets through single-label queries only.
    expect(FqdnSelector.matchName('api.example.com').isCoveredBy(FqdnSelector.matchPattern('**'), OLD)).toBe(false);
    expect(FqdnSelector.matchName('api.example.com').isCoveredBy(FqdnSelector.matchPattern('**'), NEW)).toBe(true);
    expect(FqdnSelector.matchName('a.b.example.com').isCoveredBy(FqdnSelector.matchPattern('**.example.com'), OLD)).toBe(false);
    expect(FqdnSelector.matchName('a.b.example.com').isCoveredBy(FqdnSelector.matchPattern('**.example.com'), NEW)).toBe(true);
  });

  test('names match case-insensitively and with or without the final dot', () => {
    expect(FqdnSelector.matchName('API.Example.com').matches('api.example.com.', NEW)).toBe(true);
    expect(FqdnSelector.matchName('api.example.com.').matches('API.EXAMPLE.COM', OLD)).toBe(true);
    expect(FqdnSelector.matchName('api.example.com').matches('', NEW)).toBe(false);
  });
});

describe('the upstream grammar refuses bad names and patterns', () => {
  test.each([
    [() => FqdnSelector.matchName('https://api.example.com/v1'), "FqdnSelector.matchName('https://api.example.com/v1'): an FQDN must not include a scheme. Did you mean 'api.example.com'?"],
    [() => FqdnSelector.matchName('api.example.com:443'), "FqdnSelector.matchName('api.example.com:443'): an FQDN must not include a port or a path; ports go in the rule's 'ports'. Did you mean 'api.example.com'?"],
    [() => FqdnSelector.matchName('*.example.com'), "FqdnSelector.matchName('*.example.com'): a name must not contain '*'; wildcards belong in a pattern. Did you mean matchPattern: '*.example.com' (FqdnSelector.matchPattern('*.example.com'))?"],
    [() => FqdnSelector.matchName('a..example.com'), "FqdnSelector.matchName('a..example.com'): expected DNS labels of letters, digits, '-' and '_' separated by single dots (the matchName grammar ^([-a-zA-Z0-9_]+[.]?)+$)."],
    [() => FqdnSelector.matchPattern('.example.com'), "FqdnSelector.matchPattern('.example.com'): expected DNS labels of letters, digits, '-', '_' and '*' separated by single dots (the matchPattern grammar ^([-a-zA-Z0-9_*]+[.]?)+$)."],
    [() => FqdnSelector.matchPattern('api.**.example.com'), "FqdnSelector.matchPattern('api.**.example.com'): '**' means \"any number of labels\" only as the leading '**.'; anywhere else Cilium matches it like '*'. Did you mean 'api.*.example.com'?"],
    [() => FqdnSelector.matchName(' '), "FqdnSelector.matchName(' '): an FQDN name must not be empty."],
    [() => FqdnSelector.matchName('1.2.3.4'), "FqdnSelector.matchName('1.2.3.4'): '1.2.3.4' is an IP address, not a name: toFQDNs allows the addresses DNS answers give for a name, and no answer names an address, so it would allow nothing. Allow the address with a CIDR rule (to.cidrs: ['1.2.3.4/32'], toCIDR), or name the host."],
    [() => FqdnSelector.matchPattern(`${'a'.repeat(250)}.*.com`), `FqdnSelector.matchPattern('${'a'.repeat(250)}.*.com'): an FQDN pattern must be at most 255 characters (got 256).`],
  ])('%#', (fn, message) => {
    expect(fn).toThrow(message);
  });

  // The grammar regexes have no nested quantifier (see fqdn.ts), so long invalid input cannot backtrack exponentially;
  // no wall-clock assertion here (timed unit tests are flaky), only the refusal.
  test('long invalid input is refused', () => {
    expect(() => FqdnSelector.matchPattern(`${'a'.repeat(200)}!`)).toThrow(/matchPattern grammar/);
  });
});

describe('dnsSelectorsCovering', () => {
  test('drops duplicates and selectors another one covers', () => {
    const out = dnsSelectorsCovering([
      FqdnSelector.matchName('api.example.com'),
      FqdnSelector.matchPattern('*.example.com'),
      FqdnSelector.matchName('API.example.com.'),
      FqdnSelector.matchName('ifconfig.me'),
    ], NEW);
    expect(out.map(String)).toEqual(['matchName: ifconfig.me', 'matchPattern: *.example.com']);
  });

  test('adds the cluster search-list expansions, so musl clients are not stopped by REFUSED', () => {
    const out = dnsSelectorsCovering([FqdnSelector.matchName('api.example.com')], { searchDomain: 'cluster.local', multilevelWildcard: false });
    expect(out.map(String)).toEqual([
      'matchName: api.example.com',
      'matchName: api.example.com.cluster.local',
      'matchName: api.example.com.svc.cluster.local',
      'matchPattern: api.example.com.*.svc.cluster.local',
    ]);
    expect(out.some((s) => s.matches('api.example.com.payments.svc.cluster.local', OLD))).toBe(true);
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
          if (search && !sel.matchesEveryName(opts)) {
            expect(out.some((d) => d.matches(`${example}.team-a.svc.cluster.local`, opts))).toBe(true);
          }
        }
        expect(out.length).toBeLessThanOrEqual(items.length * (search ? 4 : 1));
      }),
      { numRuns: 300 },
    );
  });
});
