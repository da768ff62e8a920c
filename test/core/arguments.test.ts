import { describe, expect, test } from 'vitest';
import { App } from 'cdk8s';
import { AuthorizationPolicy, CiliumClusterwideNetworkPolicy, CiliumEgressBlock, CiliumNetworkPolicy, EndpointSelector, FqdnSelector, HttpRule, HubbleFlowLogs, IstioMeshSettings, IstioServiceEntry, MtlsMode, NetsecChart, NetsecError, NodeLocalDnsCache, Peer, PeerAuthentication, Port, Target } from '../../src/index.js';
import { targetChart } from '../util.js';

// What a plain-JavaScript caller may pass where the TypeScript types say otherwise. Each of these had been written
// with another meaning: a mesh-wide STRICT PeerAuthentication, an allow-all rule, a selector of every pod, a policy
// without its default deny. Now each is a NetsecError naming the construct and the field.

const T = { name: 't', kubernetes: '1.30', cilium: '1.17', istio: '1.23' };
const any = (v: unknown) => v as never;

describe('wrong types from JavaScript are refused, not written with another meaning', () => {
  test('a PeerAuthentication scope that is not a PeerAuthenticationScope (it had become mesh-wide)', () => {
    expect(() => new PeerAuthentication(targetChart(T).chart, 'Pa', { mode: MtlsMode.STRICT, scope: any('shop') })).toThrow(
      new NetsecError('INVALID', "PeerAuthentication 'test/Pa': 'scope' must be built with PeerAuthenticationScope.mesh(), .namespace(...) or .workload(...) (got the string \"shop\")."),
    );
  });

  test('AuthorizationPolicy rules and their lists must be objects and lists (a string rule was allow-all, a string list was split)', () => {
    const build = (rules: unknown) => () => new AuthorizationPolicy(targetChart(T).chart, 'P', { name: 'p', namespace: 'shop', rules: any(rules) });
    expect(build(['x'])).toThrow(new NetsecError('INVALID', "AuthorizationPolicy 'shop/p': 'rules[0]' must be an object (got the string \"x\")."));
    expect(build([{ to: [{ methods: 'GET' }] }])).toThrow(new NetsecError('INVALID', "AuthorizationPolicy 'shop/p': 'rules[0].to[0].methods' must be a list (got the string \"GET\"); write [\"GET\"]."));
    expect(build('x')).toThrow(new NetsecError('INVALID', "AuthorizationPolicy 'shop/p': 'rules' must be a list (got the string \"x\"); write [\"x\"]."));
  });

  test('selector labels that are not an object (they had selected every pod)', () => {
    expect(() => EndpointSelector.labels(any(42))).toThrow(new NetsecError('INVALID', "EndpointSelector: 'labels' must be an object (got number 42)."));
    expect(() => Peer.podsInNamespace('shop', any('app'))).toThrow(new NetsecError('INVALID', "Peer: 'pods' must be an object (got the string \"app\")."));
  });

  test('Cilium policy enums and the endpoint selector (an unknown default had meant no default deny)', () => {
    const build = (props: Record<string, unknown>) => () => new CiliumNetworkPolicy(targetChart(T).chart, 'P', { name: 'p', namespace: 'shop', ...props } as never);
    expect(build({ ingressDefault: 'Deny' })).toThrow(new NetsecError('INVALID', "CiliumNetworkPolicy 'shop/p': 'ingressDefault' must be one of: unchanged, deny, allow (got the string \"Deny\")."));
    expect(build({ dnsPatterns: 'x' })).toThrow(/'dnsPatterns' must be one of: /);
    expect(build({ endpointSelector: { app: 'web' } })).toThrow(/'endpointSelector' must be built with EndpointSelector\.labels\(\.\.\.\) or EndpointSelector\.of\(\.\.\.\)/);
  });

  test("a target's name and cluster ranges (a number as a name named a folder; [42] as pod CIDRs skipped the overlap refusal)", () => {
    expect(() => new Target({ name: any(42), cilium: '1.17' })).toThrow(new NetsecError('CONFIG', "target name '42' must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters); it names the folder dist/42/."));
    expect(() => new Target({ name: 't', cilium: '1.17', cluster: { podCidrs: any([42]) } })).toThrow(new NetsecError('CONFIG', "Target 't': 'cluster.podCidrs[0]' must be a CIDR string such as '10.244.0.0/16' (got 42)."));
    expect(() => new Target({ name: 't', cilium: '1.17', cluster: { serviceCidrs: any('10.96.0.0/12') } })).toThrow(/'cluster\.serviceCidrs' must be a list \(got the string "10\.96\.0\.0\/12"\)/);
    expect(() => new Target({ name: 't', cilium: '1.17', cluster: { apiServerCidrs: ['x'] } })).toThrow(NetsecError);
    expect(() => new Target({ name: 't', cilium: '1.17', applyMode: any('x') })).toThrow(/'applyMode' must be one of: client-side, server-side/);
  });

  test("an egress block's cidrs and except must be lists (a string was split into characters, except: 42 ignored)", () => {
    const build = (props: Record<string, unknown>) => () => new CiliumEgressBlock(targetChart(T).chart, 'B', { name: 'b', cidrs: ['198.51.100.0/24'], ...props } as never);
    expect(build({ except: '198.51.100.0/25' })).toThrow(new NetsecError('INVALID', "CiliumEgressBlock 'b': 'except' must be a list (got the string \"198.51.100.0/25\"); write [\"198.51.100.0/25\"]."));
    expect(build({ except: 42 })).toThrow(/'except' must be a list \(got number 42\)/);
    expect(build({ cidrs: '198.51.100.0/24' })).toThrow(/'cidrs' must be a list/);
  });

  test("the numeric Port factories take numbers (Port.tcp('https') had become a named port, a range without its end a single port)", () => {
    expect(() => Port.tcp(any('https'))).toThrow(new NetsecError('INVALID', 'Port.tcp("https"): expected a port number; for a named port use Port.named(name, protocol).'));
    expect(() => Port.tcpRange(1000, any(undefined))).toThrow(new NetsecError('INVALID', 'Port.tcpRange(undefined): expected a port number; for a named port use Port.named(name, protocol).'));
    expect(Port.tcp(443).toString()).toBe('443/TCP');
  });

  test('Istio settings and ServiceEntries: booleans, lists and protocols as the types say (they had been written verbatim or split)', () => {
    expect(() => new IstioMeshSettings(targetChart(T).chart, 'Mesh', { pilotEnableStatus: any('false') })).toThrow(/'pilotEnableStatus' must be true or false \(got the string "false"\)/);
    const entry = (props: Record<string, unknown>) => () => new IstioServiceEntry(targetChart(T).chart, 'Se', { name: 'api', namespace: 'shop', hosts: ['api.example.com'], ports: [{ port: 443 }], ...props } as never);
    expect(entry({ exportTo: 'abc' })).toThrow(/'exportTo' must be a list \(got the string "abc"\)/);
    expect(entry({ ports: [{ port: 443, protocol: 'x' }] })).toThrow(/'ports\[\]\.protocol' must be one of: /);
    expect(entry({})).not.toThrow();
  });

  test('strings where strings belong: null had failed inside (".trim is not a function"), HttpRule.of(42) been written as every request', () => {
    expect(() => Peer.fqdn(any(null))).toThrow(new NetsecError('INVALID', "FqdnSelector.matchName('null'): 'name' must be a string (got null)."));
    expect(() => FqdnSelector.matchPattern(any(42))).toThrow(NetsecError);
    expect(() => Peer.cidr(any(null))).toThrow(new NetsecError('INVALID', "Peer.cidr('null'): 'cidr' must be a string (got null)."));
    expect(() => Peer.cidr('192.0.2.0/24', any('192.0.2.0/25'))).toThrow(/'except' must be a list/);
    expect(() => Peer.podsInNamespace(any(null))).toThrow(/'namespace' must be a string \(got null\)/);
    expect(() => HttpRule.of(any(42))).toThrow(/'options' must be an object \(got number 42\)/);
    expect(() => HttpRule.get(any(undefined))).toThrow(/HttpRule\.get: 'path' must be a string \(got undefined\)/);
  });

  test('props that are not an object, and a chart whose target is not a Target (TypeErrors inside, or a failure at the first construct)', () => {
    const { chart } = targetChart(T);
    const constructs: [string, () => unknown][] = [
      ['CiliumNetworkPolicy', () => new CiliumNetworkPolicy(chart, 'A', any(null))],
      ['CiliumClusterwideNetworkPolicy', () => new CiliumClusterwideNetworkPolicy(chart, 'B', any(42))],
      ['NodeLocalDnsCache', () => new NodeLocalDnsCache(chart, 'C', any(null))],
      ['HubbleFlowLogs', () => new HubbleFlowLogs(chart, 'D', any(null))],
      ['AuthorizationPolicy', () => new AuthorizationPolicy(chart, 'E', any(null))],
    ];
    for (const [name, build] of constructs) expect(build, name).toThrow(/'props' must be an object \(got (null|number 42)\)/);
    expect(() => new NetsecChart(new App(), 'c', any({ target: {} }))).toThrow(new NetsecError('INVALID', "NetsecChart 'c': 'target' must be built with new Target({ name, kubernetes, cilium, ... }) (got object {})."));
  });
});
