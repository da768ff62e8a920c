import { describe, expect, test } from 'vitest';
import { ManifestValidator, Target, formatFinding } from '../../src/index.js';
import { parseRequestUri } from '../../src/core/validation/cel-kubernetes.js';
import { CelRuleSet, celRulesFor, escapePropertyName } from '../../src/core/validation/cel.js';

const calico332 = new Target({ name: 'k332', calico: '3.32' });
const cilium120 = new Target({ name: 'c120', cilium: '1.20' });
const cilium119 = new Target({ name: 'c119', cilium: '1.19' });
const istio130 = new Target({ name: 'i130', istio: '1.30' });

/** The CRD-rule findings of one object, as { path, message }. */
function celFindings(target: Target, obj: Record<string, unknown>): { path: string; message: string }[] {
  return new ManifestValidator(target)
    .validate(obj)
    .filter((f) => f.ruleId === 'k8s/crd-validation-rule')
    .map((f) => ({ path: f.path, message: f.message }));
}

/** Every finding of one object (schema and CEL), as { path, message }, to show an object is otherwise valid. */
function allFindings(target: Target, obj: Record<string, unknown>): { path: string; message: string; ruleId?: string }[] {
  return new ManifestValidator(target).validate(obj).map((f) => ({ path: f.path, message: f.message, ...(f.ruleId ? { ruleId: f.ruleId } : {}) }));
}

/** The finding text of a rule that is false: the CRD's message, then the rule. */
function refused(message: string, rule: string): string {
  return `${message}; the API server refuses the object (CRD rule \`${rule}\`)`;
}

const gnp = (spec: Record<string, unknown>, apiVersion = 'projectcalico.org/v3') => ({ apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name: 'p' }, spec });
const tier = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec });

const PRE_DNAT_DO_NOT_TRACK = '!((has(self.doNotTrack) && self.doNotTrack) && (has(self.preDNAT) && self.preDNAT))';
const PRE_DNAT_EGRESS = '(!has(self.preDNAT) || !self.preDNAT) || !has(self.egress) || size(self.egress) == 0';
const PRE_DNAT_EGRESS_TYPE = "(!has(self.preDNAT) || !self.preDNAT) || !has(self.types) || !self.types.exists(t, t == 'Egress')";
const APPLY_ON_FORWARD = '(has(self.applyOnForward) && self.applyOnForward) || ((!has(self.doNotTrack) || !self.doNotTrack) && (!has(self.preDNAT) || !self.preDNAT))';
const HTTP_TCP = "!has(self.http) || !has(self.protocol) || self.protocol == 'TCP' || self.protocol == 6";
const HTTP_ALLOW = "self.action == 'Allow' || !has(self.http)";
const SERVICES_PORTS =
  '!has(self.destination) || !has(self.destination.services) || (!has(self.destination.ports) || size(self.destination.ports) == 0) && (!has(self.destination.notPorts) || size(self.destination.notPorts) == 0)';
const ICMP_CODE = '!has(self.code) || has(self.type)';
const tierRule = (name: string, action: string) => `self.metadata.name == '${name}' ? (has(self.spec.defaultAction) && self.spec.defaultAction == '${action}') : true`;

