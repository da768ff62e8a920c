import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Manifest, ManifestIndex, Target, TargetProps, lint } from '../../src/index.js';
import { calicoSelectorMatches, parseCalicoSelector, printCalicoSelector } from '../../src/lint/rules/calico-selector.js';

const T330: TargetProps = { name: 't', kubernetes: '1.30', calico: '3.30' };

/** `[severity, path, message]` of one rule's findings over hand-written objects. */
function of(id: string, objects: Record<string, unknown>[], target: TargetProps = T330) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  return lint(new ManifestIndex(new Target(target), manifests)).findings.filter((f) => f.ruleId === id).map((f) => [f.severity, f.path, f.message]);
}

const V3 = 'projectcalico.org/v3';
const gnp = (name: string, spec: Record<string, unknown>, apiVersion = V3) => ({ apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: V3, kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const gns = (name: string, labels: Record<string, string> | undefined, nets: string[] = ['192.0.2.0/24']) => ({ apiVersion: V3, kind: 'GlobalNetworkSet', metadata: { name, ...(labels ? { labels } : {}) }, spec: { nets } });
const tier = (name: string, defaultAction = 'Deny') => ({ apiVersion: V3, kind: 'Tier', metadata: { name }, spec: { order: 100, defaultAction } });

describe('calico selector grammar', () => {
  test.each([
    'b == b', 'b contains b', 'b starts with b', 'b ends with b', "'b1' == b", 'b', 'a b', '!', 'foo == "bar" &', 'foo == "bar" |',
    'foo != ||', 'foo in {"", ||', 'foo in ""', '"FOO', '"FOO\'', "'FOO", '(', '(a == "foo"', ')', '()', '%', 'a == "b" && %', 'a == "b" || %', 'a ', 'has(foo) &&',
  ])("libcalico-go's bad selector %j is refused", (text) => {
    expect(() => parseCalicoSelector(text)).toThrow(/^at column \d+, found .+; expected .+$/);
  });
  test.each([
    ['', {}, true], [' ', {}, true], ['all()', {}, true],
    ["a == 'x'", { a: 'x' }, true], ["a != 'x'", {}, true], ["a not in {'x'}", {}, true], ["a notin {'x', }", { a: 'y' }, true],
    ["a in {'x', 'y'}", { a: 'y' }, true], ["a in {}", { a: 'y' }, false], ['has(a)', { a: '' }, true], ['has( a )', {}, false],
    ["!a == 'a1' && b == 'b1'", { b: 'b1' }, true], ["a contains 'ell'", { a: 'hello' }, true], ["a starts  with 'he'", { a: 'hello' }, true],
    ["a ends with 'lo' || b == 'x'", { a: 'no' }, false], ["!(a == 'x' || has(b))", { a: 'y' }, true], ["projectcalico.org/namespace == \"kube-system\"", { 'projectcalico.org/namespace': 'kube-system' }, true],
  ])('%j parses and matches %j: %s', (text, labels, expected) => {
    expect(calicoSelectorMatches(parseCalicoSelector(text), labels)).toBe(expected);
  });
  test('the first error is located: column, what was found, what was expected', () => {
    expect(() => parseCalicoSelector("app == 'web' && % ")).toThrow("at column 17, found '%'; expected a label name, '!', '(', all(), global() or has(...)");
    expect(() => parseCalicoSelector('app = web')).toThrow("at column 5, found '='; expected an operator after the label ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')");
  });

  // Generated selectors: printing then parsing gives the same tree, and matching agrees with a direct evaluation.
  const label = fc.stringMatching(/^[a-z][a-z0-9./-]{0,6}$/);
  const value = fc.stringMatching(/^[a-z0-9 -]{0,5}$/);
  const selector = fc.letrec<{ s: unknown }>((tie) => ({
    s: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({ op: 'all' }),
      label.map((l) => ({ op: 'has', label: l })),
      fc.record({ op: fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with'), label, value }),
      fc.record({ op: fc.constantFrom('in', 'not in'), label, values: fc.array(value, { maxLength: 3 }) }),
      tie('s').map((o) => ({ op: 'not', operand: o })),
      fc.record({ op: fc.constantFrom('and', 'or'), operands: fc.array(tie('s'), { minLength: 2, maxLength: 3 }) }),
    ),
  })).s;
  test('property: print then parse is the identity on meaning (same matches on random labels)', () => {
    fc.assert(
      fc.property(selector, fc.dictionary(fc.constantFrom('a', 'b', 'x.y/z'), value), (sel, labels) => {
        const printed = printCalicoSelector(sel as never);
        const back = parseCalicoSelector(printed);
        expect(printCalicoSelector(back)).toBe(printed);
        expect(calicoSelectorMatches(back, labels)).toBe(calicoSelectorMatches(sel as never, labels));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  test('property: any text either parses or fails with a located error, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '=', '!', '&', '|', '(', ')', "'", '"', '{', '}', ',', 'in', 'has(', 'all()') }), (text) => {
        try {
          parseCalicoSelector(text);
        } catch (e) {
          expect((e as Error).message).toMatch(/^at column \d+, found /);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('calico/selector-syntax', () => {
  test('an unparsable selector and a misplaced global() are refused with their paths', () => {
    expect(of('calico/selector-syntax', [gnp('p', { types: ['Egress'], selector: 'app = web', egress: [{ action: 'Allow', destination: { selector: "global() && a == 'b'" } }] })])).toEqual([
      ['error', 'spec.selector', "GlobalNetworkPolicy 'p' at spec.selector: \"app = web\" is not a Calico selector: at column 5, found '='; expected an operator after the label ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with'). Example: \"app == 'web' && has(tier)\"; quote values and separate terms with && or ||."],
      ['error', 'spec.egress[0].destination.selector', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.selector: \"global() && a == 'b'\" uses global(), which Calico accepts only as the entire namespaceSelector of a rule's source or destination. Write namespaceSelector: global() on its own."],
    ]);
  });
  test('valid selectors, and global() as a whole rule namespaceSelector, pass', () => {
    expect(of('calico/selector-syntax', [np('p', { types: ['Egress'], selector: "app == 'web'", egress: [{ action: 'Allow', destination: { namespaceSelector: 'global()', selector: "geo == 'x'" } }] })])).toEqual([]);
  });
});

describe('calico/rule-shape and calico/icmp-fields', () => {
  test('bad action, protocol, port, http on Deny, doNotTrack without applyOnForward', () => {
    expect(of('calico/rule-shape', [gnp('p', { types: ['Ingress'], doNotTrack: true, ingress: [{ action: 'allow', protocol: 'TCPX', destination: { ports: ['9:1', 70000, 'http'] } }, { action: 'Deny', protocol: 'TCP', http: { methods: ['GET'] } }] })])).toEqual([
      ['error', 'spec.applyOnForward', "GlobalNetworkPolicy 'p' at spec.applyOnForward: must be true when doNotTrack is set; Calico refuses the policy. Set applyOnForward: true."],
      ['error', 'spec.ingress[0].action', "GlobalNetworkPolicy 'p' at spec.ingress[0].action: is \"allow\"; expected one of Allow, Deny, Log, Pass (case-sensitive)."],
      ['error', 'spec.ingress[0].protocol', "GlobalNetworkPolicy 'p' at spec.ingress[0].protocol: \"TCPX\" is not a protocol; expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255."],
      ['error', 'spec.ingress[0].destination.ports[0]', "GlobalNetworkPolicy 'p' at spec.ingress[0].destination.ports[0]: '9:1' has its start after its end; expected a number 0-65535, a range such as '8000:8100', or a named port."],
      ['error', 'spec.ingress[0].destination.ports[1]', "GlobalNetworkPolicy 'p' at spec.ingress[0].destination.ports[1]: 70000 is not a port (0-65535); expected a number 0-65535, a range such as '8000:8100', or a named port."],
      ['error', 'spec.ingress[1].http', "GlobalNetworkPolicy 'p' at spec.ingress[1].http: is an HTTP match on a Deny rule; Calico accepts http only on Allow rules. Use action: Allow, or drop http."],
    ]);
    expect(of('calico/rule-shape', [gnp('p', { types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'udplite', destination: { ports: [0, '1:65535', 'dns-tcp'] } }, { action: 'Pass', protocol: 132 }] })])).toEqual([]);
  });
  test('ICMP fields need an ICMP protocol, the matching ipVersion, a type for a code, and ranges', () => {
    expect(of('calico/icmp-fields', [gnp('p', { types: ['Egress'], egress: [{ action: 'Allow', icmp: { type: 8 } }, { action: 'Allow', protocol: 'ICMPv6', ipVersion: 4, notICMP: { code: 256 } }] })])).toEqual([
      ['error', 'spec.egress[0].icmp', "GlobalNetworkPolicy 'p' at spec.egress[0].icmp: needs protocol: ICMP or ICMPv6 on the rule (it is not set); Calico refuses ICMP fields otherwise. Add protocol: ICMP (or ICMPv6)."],
      ['error', 'spec.egress[1].ipVersion', "GlobalNetworkPolicy 'p' at spec.egress[1].ipVersion: is 4 but protocol ICMPv6 is IPv6-only; Calico refuses the rule. Set ipVersion: 6 or drop it."],
      ['error', 'spec.egress[1].notICMP.code', "GlobalNetworkPolicy 'p' at spec.egress[1].notICMP.code: is 256; expected an ICMP code 0-255."],
      ['error', 'spec.egress[1].notICMP.code', "GlobalNetworkPolicy 'p' at spec.egress[1].notICMP.code: is set without a type; Calico refuses an ICMP code without its type. Add type (e.g. type: 3 for destination unreachable)."],
    ]);
    expect(of('calico/icmp-fields', [gnp('p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'ICMP', ipVersion: 4, icmp: { type: 3, code: 4 } }] })])).toEqual([]);
  });
});

describe('calico/ports-need-protocol', () => {
  test('numeric ports without TCP/UDP/SCTP are refused; named ports need no protocol', () => {
    expect(of('calico/ports-need-protocol', [gnp('p', { types: ['Egress'], egress: [{ action: 'Allow', destination: { ports: [443, 'https', '8000:8100'] } }] })])).toEqual([
      ['error', 'spec.egress[0].destination.ports', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.ports: lists numeric ports (443, 8000:8100) but the rule's protocol is not set; Calico refuses numeric ports without protocol TCP, UDP or SCTP. Add protocol: TCP (or UDP, SCTP) to the rule."],
    ]);
    expect(of('calico/ports-need-protocol', [gnp('p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }, { action: 'Allow', destination: { ports: ['https'] } }] })])).toEqual([]);
  });
});

describe('calico/mixed-ip-families', () => {
  test('both families in one rule, a catch-all notNets, an ipVersion that disagrees', () => {
    expect(of('calico/mixed-ip-families', [gnp('p', { types: ['Egress'], egress: [
      { action: 'Deny', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['2001:db8::/32'] } },
      { action: 'Deny', destination: { notNets: ['::/0'] } },
      { action: 'Deny', ipVersion: 6, destination: { nets: ['192.0.2.0/24'] } },
    ] })])).toEqual([
      ['error', 'spec.egress[0]', "GlobalNetworkPolicy 'p' at spec.egress[0]: mixes IPv4 and IPv6 CIDRs in its source and destination nets/notNets; Calico refuses the rule. Split it into one rule per family (with ipVersion: 4 and 6), or select GlobalNetworkSets by label."],
      ['error', 'spec.egress[1].destination.notNets', "GlobalNetworkPolicy 'p' at spec.egress[1].destination.notNets: negates the catch-all '::/0', which matches nothing; Calico refuses it. Remove it (to match everything, leave nets and notNets out)."],
      ['error', 'spec.egress[2].ipVersion', "GlobalNetworkPolicy 'p' at spec.egress[2].ipVersion: is 6 but the rule's CIDRs are IPv4; Calico refuses the rule. Set ipVersion: 4 or drop it."],
    ]);
    expect(of('calico/mixed-ip-families', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', ipVersion: 6, destination: { nets: ['2001:db8::/32'], notNets: ['2001:db8:1::/48'] } }] })])).toEqual([]);
  });
});

describe('calico/inline-nets-limit', () => {
  const nets = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  test('257 nets are refused; 256 fit', () => {
    expect(of('calico/inline-nets-limit', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: nets(257) } }] })])).toEqual([
      ['error', 'spec.egress[0].destination.nets', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.nets: has 257 CIDRs; Calico takes at most 256 per rule. Put them into GlobalNetworkSets (labelled) and match them with a selector (CalicoEgressBlock does this)."],
    ]);
    expect(of('calico/inline-nets-limit', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: nets(256) } }] })])).toEqual([]);
  });
  test('51 ports and a 1,025-character selector are refused', () => {
    const ports = Array.from({ length: 51 }, (_, i) => i + 1);
    const sel = `a == '${'x'.repeat(1018)}'`;
    expect(sel.length).toBe(1025);
    expect(of('calico/inline-nets-limit', [gnp('p', { types: ['Egress'], selector: sel, egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports } }] })])).toEqual([
      ['error', 'spec.selector', "GlobalNetworkPolicy 'p' at spec.selector: is 1,025 characters long; Calico takes at most 1024. Label the endpoints or network sets and select by that label."],
      ['error', 'spec.egress[0].destination.ports', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.ports: has 51 ports; Calico takes at most 50 per rule. Use port ranges ('8000:8100') or split the rule."],
    ]);
  });
});

describe('calico/policy-name-format and calico/tier-missing', () => {
  test('more than one dot, upper case and the knp.default. prefix are refused', () => {
    expect(of('calico/policy-name-format', [gnp('t.h.i.ng', {}), gnp('knp.default.thing', {}), np('Web', {}), gnp('egress-blocking.geo', { tier: 'egress-blocking' })])).toEqual([
      ['error', 'metadata.name', "GlobalNetworkPolicy 't.h.i.ng' at metadata.name: 't.h.i.ng' is not a Calico policy name: expected lowercase letters, digits and '-', with at most one '.' (e.g. 'egress-blocking.geo'). Rename it."],
      ['error', 'metadata.name', "GlobalNetworkPolicy 'knp.default.thing' at metadata.name: 'knp.default.thing' starts with 'knp.default.', which Calico reserves for converted Kubernetes NetworkPolicies. Choose another name."],
      ['error', 'metadata.name', "NetworkPolicy 'shop/Web' at metadata.name: 'Web' is not a Calico policy name: expected lowercase letters, digits and '-', with at most one '.' (e.g. 'egress-blocking.geo'). Rename it."],
    ]);
  });
  test('a tier that is neither built in nor among the objects is refused', () => {
    expect(of('calico/tier-missing', [gnp('sec.p', { tier: 'sec', types: ['Egress'] })])).toEqual([
      ['error', 'spec.tier', "GlobalNetworkPolicy 'sec.p' at spec.tier: names tier 'sec', which is not a built-in tier (default, kube-admin, kube-baseline) and is not among these objects; Calico refuses the policy until the tier exists. Add a Tier named 'sec' (with an order) or fix the name."],
    ]);
    expect(of('calico/tier-missing', [tier('sec'), gnp('sec.p', { tier: 'sec', types: ['Egress'] }), gnp('a.p', { tier: 'kube-admin', types: ['Egress'] })])).toEqual([]);
  });
});

describe('calico/types-default-ingress and calico/global-default-deny-too-broad', () => {
  test('a policy without types and rules isolates ingress', () => {
    expect(of('calico/types-default-ingress', [gnp('deny-egress', { selector: "app == 'x'", egress: [] })])).toEqual([
      ['error', 'spec', "GlobalNetworkPolicy 'deny-egress' at spec: has no types and no rules (egress: [] is written): Calico then applies it to Ingress only, so it isolates ingress and leaves egress open. Write types explicitly: types: [Egress] for a default-deny egress policy, types: [Ingress] (or both) otherwise."],
    ]);
    // Nothing written about egress: the intent is unknown, so a warning.
    expect(of('calico/types-default-ingress', [gnp('deny', { selector: "app == 'x'" })])).toEqual([
      ['warning', 'spec', "GlobalNetworkPolicy 'deny' at spec: has no types and no rules: Calico then applies it to Ingress only, so it isolates ingress and leaves egress open. Write types explicitly: types: [Egress] for a default-deny egress policy, types: [Ingress] (or both) otherwise."],
    ]);
    expect(of('calico/types-default-ingress', [gnp('deny-egress', { selector: "app == 'x'", types: ['Egress'] }), gnp('allow', { egress: [{ action: 'Allow' }] })])).toEqual([]);
  });
  test("the docs' \"Don't try this\" global default deny is refused; one excluding the system namespaces and hosts is fine", () => {
    expect(of('calico/global-default-deny-too-broad', [gnp('default-deny', { selector: 'all()', types: ['Ingress', 'Egress'] })])).toEqual([
      ['error', 'spec.selector', "GlobalNetworkPolicy 'default-deny' at spec.selector: isolates Ingress and Egress of every endpoint it selects, pods of kube-system, calico-system, tigera-operator, kube-public and host endpoints included, and has no rule that allows all traffic: whatever its rules do not allow is dropped there, so the control plane and Calico itself lose connectivity they need. Exclude the system namespaces, e.g. selector: \"has(projectcalico.org/namespace) && projectcalico.org/namespace not in {'kube-system', 'calico-system', 'tigera-operator', 'kube-public'}\"."],
    ]);
    expect(of('calico/global-default-deny-too-broad', [
      gnp('default-deny', { selector: "has(projectcalico.org/namespace) && projectcalico.org/namespace not in {'kube-system', 'calico-system', 'tigera-operator', 'kube-public'}", types: ['Ingress', 'Egress'] }),
      gnp('egress-only', { types: ['Egress'] }),
    ])).toEqual([]);
  });
});

describe('calico/log-after-terminal-action, calico/log-only-policy-drops, calico/tier-without-terminal-action', () => {
  const dst = { nets: ['192.0.2.0/24'] };
  test('a Log rule after a Deny with the same match never fires; before it, or narrower-first, is fine', () => {
    expect(of('calico/log-after-terminal-action', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: dst }, { action: 'Log', protocol: 'TCP', destination: dst }, { action: 'Pass' }] })])).toEqual([
      ['error', 'spec.egress[1]', "GlobalNetworkPolicy 'p' at spec.egress[1]: logs traffic that the Deny rule at spec.egress[0] already matches; Allow and Deny end rule processing, so this Log rule never fires. Move it before spec.egress[0]."],
    ]);
    expect(of('calico/log-after-terminal-action', [gnp('p', { types: ['Egress'], egress: [{ action: 'Log', destination: dst }, { action: 'Deny', protocol: 'TCP', destination: dst }, { action: 'Log', destination: dst }, { action: 'Pass' }] })])).toEqual([]);
  });
  test('a Log rule whose nets lie inside an earlier Deny\'s nets never fires either (only identical nets were seen); a wider or disjoint Log is fine', () => {
    const deny = { action: 'Deny', destination: { nets: ['10.0.0.0/8', '192.0.2.0/24'] } };
    const log = (nets: string[]) => ({ action: 'Log', destination: { nets } });
    expect(of('calico/log-after-terminal-action', [gnp('p', { types: ['Egress'], egress: [deny, log(['192.0.2.0/25', '10.1.2.3/32']), { action: 'Pass' }] })])).toEqual([
      ['error', 'spec.egress[1]', "GlobalNetworkPolicy 'p' at spec.egress[1]: logs traffic that the Deny rule at spec.egress[0] already matches; Allow and Deny end rule processing, so this Log rule never fires. Move it before spec.egress[0]."],
    ]);
    for (const nets of [['192.0.2.0/23'], ['192.0.2.0/25', '198.51.100.0/24'], ['2001:db8::/32']]) {
      expect(of('calico/log-after-terminal-action', [gnp('p', { types: ['Egress'], egress: [deny, log(nets), { action: 'Pass' }] })]), nets.join()).toEqual([]);
    }
  });
  test('a log-only policy drops what it selects; a Pass tier or a later allow in the tier saves it', () => {
    expect(of('calico/log-only-policy-drops', [gnp('log-all', { order: 100000, types: ['Ingress', 'Egress'], ingress: [{ action: 'Log' }], egress: [{ action: 'Log' }] })])).toEqual([
      ['error', 'spec.ingress', "GlobalNetworkPolicy 'log-all' at spec.ingress: has only Log rules for Ingress, and no later policy of tier 'default' allows or passes ingress traffic: Log does not end processing, so every ingress packet of the endpoints it selects is dropped at the end of the tier. Add { action: Allow } (or Pass) after the Log rule."],
      ['error', 'spec.egress', "GlobalNetworkPolicy 'log-all' at spec.egress: has only Log rules for Egress, and no later policy of tier 'default' allows or passes egress traffic: Log does not end processing, so every egress packet of the endpoints it selects is dropped at the end of the tier. Add { action: Allow } (or Pass) after the Log rule."],
    ]);
    expect(of('calico/log-only-policy-drops', [tier('audit', 'Pass'), gnp('audit.log', { tier: 'audit', types: ['Egress'], egress: [{ action: 'Log' }] })])).toEqual([]);
    expect(of('calico/log-only-policy-drops', [gnp('a', { order: 1, types: ['Egress'], egress: [{ action: 'Log' }] }), gnp('b', { order: 2, types: ['Egress'], egress: [{ action: 'Allow', destination: dst }] })])).toEqual([]);
  });
  test('Log + Deny with nothing that allows or passes drops all egress of the selected endpoints', () => {
    const block = (extra: Record<string, unknown>[] = []) => gnp('sec.block', { tier: 'sec', order: 0, types: ['Egress'], egress: [{ action: 'Log', destination: dst }, { action: 'Deny', destination: dst }, ...extra] });
    expect(of('calico/tier-without-terminal-action', [tier('sec'), block()])).toEqual([
      ['error', 'spec.egress', "GlobalNetworkPolicy 'sec.block' at spec.egress: only denies egress traffic, and neither a later policy of tier 'sec' nor the tier's defaultAction allows or passes the rest: every other egress packet of the endpoints it selects is dropped at the end of the tier. End the rules with { action: Pass } (to leave the rest to later tiers) or { action: Allow }, or set the tier's defaultAction: Pass."],
    ]);
    expect(of('calico/tier-without-terminal-action', [tier('sec'), block([{ action: 'Pass' }])])).toEqual([]);
    expect(of('calico/tier-without-terminal-action', [tier('sec', 'Pass'), block()])).toEqual([]);
    // In the default tier, Kubernetes NetworkPolicies (order 1000) with egress rules decide after a policy ordered before them.
    const knp = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] } };
    const defaultTierDeny = gnp('deny', { order: 0, types: ['Egress'], egress: [{ action: 'Deny', destination: dst }] });
    expect(of('calico/tier-without-terminal-action', [defaultTierDeny]).map((f) => f[1])).toEqual(['spec.egress']);
    expect(of('calico/tier-without-terminal-action', [defaultTierDeny, knp])).toEqual([]);
    // The whole tier: a later policy of the same tier that allows.
    expect(of('calico/tier-without-terminal-action', [tier('sec'), block(), gnp('sec.rest', { tier: 'sec', order: 10, types: ['Egress'], egress: [{ action: 'Allow' }] })])).toEqual([]);
  });
});

