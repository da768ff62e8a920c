import { describe, expect, test } from 'vitest';
import { AKS_ISTIO_ROOT_NAMESPACE, AuthorizationAction, AuthorizationPolicy, AuthorizationPolicyProps, NetsecError, TargetProps, suppressRules, synthesize } from '../../src/index.js';
import { findOne, synthValid, targetChart } from '../util.js';

const TARGET: TargetProps = { name: 't', kubernetes: '1.30', istio: '1.23' };
const NEWEST: TargetProps = { name: 't', kubernetes: '1.33', istio: '1.30' };
const MESH_WIDE = 'an intended mesh-wide deny-by-default';

describe('AuthorizationPolicy', () => {
  test.each([TARGET, NEWEST])('seed 004: allow-nothing in the AKS root namespace and GET to app: sample in foo, schema-valid on Istio %#', (target) => {
    const { app, chart } = targetChart(target);
    const nothing = AuthorizationPolicy.allowNothing(chart, 'Nothing', { rootNamespace: AKS_ISTIO_ROOT_NAMESPACE });
    suppressRules(nothing, [{ id: 'istio/allow-nothing-scope', reason: MESH_WIDE }]);
    new AuthorizationPolicy(chart, 'Get', { name: 'allow-get-requests', namespace: 'foo', selector: { app: 'sample' }, action: AuthorizationAction.ALLOW, rules: [{ to: [{ methods: ['GET'] }] }] });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'AuthorizationPolicy', 'allow-nothing')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-nothing', namespace: 'aks-istio-system' },
      spec: {},
    });
    expect(findOne(objects, 'AuthorizationPolicy', 'allow-get-requests')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-get-requests', namespace: 'foo' },
      spec: { selector: { matchLabels: { app: 'sample' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
    });
    expect(nothing.meshWide).toBe(true);
  });

  test('every field family: from (principals, namespaces, ipBlocks, remoteIpBlocks and not*), to (hosts, ports, methods, paths and not*), when', () => {
    const { app, chart } = targetChart(NEWEST);
    new AuthorizationPolicy(chart, 'All', {
      name: 'all-fields',
      namespace: 'shop',
      selector: { app: 'api' },
      action: AuthorizationAction.DENY,
      rules: [{
        from: [
          { principals: ['cluster.local/ns/shop/sa/web'], notPrincipals: ['cluster.local/ns/shop/sa/batch'], requestPrincipals: ['issuer/*'], notRequestPrincipals: ['issuer/bot'] },
          { namespaces: ['shop'], notNamespaces: ['legacy'], ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.1.0.0/16'], remoteIpBlocks: ['203.0.113.0/24'], notRemoteIpBlocks: ['203.0.113.7'] },
        ],
        to: [{ hosts: ['api.shop.svc'], notHosts: ['admin.shop.svc'], ports: [8080, '9090'], notPorts: ['9443'], methods: ['POST'], notMethods: ['GET'], paths: ['/orders/{*}', '/v1/*'], notPaths: ['/health'] }],
        when: [
          { key: 'request.headers[x-tenant]', values: ['a'] },
          { key: 'source.ip', notValues: ['10.9.0.0/16'] },
          { key: 'request.auth.claims[groups]', values: ['admins'] },
          { key: 'destination.port', values: ['8080'] },
          { key: 'connection.sni', values: ['*.shop.svc'] },
        ],
      }],
    });
    expect(findOne(synthValid(app).objects, 'AuthorizationPolicy').spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      action: 'DENY',
      rules: [{
        from: [
          { source: { principals: ['cluster.local/ns/shop/sa/web'], notPrincipals: ['cluster.local/ns/shop/sa/batch'], requestPrincipals: ['issuer/*'], notRequestPrincipals: ['issuer/bot'] } },
          { source: { namespaces: ['shop'], notNamespaces: ['legacy'], ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.1.0.0/16'], remoteIpBlocks: ['203.0.113.0/24'], notRemoteIpBlocks: ['203.0.113.7'] } },
        ],
        to: [{ operation: { hosts: ['api.shop.svc'], notHosts: ['admin.shop.svc'], ports: ['8080', '9090'], notPorts: ['9443'], methods: ['POST'], notMethods: ['GET'], paths: ['/orders/{*}', '/v1/*'], notPaths: ['/health'] } }],
        when: [
          { key: 'request.headers[x-tenant]', values: ['a'] },
          { key: 'source.ip', notValues: ['10.9.0.0/16'] },
          { key: 'request.auth.claims[groups]', values: ['admins'] },
          { key: 'destination.port', values: ['8080'] },
          { key: 'connection.sni', values: ['*.shop.svc'] },
        ],
      }],
    });
  });

  test('denyAll, AUDIT, CUSTOM with its provider, and targetRefs', () => {
    const { app, chart } = targetChart(NEWEST);
    AuthorizationPolicy.denyAll(chart, 'Deny', { namespace: 'legacy' });
    new AuthorizationPolicy(chart, 'Audit', { name: 'audit-admin', namespace: 'shop', action: AuthorizationAction.AUDIT, rules: [{ to: [{ paths: ['/admin/{**}'], ports: [8080] }] }] });
    new AuthorizationPolicy(chart, 'Ext', { name: 'ext-authz', namespace: 'shop', action: AuthorizationAction.CUSTOM, provider: 'opa', selector: { app: 'api' }, rules: [{ to: [{ paths: ['/admin/*'], ports: [8080] }] }] });
    new AuthorizationPolicy(chart, 'Gw', {
      name: 'gateway-office-only', namespace: 'istio-ingress', targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      action: AuthorizationAction.DENY, rules: [{ from: [{ notRemoteIpBlocks: ['203.0.113.0/24'] }] }],
    });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'AuthorizationPolicy', 'deny-all')).toMatchObject({ metadata: { namespace: 'legacy' }, spec: { action: 'DENY', rules: [{}] } });
    expect(findOne(objects, 'AuthorizationPolicy', 'audit-admin').spec).toEqual({ action: 'AUDIT', rules: [{ to: [{ operation: { paths: ['/admin/{**}'], ports: ['8080'] } }] }] });
    expect(findOne(objects, 'AuthorizationPolicy', 'ext-authz').spec).toEqual({ selector: { matchLabels: { app: 'api' } }, action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin/*'], ports: ['8080'] } }] }] });
    expect(findOne(objects, 'AuthorizationPolicy', 'gateway-office-only').spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      action: 'DENY',
      rules: [{ from: [{ source: { notRemoteIpBlocks: ['203.0.113.0/24'] } }] }],
    });
  });

  test('an AUDIT policy is a note in the output header (istio/audit-needs-provider, info), not a warning', () => {
    const { app, chart } = targetChart(NEWEST);
    new AuthorizationPolicy(chart, 'Audit', { name: 'audit-admin', namespace: 'shop', action: AuthorizationAction.AUDIT, rules: [{ to: [{ paths: ['/admin/{**}'], ports: [8080] }] }] });
    const result = synthValid(app);
    const message =
      "istio/audit-needs-provider: AuthorizationPolicy 'shop/audit-admin' at spec.action: is AUDIT: matching requests are only marked for audit, neither allowed nor denied, " +
      'and nothing is recorded unless an audit plugin is configured in the mesh (Istio names Stackdriver as the only one). To log requests without one, use Istio access logging ' +
      '(Telemetry accessLogging); to block them, use DENY.';
    expect(result.diagnostics.filter((d) => d.message.startsWith('istio/')).map((d) => [d.level, d.path, d.message])).toEqual([['note', 'test/Audit/Resource', message]]);
    expect(result.files.find((f) => f.path === 't/test.yaml')!.content).toContain(`# Note: ${message.slice(0, 80)}`);
  });

  test('an ALLOW policy says in the output header what it implies; a mesh-wide allow-nothing is an error unless suppressed', () => {
    const { app, chart } = targetChart(TARGET);
    AuthorizationPolicy.allowNothing(chart, 'Nothing');
    new AuthorizationPolicy(chart, 'Get', { name: 'allow-get', namespace: 'foo', selector: { app: 'sample' }, rules: [{ to: [{ methods: ['GET'] }] }] });
    const result = synthesize(app);
    expect(result.findings.map((f) => `${f.ruleId} ${f.constructPath} ${f.path}: ${f.message}`)).toEqual([
      "istio/allow-nothing-scope test/Nothing/Resource spec: is an ALLOW policy without rules (allow-nothing) in Istio's root namespace 'istio-system': every request to every workload in the mesh is denied with 403 unless another ALLOW policy matches it. If a mesh-wide deny-by-default is intended, suppress istio/allow-nothing-scope with that reason; otherwise add rules or move the policy to the namespace it is for.",
    ]);
    expect(result.diagnostics.filter((d) => d.level === 'warning').map((d) => d.message)).toEqual([
      "istio/allow-policy-implies-deny: AuthorizationPolicy 'foo/allow-get' at spec: is an ALLOW policy: once it exists, a request to the workloads labelled app: sample in namespace 'foo' that no ALLOW policy matches is denied with 403 (Istio checks CUSTOM, then DENY, then ALLOW policies; no ALLOW match means deny). Make sure every caller those workloads must keep serving is allowed, health checks and other namespaces included.",
    ]);
  });

  test('a suppressed mesh-wide allow-nothing is written, with the reason in the header', () => {
    const { app, chart } = targetChart(TARGET);
    suppressRules(AuthorizationPolicy.allowNothing(chart, 'Nothing'), [{ id: 'istio/allow-nothing-scope', reason: MESH_WIDE }]);
    const header = synthValid(app).files.find((f) => f.path === 't/test.yaml')!.content;
    expect(header).toContain(`# Note: istio/allow-nothing-scope suppressed (${MESH_WIDE}): AuthorizationPolicy 'istio-system/allow-nothing' at spec: is an ALLOW policy without rules (allow-nothing) in Istio's root namespace 'istio-system'`);
  });

  // Named by its construct path until its namespace and name are checked, then as the object it writes.
  const who = "AuthorizationPolicy 'test/P'";
  const named = "AuthorizationPolicy 'shop/p'";
  const structural = (path: string, message: string) => `istio/authz-structural-errors: ${named} at ${path}: ${message}`;
  test.each<[Partial<AuthorizationPolicyProps>, string]>([
    [{ action: AuthorizationAction.DENY }, structural('spec', 'a DENY policy without rules never matches, and istiod refuses it as meaningless; add an empty rule {} to deny every request (denyAll), or rules that say which requests.')],
    [{ action: AuthorizationAction.CUSTOM, provider: 'opa' }, structural('spec', 'a CUSTOM policy without rules never matches, and istiod refuses it as meaningless; add an empty rule {} to send every request to the provider, or rules that say which requests.')],
    [{ action: AuthorizationAction.CUSTOM, rules: [{}] }, structural('spec.provider', 'a CUSTOM policy needs provider.name, the name of an extension provider in meshConfig.extensionProviders; name it.')],
    [{ action: AuthorizationAction.DENY, provider: 'opa', rules: [{}] }, structural('spec.provider', 'provider is only for action CUSTOM (this policy is DENY); remove it or set action: CUSTOM.')],
    [{ selector: { app: 'a' }, targetRefs: [{ kind: 'Gateway', name: 'g' }] }, structural('spec', 'selector and targetRef(s) are both set; Istio takes one way to pick workloads. Keep selector for sidecars, or targetRefs for gateways and waypoints.')],
    [{ rules: [{ from: [] }] }, structural('spec.rules[0].from', 'from: [] is refused by istiod; leave from out to match every source, or list sources.')],
    [{ rules: [{ to: [] }] }, structural('spec.rules[0].to', 'to: [] is refused by istiod; leave to out to match every operation, or list operations.')],
    [{ rules: [{ from: [{}] }] }, structural('spec.rules[0].from[0].source', 'a source must set at least one field (principals, namespaces, ipBlocks, remoteIpBlocks, requestPrincipals or their not* forms); an empty source is refused. Leave the from entry out to match every source.')],
    [{ rules: [{ to: [{}] }] }, structural('spec.rules[0].to[0].operation', 'an operation must set at least one field (hosts, ports, methods, paths or their not* forms); an empty operation is refused. Leave the to entry out to match every operation.')],
    [{ rules: [{ from: [{ principals: [] }] }] }, structural('spec.rules[0].from[0].source.principals', 'principals: [] is refused by istiod (an empty list); remove the key or list values.')],
    [{ rules: [{ from: [{ ipBlocks: ['10.0.0.300'] }] }] }, structural('spec.rules[0].from[0].source.ipBlocks[0]', '"10.0.0.300" is not an IP address or CIDR; write it as 192.0.2.1 or 192.0.2.0/24.')],
    [{ rules: [{ to: [{ ports: [0] }] }] }, structural('spec.rules[0].to[0].operation.ports[0]', '"0" is not a port; ports are numbers 1-65535 written as strings ("8080").')],
    [{ rules: [{ to: [{ paths: ['/a/{**}/b'], ports: [80] }] }] }, structural('spec.rules[0].to[0].operation.paths[0]', `"/a/{**}/b" is not a valid path template: '{**}' must be the last segment.`)],
    [{ rules: [{ to: [{ paths: ['/a/{id}'], ports: [80] }] }] }, structural('spec.rules[0].to[0].operation.paths[0]', `"/a/{id}" is not a valid path template: segment '{id}' is not a path template operator; use '{*}' (one segment) or '{**}' (the rest of the path) as a whole segment.`)],
    [{ rules: [{ when: [{ key: 'source.ip' }] }] }, structural('spec.rules[0].when[0]', 'condition "source.ip" has neither values nor notValues; istiod refuses it. List the values it must (values) or must not (notValues) have.')],
    [{ rules: [{ when: [{ key: 'request.method', values: ['GET'] }] }] }, structural('spec.rules[0].when[0].key', '"request.method" is not a condition key Istio knows; expected one of: request.headers[], source.ip, remote.ip, source.namespace, source.principal, source.serviceAccount, source.trustDomain, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[], destination.ip, destination.port, connection.sni (names in [...]).')],
    [{ rules: [{ when: [{ key: 'destination.port', values: ['http'] }] }] }, structural('spec.rules[0].when[0]', '"http" is not a port (1-65535), as destination.port needs.')],
    [{ action: AuthorizationAction.CUSTOM, provider: 'opa', rules: [{ from: [{ namespaces: ['shop'] }] }] }, structural('spec.rules[0].from[0].source.namespaces', "a CUSTOM policy cannot use identity fields (namespaces): the provider authorizes before Istio's identity checks. Move the identity condition into an ALLOW or DENY policy.")],
    [{ action: AuthorizationAction.CUSTOM, provider: 'opa', rules: [{ when: [{ key: 'request.auth.principal', values: ['a/b'] }] }] }, structural('spec.rules[0].when[0].key', "a CUSTOM policy cannot use identity conditions (request.auth.principal): the provider authorizes before Istio's identity checks. Move it into an ALLOW or DENY policy.")],
    [{ action: 'REJECT' as AuthorizationAction }, `${named}: 'action' must be one of: ALLOW, DENY, AUDIT, CUSTOM (got "REJECT").`],
    [{ name: 'Bad_Name' }, `${who}: name "Bad_Name" must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters).`],
    [{ namespace: 'Shop' }, `${who} 'namespace': namespace "Shop" must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters).`],
    [{ selector: {} }, `${named}: 'selector' names no label; leave it out for every workload in namespace 'shop', or name labels.`],
    [{ targetRefs: [] }, `${named}: 'targetRefs' is empty; leave it out, or name the Gateway, Service or ServiceEntry the policy attaches to.`],
  ])('refused: %#', (props, message) => {
    const { chart } = targetChart(TARGET);
    expect(() => new AuthorizationPolicy(chart, 'P', { name: 'p', namespace: 'shop', ...props } as AuthorizationPolicyProps)).toThrow(new NetsecError('INVALID', message));
  });

  test("per-line gates: source.serviceAccount from Istio 1.25, source.trustDomain from 1.30 (istiod's known attributes per tag)", () => {
    const when = (key: string) => ({ name: 'p', namespace: 'shop', rules: [{ when: [{ key, values: ['shop/web'] }] }] });
    expect(() => new AuthorizationPolicy(targetChart(TARGET).chart, 'P', when('source.serviceAccount'))).toThrow(
      new NetsecError('INVALID', `${named} at spec.rules[0].when[0].key: condition key "source.serviceAccount" exists only from Istio 1.25 (target 't' runs Istio 1.23); istiod refuses it as an unknown attribute. Use source.principal instead.`.replace(/^/, 'istio/authz-structural-errors: ')),
    );
    expect(() => new AuthorizationPolicy(targetChart({ ...TARGET, istio: '1.29' }).chart, 'P', when('source.trustDomain'))).toThrow(
      new NetsecError('INVALID', `istio/authz-structural-errors: ${named} at spec.rules[0].when[0].key: condition key "source.trustDomain" exists only from Istio 1.30 (target 't' runs Istio 1.29); istiod refuses it as an unknown attribute. Use source.principal instead.`),
    );
    const ok = targetChart({ ...TARGET, istio: '1.25' });
    new AuthorizationPolicy(ok.chart, 'P', when('source.serviceAccount'));
    expect(findOne(synthValid(ok.app).objects, 'AuthorizationPolicy').spec.rules).toEqual([{ when: [{ key: 'source.serviceAccount', values: ['shop/web'] }] }]);
  });

  test('a target without Istio', () => {
    const { chart } = targetChart({ name: 't', cilium: '1.17' });
    expect(() => AuthorizationPolicy.allowNothing(chart, 'P')).toThrow(new NetsecError('INVALID', "AuthorizationPolicy 'test/P': needs Istio, but target 't' names no Istio version."));
  });
});

describe('AuthorizationPolicy metadata (labels and annotations)', () => {
  test('reach the object, also through the factories; policy.metadata adds more later', () => {
    const { app, chart } = targetChart(TARGET);
    const get = new AuthorizationPolicy(chart, 'Get', { name: 'allow-get', namespace: 'foo', selector: { app: 'sample' }, rules: [{ to: [{ methods: ['GET'] }] }], metadata: { labels: { team: 'shop' } } });
    get.metadata.addAnnotation('example.com/reviewed-by', 'sec');
    AuthorizationPolicy.denyAll(chart, 'Deny', { namespace: 'quarantine', metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'AuthorizationPolicy', 'allow-get').metadata).toEqual({ name: 'allow-get', namespace: 'foo', labels: { team: 'shop' }, annotations: { 'example.com/reviewed-by': 'sec' } });
    expect(findOne(objects, 'AuthorizationPolicy', 'deny-all').metadata).toEqual({ name: 'deny-all', namespace: 'quarantine', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
  });

  test('the suppress annotation is refused with what to use instead', () => {
    expect(() => AuthorizationPolicy.allowNothing(targetChart(TARGET).chart, 'Nothing', { metadata: { annotations: { 'netsec.io/suppress': `istio/allow-nothing-scope: ${MESH_WIDE}` } } })).toThrow(
      "AuthorizationPolicy 'istio-system/allow-nothing': metadata.annotations key 'netsec.io/suppress' is netsec's own: netsec validate reads lint suppressions from it; suppress findings with suppressRules(construct, [{ id, reason }]) (or 'suppress:' in netsec.yaml) instead.",
    );
  });
});