describe('Calico 3.32: the 11 validator rules its CRDs state in CEL', () => {
  test('preDNAT together with doNotTrack', () => {
    expect(celFindings(calico332, gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }))).toEqual([
      { path: 'spec', message: refused('preDNAT and doNotTrack cannot both be true', PRE_DNAT_DO_NOT_TRACK) },
    ]);
  });

  test('a preDNAT policy with egress rules', () => {
    expect(celFindings(calico332, gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }))).toEqual([
      { path: 'spec', message: refused('preDNAT policy cannot have any egress rules', PRE_DNAT_EGRESS) },
    ]);
  });

  test("a preDNAT policy of type 'Egress'", () => {
    expect(celFindings(calico332, gnp({ preDNAT: true, applyOnForward: true, types: ['Ingress', 'Egress'] }))).toEqual([
      { path: 'spec', message: refused("preDNAT policy cannot have 'Egress' type", PRE_DNAT_EGRESS_TYPE) },
    ]);
  });

  test('doNotTrack without applyOnForward', () => {
    expect(celFindings(calico332, gnp({ doNotTrack: true, ingress: [{ action: 'Allow' }] }))).toEqual([
      { path: 'spec', message: refused('applyOnForward must be true if either preDNAT or doNotTrack is true', APPLY_ON_FORWARD) },
    ]);
  });

  test('an HTTP match on a UDP rule, reported at the rule that has it', () => {
    expect(celFindings(calico332, gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }, { action: 'Allow', protocol: 'UDP', http: { methods: ['GET'] } }] }))).toEqual([
      { path: 'spec.ingress[1]', message: refused('rules with HTTP match must have protocol TCP or unset', HTTP_TCP) },
    ]);
  });

  test('an HTTP match on a Deny rule', () => {
    expect(celFindings(calico332, gnp({ egress: [{ action: 'Deny', http: { paths: [{ exact: '/admin' }] } }] }))).toEqual([
      { path: 'spec.egress[0]', message: refused('HTTP match is only valid on Allow rules', HTTP_ALLOW) },
    ]);
  });

  test('ports together with a services destination', () => {
    const rule = { action: 'Allow', protocol: 'UDP', destination: { services: { name: 'kube-dns', namespace: 'kube-system' }, ports: [53] } };
    expect(celFindings(calico332, gnp({ egress: [rule] }))).toEqual([{ path: 'spec.egress[0]', message: refused('ports and notPorts cannot be specified with services', SERVICES_PORTS) }]);
  });

  test('an ICMP code without a type, in icmp and in notICMP', () => {
    expect(celFindings(calico332, gnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', icmp: { code: 0 }, notICMP: { type: 8 } }, { action: 'Deny', protocol: 'ICMP', notICMP: { code: 1 } }] }))).toEqual([
      { path: 'spec.ingress[0].icmp', message: refused('ICMP code specified without an ICMP type', ICMP_CODE) },
      { path: 'spec.ingress[1].notICMP', message: refused('ICMP code specified without an ICMP type', ICMP_CODE) },
    ]);
  });

  test("the 'kube-admin' and 'kube-baseline' tiers must pass, the 'default' tier must deny", () => {
    expect(celFindings(calico332, tier('kube-admin', { order: 1000, defaultAction: 'Deny' }))).toEqual([
      { path: '', message: refused("The 'kube-admin' tier must have default action 'Pass'", tierRule('kube-admin', 'Pass')) },
    ]);
    expect(celFindings(calico332, tier('kube-baseline', { order: 10000, defaultAction: 'Deny' }))).toEqual([
      { path: '', message: refused("The 'kube-baseline' tier must have default action 'Pass'", tierRule('kube-baseline', 'Pass')) },
    ]);
    expect(celFindings(calico332, tier('default', { order: 1000000, defaultAction: 'Pass' }))).toEqual([
      { path: '', message: refused("The 'default' tier must have default action 'Deny'", tierRule('default', 'Deny')) },
    ]);
  });

  test("the schema's default applies before the rules: a tier without defaultAction is a 'Deny' tier", () => {
    expect(celFindings(calico332, tier('default', { order: 1000000 }))).toEqual([]);
    expect(celFindings(calico332, tier('kube-admin', { order: 1000 }))).toEqual([
      { path: '', message: refused("The 'kube-admin' tier must have default action 'Pass'", tierRule('kube-admin', 'Pass')) },
    ]);
  });

  test('objects that satisfy every rule pass, schema and CEL', () => {
    const ok = gnp({
      preDNAT: true,
      applyOnForward: true,
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 6, http: { methods: ['GET'] } },
        { action: 'Allow', protocol: 'ICMP', icmp: { type: 8, code: 0 } },
        { action: 'Allow', protocol: 'UDP', destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } },
      ],
    });
    expect(allFindings(calico332, ok)).toEqual([]);
    expect(allFindings(calico332, gnp({ doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }))).toEqual([]);
    expect(allFindings(calico332, tier('kube-admin', { order: 1000, defaultAction: 'Pass' }))).toEqual([]);
    expect(allFindings(calico332, tier('security', { order: 100, defaultAction: 'Pass' }))).toEqual([]);
  });

  test('a finding prints with the object, the path and the rule id, as every other finding does', () => {
    expect(new ManifestValidator(calico332).validate(gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true })).map(formatFinding)).toEqual([
      `GlobalNetworkPolicy 'p' at spec: preDNAT and doNotTrack cannot both be true; the API server refuses the object (CRD rule \`${PRE_DNAT_DO_NOT_TRACK}\`) [k8s/crd-validation-rule]`,
    ]);
  });

  test('the crd.projectcalico.org/v1 API of 3.32 carries the same rules', () => {
    expect(celFindings(calico332, gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }, 'crd.projectcalico.org/v1'))).toEqual([
      { path: 'spec', message: refused('preDNAT and doNotTrack cannot both be true', PRE_DNAT_DO_NOT_TRACK) },
    ]);
  });

  test('older Calico lines have no rules: the same object passes on 3.30', () => {
    expect(celFindings(new Target({ name: 'k330', calico: '3.30' }), gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }, 'crd.projectcalico.org/v1'))).toEqual([]);
  });

  test('after a schema error that stops the API server from running the rules, netsec says so instead of judging them', () => {
    expect(allFindings(calico332, tier('default', { order: 1000000, defaultAction: 'Allow' }))).toEqual([
      { path: 'spec.defaultAction', message: 'expected one of: "Pass", "Deny" (got "Allow")' },
      {
        path: '',
        message: "the CRD's validation rules were not checked because the object has the schema errors above; correct them and validate again",
        ruleId: 'k8s/crd-validation-rule',
      },
    ]);
  });
});