describe('calico/default-tier-allow-overrides-knp', () => {
  const allow = (spec: Record<string, unknown> = {}) => gnp('eb-allow', { order: 1000, types: ['Egress'], egress: [{ action: 'Allow' }], ...spec });
  test('an allow-all in the default tier is an error where tiers exist, a warning below 3.30', () => {
    expect(of('calico/default-tier-allow-overrides-knp', [allow()])).toEqual([
      ['error', 'spec.egress[0]', "GlobalNetworkPolicy 'eb-allow' at spec.egress[0]: allows all egress traffic in the default tier: Kubernetes NetworkPolicies are default-tier policies at order 1000 whose isolation is the end-of-tier drop, so this rule allows the egress traffic they would isolate. Move the policy that needs it into a tier ordered before default and end that policy with { action: Pass } (CalicoEgressBlock: design: tiered)."],
    ]);
    expect(of('calico/default-tier-allow-overrides-knp', [allow({ egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }] })], { name: 't', kubernetes: '1.30', calico: '3.29' })).toEqual([
      ['warning', 'spec.egress[0]', "GlobalNetworkPolicy 'eb-allow' at spec.egress[0]: allows all egress traffic in the default tier: Kubernetes NetworkPolicies are default-tier policies at order 1000 whose isolation is the end-of-tier drop, so this rule allows the egress traffic they would isolate. Calico below 3.30 has no tiers to avoid it; accept it with a suppression that says why, or drop the allow-all policy."],
    ]);
  });
  test('a narrow allow, or an allow-all in another tier, is fine', () => {
    expect(of('calico/default-tier-allow-overrides-knp', [allow({ egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }] }), tier('sec'), gnp('sec.all', { tier: 'sec', types: ['Egress'], egress: [{ action: 'Allow' }] })])).toEqual([]);
  });
});

