import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HttpRule, ManifestIndex, Target, lint } from '../../src/index.js';

test('HTTP rules render only the fields given', () => {
  expect(HttpRule.get('/discount')._toKube()).toEqual({ method: 'GET', path: '/discount' });
  expect(HttpRule.any()._toKube()).toEqual({});
  expect(HttpRule.of({ host: 'api\\.example\\.com', headers: ['X-Tenant: a'] })._toKube()).toEqual({ host: 'api\\.example\\.com', headers: ['X-Tenant: a'] });
});

test.each([
  [() => HttpRule.of({ method: '' }), 'HttpRule {"method":""}: \'method\' must not be empty; leave it out to match any method.'],
  [() => HttpRule.get('discount'), 'HttpRule {"method":"GET","path":"discount"}: \'path\' is matched against the whole request path, which starts with \'/\'. Did you mean \'/discount\'?'],
  [() => HttpRule.of({ headers: ['bad header: x'] }), 'HttpRule {"headers":["bad header: x"]}: header \'bad header: x\' must be \'Name\' or \'Name: value\' with a valid header name.'],
])('bad HTTP rule %#', (fn, message) => {
  expect(fn).toThrow(message);
});

// Path, method and host are Go RE2 regexes (cilium pkg/policy/api/http.go PortRuleHTTP.Sanitize compiles path and method
// with Go's regexp; pkg/envoy/xds_server.go getHTTPRule hands all three to Envoy as safe_regex), not JavaScript ones.
describe('HTTP regexes are judged as RE2, by the construct and the lint rule alike', () => {
  // Every path, method and host of Cilium's HTTP examples at v1.17.14 (6fc7f9725d4a2f3293b17614181ae2b3fb5529cf):
  // examples/policies/l7/http/{http,l7_multi}.yaml, simple/l7.yaml, getting-started/l7-policy.yaml,
  // kubernetes/serviceaccount/serviceaccount-policy.yaml, Documentation/security/policy/language.rst; plus RE2-only syntax.
  test.each([
    { path: '/public' }, { path: '/public$' }, { path: '/path1$' }, { path: '/path2$' }, { method: 'GET' }, { method: 'POST' }, { method: 'PUT' },
    { host: '^external-service.org$' }, { method: '(?i)get' }, { path: '/api/v[12]/\\pL+' }, { path: '/(?P<id>[0-9]+)' },
  ])('accepted: %o', (options) => {
    expect(() => HttpRule.of(options)).not.toThrow();
  });

  // TestHTTPRuleRegexes (rule_validation_test.go, every tag): method '*' and path '*'; and what JavaScript accepts but
  // RE2 does not. Messages are Go's regexp errors, as re2js reproduces them.
  test.each([
    [{ method: '*' }, `cilium/l7-http-rule-shape: HttpRule {"method":"*"} at method: '*' is not an RE2 regular expression (error parsing regexp: missing argument to repetition operator: \`*\`); Cilium's agent compiles it with Go's regexp (RE2 syntax) and refuses the whole policy. RE2 has no lookarounds or backreferences: match the allowed methods instead (e.g. 'GET|HEAD').`],
    [{ path: '/(?!admin).*' }, `cilium/l7-http-rule-shape: HttpRule {"path":"/(?!admin).*"} at path: '/(?!admin).*' is not an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: \`(?!\`); Cilium's agent compiles it with Go's regexp (RE2 syntax) and refuses the whole policy. RE2 has no lookarounds or backreferences: match the allowed paths instead (e.g. '/public/.*').`],
    [{ path: '/(a)\\1' }, `cilium/l7-http-rule-shape: HttpRule {"path":"/(a)\\\\1"} at path: '/(a)\\1' is not an RE2 regular expression (error parsing regexp: invalid escape sequence: \`\\1\`); Cilium's agent compiles it with Go's regexp (RE2 syntax) and refuses the whole policy. RE2 has no lookarounds or backreferences: match the allowed paths instead (e.g. '/public/.*').`],
    [{ host: 'api.(example' }, `cilium/l7-http-rule-shape: HttpRule {"host":"api.(example"} at host: 'api.(example' is not an RE2 regular expression (error parsing regexp: missing closing ): \`api.(example\`); Envoy, which matches the host as an RE2 regex, refuses it. RE2 has no lookarounds or backreferences: match the allowed hosts instead (e.g. 'api\\.example\\.com').`],
  ])('refused: %o', (options, message) => {
    expect(() => HttpRule.of(options)).toThrow(message);
    // The lint rule on the same rule in hand-written YAML.
    const object = {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [options] } }] }] },
    };
    const found = lint(new ManifestIndex(new Target({ name: 't', kubernetes: '1.30', cilium: '1.18' }), [{ object, applied: true }])).findings;
    const field = Object.keys(options)[0];
    expect(found.map((f) => [f.ruleId, f.path, f.message])).toEqual([
      ['cilium/l7-http-rule-shape', `spec.ingress[0].toPorts[0].rules.http[0].${field}`, `CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].rules.http[0].${field}: ${message.split(` at ${field}: `)[1]}`],
    ]);
  });
});

describe('re2Error: the RE2 check of HTTP paths, methods and hosts', () => {
  test('agrees with the RE2 engine on any printable text, literal or not (literals skip loading the engine)', async () => {
    const { re2Error } = await import('../../src/lint/rules/cilium-sanitize.js');
    const { RE2JS } = await import('re2js');
    const engine = (v: string): string | undefined => {
      try {
        RE2JS.compile(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const char = fc.constantFrom(...'/aZ09-_~:@!&=,;% .+*?()|[]{}^$\\'.split(''), '\u00e9', '\t');
    fc.assert(fc.property(fc.array(char, { maxLength: 12 }).map((a) => a.join('')), (v) => {
      expect(re2Error(v)).toBe(engine(v));
    }), { numRuns: 2000 });
    expect([re2Error('/discount'), re2Error('GET'), re2Error('/a(b')]).toEqual([undefined, undefined, engine('/a(b')]);
    expect(re2Error('/a(b')).toMatch(/^error parsing regexp: /);
  });
});