describe('Cilium', () => {
  const cnp = (rest: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'app' }, ...rest });

  test('1.20: a policy needs spec or specs (`has(self.spec) || has(self.specs)` on the object)', () => {
    expect(celFindings(cilium120, cnp({}))).toEqual([{ path: '', message: refused('spec or specs must be provided', 'has(self.spec) || has(self.specs)') }]);
    expect(allFindings(cilium120, cnp({ spec: { endpointSelector: {}, egress: [{}] } }))).toEqual([]);
    expect(allFindings(cilium120, cnp({ specs: [{ endpointSelector: {}, egress: [{}] }] }))).toEqual([]);
    expect(celFindings(cilium120, { ...cnp({}), kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' } })).toEqual([
      { path: '', message: refused('spec or specs must be provided', 'has(self.spec) || has(self.specs)') },
    ]);
  });

  test('1.19 has no such rule', () => {
    expect(celFindings(cilium119, cnp({}))).toEqual([]);
  });

  test("the LocalRedirectPolicy's immutability rules are transition rules: skipped and counted, never reported", () => {
    expect(celRulesFor('cilium/1.20/cilium.io_v2_CiliumLocalRedirectPolicy.json').coverage()).toEqual({
      evaluated: 0,
      skipped: ['spec.redirectBackend', 'spec.redirectFrontend', 'spec.skipRedirectFromBackend'].map((path) => ({
        path,
        rule: 'self == oldSelf',
        reason:
          'a transition rule: it compares the object with the copy stored in the cluster (oldSelf), which netsec does not see; the API server does not evaluate it when an object is created either',
      })),
    });
    const lrp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumLocalRedirectPolicy',
      metadata: { name: 'nodelocaldns', namespace: 'kube-system' },
      spec: {
        redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
        redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }] },
        skipRedirectFromBackend: false,
      },
    };
    expect(allFindings(cilium120, lrp)).toEqual([]);
  });
});