describe('network sets: calico/selector-and-nets-anded, calico/namespaced-policy-cannot-see-gns, calico/gns-unselected, calico/ipset-size', () => {
  test('selector and nets together is an intersection', () => {
    expect(of('calico/selector-and-nets-anded', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "geo == 'blocked'", nets: ['192.0.2.0/24'] } }] })])).toEqual([
      ['warning', 'spec.egress[0].destination', "GlobalNetworkPolicy 'p' at spec.egress[0].destination: has both selector \"geo == 'blocked'\" and nets: Calico matches only addresses that satisfy both (an intersection). If you meant either, write one rule with the selector and another with the nets."],
    ]);
    expect(of('calico/selector-and-nets-anded', [gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "geo == 'blocked'" } }, { action: 'Deny', destination: { nets: ['192.0.2.0/24'] } }] })])).toEqual([]);
  });
  test('calico/rule-selector-all-is-not-everything: selector all() in a rule warns; no selector does not', () => {
    expect(of('calico/rule-selector-all-is-not-everything', [gnp('p', { types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: 'all()' } }] })])).toEqual([
      ['warning', 'spec.egress[0].destination.selector', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.selector: is all(), which matches only endpoints and network sets Calico knows, not addresses outside the cluster. To match every destination, leave the selector out; to match known endpoints only, keep it and suppress this rule with a reason."],
    ]);
    expect(of('calico/rule-selector-all-is-not-everything', [gnp('p', { types: ['Egress'], selector: 'all()', egress: [{ action: 'Allow' }] })])).toEqual([]);
  });
  test('a namespaced policy selecting a GlobalNetworkSet needs namespaceSelector: global()', () => {
    const set = gns('geo-1', { geo: 'blocked' });
    expect(of('calico/namespaced-policy-cannot-see-gns', [set, np('block', { types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "geo == 'blocked'" } }] })])).toEqual([
      ['error', 'spec.egress[0].destination.selector', "NetworkPolicy 'shop/block' at spec.egress[0].destination.selector: matches the labels of GlobalNetworkSet 'geo-1', but in a namespaced NetworkPolicy the selector only sees the policy's own namespace. Add namespaceSelector: global() to this destination, or use a GlobalNetworkPolicy."],
    ]);
    expect(of('calico/namespaced-policy-cannot-see-gns', [set, np('block', { types: ['Egress'], egress: [{ action: 'Deny', destination: { namespaceSelector: 'global()', selector: "geo == 'blocked'" } }] })])).toEqual([]);
  });
  test('a GlobalNetworkSet without labels or not selected by any rule does nothing', () => {
    const policy = gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "geo == 'blocked'" } }, { action: 'Pass' }] });
    expect(of('calico/gns-unselected', [gns('bare', undefined), gns('other', { geo: 'allowed' }), gns('used', { geo: 'blocked' }), policy])).toEqual([
      ['warning', 'metadata.labels', "GlobalNetworkSet 'bare' at metadata.labels: has no labels, so no rule selector can match it and its CIDRs are never used. Label it and select it from a rule (destination: {selector: \"<key> == '<value>'\"})."],
      ['warning', 'metadata.labels', "GlobalNetworkSet 'other' at metadata.labels: is not matched by any rule selector of these Calico policies (its labels: geo=allowed), so its CIDRs are not used. Select it from a rule, or remove it."],
    ]);
  });
  test('ipset size is counted per family over the sets one selector matches', () => {
    const v4 = (name: string, n: number) => gns(name, { geo: 'blocked' }, new Array<string>(n).fill('10.0.0.0/24')); // only the count matters
    const policy = gnp('p', { types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "geo == 'blocked'" } }, { action: 'Pass' }] });
    const v6 = gns('v6', { geo: 'blocked' }, ['2001:db8::/32']);
    expect(of('calico/ipset-size', [v4('a', 524_288), v4('b', 524_289), v6, policy])).toEqual([
      ['warning', 'spec.egress[0].destination.selector', "GlobalNetworkPolicy 'p' at spec.egress[0].destination.selector: selects network sets with 1,048,577 IPv4 prefixes, more than Felix's default maxIpsetSize (1,048,576); Felix cannot program the ipset. Raise maxIpsetSize in FelixConfiguration (the nftables dataplane has no such limit)."],
    ]);
    expect(of('calico/ipset-size', [v4('a', 524_288), v4('b', 524_288), v6, policy])).toEqual([]);
  });
});

describe('calico/crd-v1-bypasses-validation', () => {
  test('a crd.projectcalico.org/v1 policy warns; projectcalico.org/v3 does not', () => {
    expect(of('calico/crd-v1-bypasses-validation', [gnp('p', { types: ['Egress'] }, 'crd.projectcalico.org/v1')])).toEqual([
      ['warning', 'apiVersion', "GlobalNetworkPolicy 'p' at apiVersion: is crd.projectcalico.org/v1: the API server stores it without Calico's validation and defaulting (types is not filled in), so an invalid rule is silently mis-enforced. Use apiVersion: projectcalico.org/v3, and write types explicitly."],
    ]);
    expect(of('calico/crd-v1-bypasses-validation', [gnp('p', { types: ['Egress'] })])).toEqual([]);
  });
});