describe('Istio 1.30', () => {
  const obj = (apiVersion: string, kind: string, spec: Record<string, unknown>) => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'app' }, spec });
  const DURATION = "duration(self) >= duration('1ms')";

  test('DestinationRule timeouts: too short, and not a duration (the rule fails to evaluate), in every subset', () => {
    const dr = obj('networking.istio.io/v1', 'DestinationRule', {
      host: 'reviews',
      trafficPolicy: { connectionPool: { tcp: { connectTimeout: '10ms' } } },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { connectionPool: { tcp: { connectTimeout: '500us' }, http: { idleTimeout: '1 hour' } } } },
      ],
    });
    expect(celFindings(istio130, dr)).toEqual([
      { path: 'spec.subsets[1].trafficPolicy.connectionPool.http.idleTimeout', message: `must be a valid duration greater than 1ms (got "1 hour"); the API server refuses the object, because the CRD rule \`${DURATION}\` fails: Failed to parse duration: invalid syntax` },
      { path: 'spec.subsets[1].trafficPolicy.connectionPool.tcp.connectTimeout', message: refused('must be a valid duration greater than 1ms (got "500us")', DURATION) },
    ]);
  });

  test('ServiceEntry: duplicate port numbers (exists_one), CIDR addresses with DNS resolution, a wildcard host, a relative unix socket', () => {
    const se = obj('networking.istio.io/v1', 'ServiceEntry', {
      hosts: ['db.example.com', '*'],
      addresses: ['10.0.0.0/24'],
      resolution: 'DNS',
      ports: [
        { number: 5432, name: 'pg', protocol: 'TCP' },
        { number: 5432, name: 'pg2', protocol: 'TCP' },
      ],
      endpoints: [{ address: 'unix://relative/sock' }],
    });
    expect(celFindings(istio130, se)).toEqual([
      {
        path: 'spec',
        message: refused(
          'CIDR addresses are allowed only for NONE/STATIC resolution types',
          '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))',
        ),
      },
      { path: 'spec.endpoints[0].address', message: refused('UDS must be an absolute path or abstract socket (got "unix://relative/sock")', 'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true') },
      { path: 'spec.hosts[1]', message: refused('hostname cannot be wildcard (got "*")', 'self != "*"') },
      { path: 'spec.ports', message: refused('port number cannot be duplicated', 'self.all(l1, self.exists_one(l2, l1.number == l2.number))') },
    ]);
    const ok = obj('networking.istio.io/v1', 'ServiceEntry', {
      hosts: ['db.example.com'],
      addresses: ['10.0.0.0/24'],
      resolution: 'STATIC',
      ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }],
      endpoints: [{ address: 'unix:///var/run/db.sock' }],
    });
    expect(allFindings(istio130, ok)).toEqual([]);
  });

  test('WasmPlugin url: the Kubernetes URL library (isURL, url, getScheme)', () => {
    const rule = 'isURL(self) ? (url(self).getScheme() in ["", "http", "https", "oci", "file"]) : (isURL("http://" + self) && url("http://" + self).getScheme() in ["", "http", "https", "oci", "file"])';
    expect(celFindings(istio130, obj('extensions.istio.io/v1alpha1', 'WasmPlugin', { url: 'ftp://registry.example.com/filter.wasm' }))).toEqual([
      { path: 'spec.url', message: refused('url must have schema one of [http, https, file, oci] (got "ftp://registry.example.com/filter.wasm")', rule) },
    ]);
    expect(allFindings(istio130, obj('extensions.istio.io/v1alpha1', 'WasmPlugin', { url: 'oci://registry.example.com/filter:1.0' }))).toEqual([]);
    // No scheme: the rule tries it as http://<url>.
    expect(allFindings(istio130, obj('extensions.istio.io/v1alpha1', 'WasmPlugin', { url: 'registry.example.com/filter:1.0' }))).toEqual([]);
  });

  test('RequestAuthentication jwksUri: a wrong scheme, and a string url() refuses (an evaluation error)', () => {
    const rule = 'url(self).getScheme() in ["http", "https"]';
    const ra = obj('security.istio.io/v1', 'RequestAuthentication', { jwtRules: [{ issuer: 'a', jwksUri: 'ftp://keys.example.com/jwks' }, { issuer: 'b', jwksUri: 'keys.example.com/jwks' }] });
    expect(celFindings(istio130, ra)).toEqual([
      { path: 'spec.jwtRules[0].jwksUri', message: refused('url must have scheme http:// or https:// (got "ftp://keys.example.com/jwks")', rule) },
      {
        path: 'spec.jwtRules[1].jwksUri',
        message: `url must have scheme http:// or https:// (got "keys.example.com/jwks"); the API server refuses the object, because the CRD rule \`${rule}\` fails: URL parse error during conversion from string: parse "keys.example.com/jwks": invalid URI for request`,
      },
    ]);
    expect(allFindings(istio130, obj('security.istio.io/v1', 'RequestAuthentication', { jwtRules: [{ issuer: 'a', jwksUri: 'https://keys.example.com/jwks' }] }))).toEqual([]);
  });

  test('PeerAuthentication portLevelMtls: map keys as ports (int(key)) and the selector it needs', () => {
    expect(celFindings(istio130, obj('security.istio.io/v1', 'PeerAuthentication', { portLevelMtls: { '0': { mode: 'STRICT' } } }))).toEqual([
      {
        path: 'spec',
        message: refused(
          'portLevelMtls requires selector',
          'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true',
        ),
      },
      { path: 'spec.portLevelMtls', message: refused('port must be between 1-65535', 'self.all(key, 0 < int(key) && int(key) <= 65535)') },
    ]);
    expect(allFindings(istio130, obj('security.istio.io/v1', 'PeerAuthentication', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }))).toEqual([]);
  });

  test('AuthorizationPolicy: selector and targetRefs together; wildcards in selector labels (rules on a map and on its values)', () => {
    const ap = obj('security.istio.io/v1', 'AuthorizationPolicy', {
      selector: { matchLabels: { app: 'web*', 'team*': 'a' } },
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }],
    });
    expect(celFindings(istio130, ap)).toEqual([
      { path: 'spec', message: refused('only one of targetRefs or selector can be set', '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1') },
      { path: 'spec.selector.matchLabels', message: refused('wildcard not allowed in label key match', 'self.all(key, !key.contains("*"))') },
      { path: 'spec.selector.matchLabels.app', message: refused('wildcard not allowed in label value match (got "web*")', '!self.contains("*")') },
    ]);
  });
});

describe('Kubernetes semantics of the evaluator', () => {
  const resource = { apiVersion: 'example.com/v1', kind: 'Thing', name: 't' };
  const schema = (rules: Record<string, unknown>[], spec: Record<string, unknown> = {}) => ({
    type: 'object',
    properties: {
      apiVersion: { const: 'example.com/v1' },
      kind: { const: 'Thing' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          namespace: { type: 'string' },
          'max-size': { type: 'integer' },
          ratio: { type: 'number' },
          port: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
          mode: { type: 'string', default: 'strict' },
          items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, opt: { type: 'object', properties: { on: { type: 'boolean' } } } } } },
          ...spec,
        },
      },
    },
    'x-netsec-cel': rules,
  });

  test('property names are escaped as in the API server (namespace, dashes), integers are int and numbers double', () => {
    const set = new CelRuleSet(schema([{ path: 'spec', rule: "self.__namespace__ == 'a' && self.max__dash__size == 3 && type(self.max__dash__size) == int && type(self.ratio) == double && type(self.port) == int" }]));
    expect(set.evaluate({ spec: { namespace: 'a', 'max-size': 3, ratio: 2, port: 80 } }, resource)).toEqual([]);
    expect(set.evaluate({ spec: { namespace: 'b', 'max-size': 3, ratio: 2, port: 80 } }, resource).map((f) => f.message)).toEqual([
      "breaks the CRD rule `self.__namespace__ == 'a' && self.max__dash__size == 3 && type(self.max__dash__size) == int && type(self.ratio) == double && type(self.port) == int`; the API server refuses the object",
    ]);
  });

  test('escapePropertyName follows escaping.go', () => {
    expect(['plain', 'namespace', 'a-b', 'x.y/z', 'a__b', '1a', 'a b', ''].map(escapePropertyName)).toEqual([
      'plain',
      '__namespace__',
      'a__dash__b',
      'x__dot__y__slash__z',
      'a__underscores__b',
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('the object root sees apiVersion, kind and only name and generateName of metadata', () => {
    const set = new CelRuleSet(schema([{ path: '', rule: "self.kind == 'Thing' && self.metadata.name == 't' && !has(self.metadata.labels)" }]));
    expect(set.evaluate({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', labels: { a: 'b' } }, spec: {} }, resource)).toEqual([]);
  });

  test('values are converted only when a rule reads them (a root rule does not walk the whole object)', () => {
    const set = new CelRuleSet(schema([{ path: '', rule: 'has(self.spec)' }]));
    const untouchable = Object.defineProperty({}, 'name', {
      enumerable: true,
      get(): string {
        throw new Error('the rule never reads spec.items');
      },
    });
    expect(set.evaluate({ spec: { items: [untouchable] } }, resource)).toEqual([]);
  });

  test('a rule on an absent optional node is not evaluated; on a list it runs for every item', () => {
    const set = new CelRuleSet(schema([{ path: 'spec.items[*].opt', rule: 'self.on', message: 'opt must be on' }]));
    expect(set.evaluate({ spec: {} }, resource)).toEqual([]);
    expect(set.evaluate({ spec: { items: [{ name: 'a' }, { name: 'b', opt: { on: false } }, { name: 'c', opt: { on: true } }, { name: 'd', opt: { on: false } }] } }, resource).map((f) => f.path)).toEqual([
      'spec.items[1].opt',
      'spec.items[3].opt',
    ]);
  });

  test('fieldPath moves the finding, messageExpression words it, and defaults are applied first', () => {
    const set = new CelRuleSet(
      schema([
        { path: 'spec', rule: "self.mode == 'permissive'", message: 'plain message', messageExpression: "'mode is ' + self.mode", fieldPath: ".mode" },
        { path: 'spec', rule: "self.mode == 'permissive'", message: 'plain message', messageExpression: "''", fieldPath: "['mode']" },
      ]),
    );
    expect(set.evaluate({ spec: {} }, resource).map((f) => ({ path: f.path, message: f.message }))).toEqual([
      { path: 'spec.mode', message: "mode is strict; the API server refuses the object (CRD rule `self.mode == 'permissive'`)" },
      // An empty messageExpression result falls back to the message.
      { path: 'spec.mode', message: "plain message; the API server refuses the object (CRD rule `self.mode == 'permissive'`)" },
    ]);
  });

  test('a rule that does not give a bool is an error at its node', () => {
    const set = new CelRuleSet(schema([{ path: 'spec', rule: 'self.ratio' }]));
    expect(set.evaluate({ spec: { ratio: 1.5 } }, resource).map((f) => f.message)).toEqual(['the CRD rule `self.ratio` fails: it gives number, not a bool; the API server refuses the object']);
  });
});

describe("Kubernetes' url() (Go's url.ParseRequestURI)", () => {
  test.each([
    ['https://user:pass@example.com:80/path?query=val#fragment', 'https'],
    ['/absolute-path', ''],
    ['HTTPS://example.com/', 'https'],
    ['mailto:someone', 'mailto'],
    ['http://[::1]:8080/x', 'http'],
  ])('%s has scheme %j', (url, scheme) => {
    expect(parseRequestUri(url)).toEqual({ scheme });
  });

  test.each([
    ['https://a:b:c/', 'invalid port ":c" after host'],
    ['../relative-path', 'invalid URI for request'],
    ['', 'empty url'],
    [':x', 'missing protocol scheme'],
    ['http://exa mple.com/', 'invalid character " " in host name'],
    ['http://example.com/%zz', 'invalid URL escape "%zz"'],
    ['http://[::1/', "missing ']' in host"],
    ['http://a\u0001b/', 'net/url: invalid control character in URL'],
  ])('%j is refused: %s', (url, message) => {
    expect(() => parseRequestUri(url)).toThrow(message);
  });
});
