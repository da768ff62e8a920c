import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NetsecError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/explain/index.js';
import { run } from '../cli/run.js';

/** The rendered error of a scenario text (file name s.yaml). */
function errorOf(text: string): string {
  try {
    parseScenario(text, 's.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(NetsecError);
    return (err as NetsecError).message;
  }
  throw new Error('expected the scenario to be refused');
}

const base = `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  pods: [ { name: client, namespace: default } ]
`;

describe('scenario files: located errors', () => {
  test('an unknown top-level field, with a did-you-mean', () => {
    expect(errorOf(`${base}flws: []\n`)).toBe(
      "s.yaml:1:1: the scenario has no 'flows'; expected flows to be given; add it\n"
      + "s.yaml:5:1: unknown field 'flws' in the scenario; expected one of: target, config, manifests, cluster, flows; did you mean 'flows'?\n"
      + '2 problems in s.yaml; fix them and run again.',
    );
  });

  test("a flow end that is null or a number is not a pod, and quoting it would not make one", () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: null, port: 443 }\n`)).toBe(
      's.yaml:6:33: flows[0].to is empty; expected a pod "namespace/name" or { ip | service | fqdn | node }; name the pod as namespace/name',
    );
    expect(errorOf(`${base}flows:\n  - { from: 8080, to: { ip: 1.1.1.1 }, port: 443 }\n`)).toBe(
      's.yaml:6:13: flows[0].from is 8080 (a number); expected a pod "namespace/name" or { ip | node }; name the pod as namespace/name',
    );
  });

  test('a flow between address families, or ICMP of the other family, describes no packet and is refused', () => {
    const cluster = `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  pods: [ { name: a, namespace: default, ip: 10.0.0.5 }, { name: b6, namespace: default, ip: "fd00::5" } ]
`;
    expect(errorOf(`${cluster}flows:\n  - { from: default/a, to: default/b6, port: 80 }\n  - { from: { ip: 1.2.3.4 }, to: default/b6, port: 80 }\n  - { from: default/a, to: { ip: 1.1.1.1 }, protocol: ICMPv6, icmp: { type: 128 } }\n`)).toBe(
      's.yaml:6:5: flows[0] goes from default/a (10.0.0.5, IPv4) to default/b6 (fd00::5, IPv6); expected ends of one address family, as a packet has; pick ends of one family\n'
      + 's.yaml:7:5: flows[1] goes from 1.2.3.4 (IPv4) to default/b6 (fd00::5, IPv6); expected ends of one address family, as a packet has; pick ends of one family\n'
      + 's.yaml:8:55: flows[2] is an ICMPv6 flow with IPv4 ends; expected ICMP for IPv4; set protocol: ICMP\n'
      + '3 problems in s.yaml; fix them and run again.',
    );
  });

  test('a flow to a name whose answers are all of the other family is refused; a name with both families is judged', () => {
    const text = (answers: string) => `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  pods: [ { name: a, namespace: default, ip: 10.0.0.5 } ]
  dnsAnswers: { "v6.example.com.": ${answers} }
flows:
  - { from: default/a, to: { fqdn: v6.example.com }, port: 443 }
`;
    expect(errorOf(text('["2001:db8::1"]'))).toBe(
      's.yaml:7:5: flows[0] goes from default/a (10.0.0.5, IPv4) to v6.example.com (2001:db8::1, IPv6); expected ends of one address family, as a packet has; pick ends of one family',
    );
    expect(() => parseScenario(text('["2001:db8::1", 192.0.2.1]'), 's.yaml')).not.toThrow();
  });

  test('a pod label key Kubernetes refuses (__proto__, a space) is refused at the key, not silently lost', () => {
    const text = `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  pods: [ { name: a, namespace: default, labels: { __proto__: x, "bad key": y } } ]
flows:
  - { from: default/a, to: { ip: 1.1.1.1 }, port: 443 }
`;
    expect(errorOf(text)).toBe(
      "s.yaml:4:52: cluster.pods[0].labels has the key '__proto__', which is not a Kubernetes label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit; fix the key\n"
      + "s.yaml:4:66: cluster.pods[0].labels has the key 'bad key', which is not a Kubernetes label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit; fix the key\n"
      + '2 problems in s.yaml; fix them and run again.',
    );
  });

  test('an unknown field in a flow, at its key', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 443, verdict: DROPPED }\n`)).toBe(
      "s.yaml:6:61: unknown field 'verdict' in flows[0]; expected one of: name, from, to, port, protocol, icmp, http, dns, expect; remove it",
    );
  });

  test('a pod the cluster does not list', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/cleint, to: { ip: 1.1.1.1 }, port: 443 }\n`)).toBe(
      "s.yaml:6:13: flows[0].from names the pod 'default/cleint', which cluster.pods does not list; expected one of: default/client; add the pod or fix the name",
    );
  });

  test('a port out of range, a bad protocol and a bad verdict, all in one run', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 70000, protocol: tcp, expect: { verdict: DROP } }\n`)).toBe(
      's.yaml:6:56: flows[0].port is 70000 (a number); expected a whole number 1-65535; write it as a number, e.g. port: 443\n'
      + "s.yaml:6:73: flows[0].protocol is 'tcp' (a string); expected one of: TCP, UDP, SCTP, ICMP, ICMPv6; did you mean 'TCP'?\n"
      + "s.yaml:6:97: flows[0].expect.verdict is 'DROP' (a string); expected one of: FORWARDED, DROPPED, DENIED; did you mean 'DROPPED'?\n"
      + '3 problems in s.yaml; fix them and run again.',
    );
  });

  test('an address that is not one', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1 }, port: 443 }\n`)).toBe(
      "s.yaml:6:39: flows[0].to.ip is '1.1.1'; expected an IPv4 or IPv6 address without a prefix length, e.g. 10.244.1.10; fix the address",
    );
  });

  test('an IPv4-mapped IPv6 address and a zone id are refused (::ffff:1.2.3.4 got past a deny on 1.0.0.0/8; cidrs refuse both)', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: "::ffff:1.2.3.4" }, port: 443 }\n`)).toBe(
      "s.yaml:6:39: flows[0].to.ip is '::ffff:1.2.3.4', an IPv4-mapped IPv6 address; expected the IPv4 address itself, 1.2.3.4 (the packet leaves the pod as IPv4); write that",
    );
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: "::FFFF:a0b:c0d" }, port: 443 }\n`)).toBe(
      "s.yaml:6:39: flows[0].to.ip is '::FFFF:a0b:c0d', an IPv4-mapped IPv6 address; expected the IPv4 address itself, 10.11.12.13 (the packet leaves the pod as IPv4); write that",
    );
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: "fe80::1%eth0" }, port: 443 }\n`)).toBe(
      "s.yaml:6:39: flows[0].to.ip is 'fe80::1%eth0', which has a zone id; expected an address without '%zone' (zone ids only mean something on one host); remove it",
    );
  });

  test('two pods, or a pod and a node, with one address are refused (to: { ip } found only the first); hostNetwork pods share their node\'s', () => {
    const cluster = `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  nodes: [ { name: n1, ip: 10.0.0.1 } ]
  pods:
    - { name: a, namespace: default, ip: 10.244.0.5 }
    - { name: b, namespace: default, ip: 10.244.0.5 }
    - { name: c, namespace: default, ip: 10.0.0.1 }
    - { name: agent, namespace: kube-system, hostNetwork: true, node: n1 }
    - { name: v6, namespace: default, ip: "2001:db8::5" }
    - { name: v6-again, namespace: default, ip: "2001:DB8:0::5" }
flows: [{ from: { ip: 1.1.1.1 }, to: { ip: 2.2.2.2 }, port: 80 }]
`;
    expect(errorOf(cluster)).toBe(
      "s.yaml:7:7: the pod 'default/b' has the address 10.244.0.5, like the pod 'default/a'; expected one address per pod and node (a packet to it names one endpoint); give it its own ip\n"
      + "s.yaml:8:7: the pod 'default/c' has the address 10.0.0.1, like the node 'n1'; expected one address per pod and node (a packet to it names one endpoint); give it its own ip\n"
      + "s.yaml:11:7: the pod 'default/v6-again' has the address 2001:DB8:0::5, like the pod 'default/v6'; expected one address per pod and node (a packet to it names one endpoint); give it its own ip\n"
      + '3 problems in s.yaml; fix them and run again.',
    );
  });

  test('an expectation that can never hold: a drop reason without DROPPED, an HTTP status without DENIED', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 443, expect: { verdict: FORWARDED, dropReason: POLICY_DENIED } }\n`)).toBe(
      "s.yaml:6:103: flows[0].expect.dropReason is given with verdict FORWARDED; expected it only with verdict DROPPED; remove dropReason or expect DROPPED",
    );
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 443, expect: { verdict: DROPPED, httpStatus: 403 } }\n`)).toBe(
      "s.yaml:6:101: flows[0].expect.httpStatus is given with verdict DROPPED; expected it only with verdict DENIED; remove httpStatus or expect DENIED",
    );
  });

  test('an fqdn dnsAnswers does not resolve', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { fqdn: api.example.com }, port: 443 }\n`)).toBe(
      's.yaml:6:41: flows[0].to.fqdn is \'api.example.com\', which cluster.dnsAnswers does not resolve; expected a name with addresses; add "api.example.com.": [<address>] to cluster.dnsAnswers',
    );
  });

  test('a target without a product, and a target name without config', () => {
    expect(errorOf('target: { kubernetes: "1.30" }\nmanifests: []\nflows: [{ from: { ip: 1.1.1.1 }, to: { ip: 2.2.2.2 }, port: 80 }]\n')).toBe(
      's.yaml:1:9: target names no network product; expected at least one of cilium, calico, istio beside kubernetes; add e.g. cilium: "1.17"',
    );
    expect(errorOf('target: aks-cilium\nmanifests: []\nflows: [{ from: { ip: 1.1.1.1 }, to: { ip: 2.2.2.2 }, port: 80 }]\n')).toBe(
      "s.yaml:1:9: target is the name 'aks-cilium' but the scenario has no 'config'; expected config: netsec.yaml beside a target name, or version lines (target: { kubernetes: \"1.30\", cilium: \"1.17\" }); add config or write the versions",
    );
  });

  test('an ICMP flow with a port, and HTTP over UDP', () => {
    expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, protocol: ICMP, port: 8, icmp: { type: 8 } }\n  - { from: default/client, to: { ip: 1.1.1.1 }, protocol: UDP, port: 80, http: { method: GET, path: / } }\n`)).toBe(
      's.yaml:6:72: flows[0].port is given for an ICMP flow; expected icmp: { type: 8 } instead of a port; remove port\n'
      + 's.yaml:7:81: flows[1].http is given for a UDP flow; expected HTTP only over TCP; remove http or set protocol: TCP\n'
      + '2 problems in s.yaml; fix them and run again.',
    );
  });

  test('a duplicate key is invalid YAML at its place', () => {
    expect(errorOf(`${base}flows: []\nflows: []\n`)).toBe('s.yaml:6:1: invalid YAML: Map keys must be unique');
  });

  test('defaults: protocol TCP, a made-up stable pod address, the flow name from its ends', () => {
    const s = parseScenario(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 443 }\n`, 's.yaml');
    expect(s.flows[0]).toEqual({ name: 'default/client -> 1.1.1.1:443/TCP', from: { pod: 'default/client' }, to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP', icmp: undefined, http: undefined, dns: undefined, expect: undefined });
    expect(s.cluster.pods[0]!.ip).toBe('10.255.0.2');
    expect(s.cluster.namespaces).toEqual([{ name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } }]);
  });
});

test('config beside version lines is refused at config (it was dropped, and every flow judged against no policy)', () => {
  expect(errorOf('target: { kubernetes: "1.30", cilium: "1.17" }\nconfig: netsec.yaml\nflows: [{ from: { ip: 1.1.1.1 }, to: { ip: 2.2.2.2 }, port: 80 }]\n')).toBe(
    "s.yaml:2:9: config names a netsec.yaml, but target gives version lines, and a config is read for a target of it by name; expected target: <a target of that netsec.yaml> with config, or version lines with manifests; write the target's name, or replace config with manifests",
  );
});

test('a made-up pod address skips the addresses of nodes and any other the scenario writes (a node at 10.255.0.2 had been taken for the pod)', () => {
  const s = parseScenario(
    'target: { kubernetes: "1.30", cilium: "1.17" }\nmanifests: []\ncluster:\n  nodes: [ { name: n1, ip: 10.255.0.2 } ]\n' +
      '  pods: [ { name: web, namespace: default }, { name: api, namespace: default } ]\nflows:\n  - { from: default/web, to: { ip: 10.255.0.4 }, port: 80 }\n',
    's.yaml',
  );
  expect(s.cluster.pods.map((p) => p.ip)).toEqual(['10.255.0.3', '10.255.0.5']);
});

test("'-' is refused as a scenario by netsec test and explain, saying why (it had read as a missing file named '-')", async () => {
  for (const command of ['test', 'explain']) {
    expect(await run(command, '-')).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec: '-' (standard input) is not a scenario file: a scenario names its manifests and config relative to its own folder; write it to a file and name that\n",
    });
  }
});

describe('netsec test and netsec explain on files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netsec-explain-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-all, namespace: default }
spec:
  endpointSelector: {}
  egress: [ {} ]
`;
  const scenario = (verdict: string) => `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: [policies.yaml]
cluster:
  pods: [ { name: client, namespace: default } ]
flows:
  - name: to the world
    from: default/client
    to: { ip: 1.1.1.1 }
    port: 443
    expect: { verdict: ${verdict} }
  - name: not compared
    from: default/client
    to: { ip: 1.1.1.1 }
    port: 80
`;

  test('a mismatch prints expected, got and the explanation, ends with the counts and exits 1', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy);
    writeFileSync(join(dir, 's.yaml'), scenario('FORWARDED'));
    const r = await run('test', join(dir, 's.yaml'));
    expect(r.stdout).toBe([
      `FAIL ${join(dir, 's.yaml')}:6:5: to the world`,
      '  verdict: expected FORWARDED, got DROPPED',
      '  got to the world: DROPPED (POLICY_DENIED 133) by default',
      '    cilium-egress: egress of default/client to 1.1.1.1 (world) on 443/TCP: selected by CiliumNetworkPolicy/default/deny-all; CiliumNetworkPolicy/default/deny-all puts it in egress default-deny, and no rule allows this',
      '0 passed, 1 failed',
      '',
    ].join('\n'));
    expect(r.code).toBe(1);
  });

  test('a matching expectation passes with exit 0', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy);
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED'));
    const r = await run('test', join(dir, 's.yaml'), '--output', 'json');
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: 1, failed: 0 });
    expect(r.code).toBe(0);
  });

  test('a bad scenario exits 2 with its location', async () => {
    writeFileSync(join(dir, 's.yaml'), 'target: { kubernetes: "1.30", cilium: "1.17" }\nmanifests: [missing.yaml]\nflows: [{ from: { ip: 1.1.1.1 }, to: { ip: 2.2.2.2 }, port: 80 }]\n');
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.stderr).toBe("netsec: cannot read the manifests 'missing.yaml' (no such file or folder); expected a YAML file or a folder of them; fix the path in manifests (relative to the scenario file)\n");
    expect(r.code).toBe(2);
  });

  test('an object the API server refuses is an error at its field, not judged as if it meant something (it was judged as no policy)', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy.replace('egress: [ {} ]', 'egress: deny-all'));
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED'));
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.stderr).toBe(
      `policies.yaml:6:3: CiliumNetworkPolicy 'default/deny-all' at spec.egress: expected array (got "deny-all"); the API server refuses this object, so no flow can be judged against it: fix it ('netsec validate' checks manifests the same way)\n`,
    );
    expect(r.code).toBe(2);
  });

  test('a namespaced object without a namespace is in default, as kubectl apply puts it (it was judged as selecting pods of every namespace)', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy.replace('{ name: deny-all, namespace: default }', '{ name: deny-all }'));
    writeFileSync(join(dir, 's.yaml'), `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: [policies.yaml]
cluster:
  pods: [ { name: client, namespace: default }, { name: other, namespace: shop } ]
flows:
  - { name: from default, from: default/client, to: { ip: 1.1.1.1 }, port: 443, expect: { verdict: DROPPED, by: default } }
  - { name: from shop, from: shop/other, to: { ip: 1.1.1.1 }, port: 443, expect: { verdict: FORWARDED } }
`);
    const r = await run('test', join(dir, 's.yaml'));
    expect({ code: r.code, last: r.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: '2 passed, 0 failed' });
  });

  test('a CiliumNetworkPolicy of another API group is not Cilium\'s, and judges nothing', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy.replace('cilium.io/v2', 'example.com/v1'));
    writeFileSync(join(dir, 's.yaml'), scenario('FORWARDED'));
    const r = await run('test', join(dir, 's.yaml'));
    expect({ code: r.code, last: r.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: '1 passed, 0 failed' });
  });

  test('the items of a kubectl export (kind: List) are judged like the same objects on their own', async () => {
    const items = policy.replace(/^/gm, '    ').replace('    apiVersion', '  - apiVersion');
    writeFileSync(join(dir, 'policies.yaml'), `apiVersion: v1\nkind: List\nitems:\n${items}`);
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED'));
    const r = await run('test', join(dir, 's.yaml'));
    expect({ code: r.code, last: r.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: '1 passed, 0 failed' });
  });

  test('an object without metadata.name is refused at its field (it was left out, and its rules with it); generateName stands in for the name', async () => {
    writeFileSync(join(dir, 'policies.yaml'), policy.replace('metadata:', 'metdata:'));
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED'));
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("policies.yaml:3:1: CiliumNetworkPolicy '' at metdata: unknown field 'metdata' (the API server would prune it)");
    writeFileSync(join(dir, 'policies.yaml'), policy.replace('name: deny-all,', 'generateName: deny-all-,'));
    const judged = await run('explain', join(dir, 's.yaml'));
    expect({ code: judged.code, stderr: judged.stderr }).toEqual({ code: 0, stderr: '' });
    expect(judged.stdout).toContain('DROPPED (POLICY_DENIED 133) by default');
    expect(judged.stdout).toContain('selected by CiliumNetworkPolicy/default/deny-all-<generated>');
  });

  test('a document with a kind and a name but no apiVersion is an error where it starts', async () => {
    writeFileSync(join(dir, 'policies.yaml'), `# the policies\n${policy.replace('apiVersion: cilium.io/v2\n', '')}`);
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED'));
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.stderr).toBe("policies.yaml:2:1: CiliumNetworkPolicy 'default/deny-all': no apiVersion; expected a Kubernetes object (apiVersion, kind, metadata)\n");
    expect(r.code).toBe(2);
  });

  test('a document that is no object (a scalar, a map without kind) is an error, not skipped; Helm values files and kustomizations are read as validate reads them', async () => {
    writeFileSync(join(dir, 'policies.yaml'), `just text\n---\n${policy}`);
    writeFileSync(join(dir, 'other.yaml'), 'flows: []\n');
    writeFileSync(join(dir, 'cilium-values.yaml'), 'hubble: { enabled: true }\n');
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [policies.yaml]\n');
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED').replace('manifests: [policies.yaml]', 'manifests: [policies.yaml, other.yaml, cilium-values.yaml, kustomization.yaml]'));
    const r = await run('explain', join(dir, 's.yaml'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr:
        'policies.yaml:1:1: expected a Kubernetes object (a map with apiVersion, kind and metadata), found a scalar; fix the path in manifests (relative to the scenario file)\n' +
        'other.yaml:1:1: no apiVersion and no kind; expected a Kubernetes object (apiVersion, kind, metadata); fix the path in manifests (relative to the scenario file)\n' +
        'netsec: 2 problems in the manifests; fix them and run again.\n',
    });
  });

  test('a symbolic link inside a manifests folder is refused, not followed (a link to the folder above looped until the stack overflowed: exit 3)', async () => {
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'policies.yaml'), policy);
    symlinkSync('..', join(dir, 'm', 'up'));
    writeFileSync(join(dir, 's.yaml'), scenario('DROPPED').replace('manifests: [policies.yaml]', 'manifests: [m]'));
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.stderr).toBe("netsec: the manifests 'm' hold a symbolic link, 'm/up', which is not followed (it may leave the folder or loop); expected files and folders; name its target in manifests\n");
    expect(r.code).toBe(2);
  });

  test('a Service port the Service lacks is an error at the flow', async () => {
    writeFileSync(join(dir, 's.yaml'), `target: { kubernetes: "1.30", cilium: "1.17" }
manifests: []
cluster:
  pods: [ { name: client, namespace: default }, { name: dns, namespace: kube-system, labels: { k8s-app: kube-dns } } ]
  services: [ { name: kube-dns, namespace: kube-system, selector: { k8s-app: kube-dns }, ports: [ { port: 53, protocol: UDP } ] } ]
flows:
  - { name: dns, from: default/client, to: { service: kube-system/kube-dns }, port: 53, protocol: TCP }
`);
    const r = await run('explain', join(dir, 's.yaml'));
    expect(r.stderr).toBe(`${join(dir, 's.yaml')}:7:5: flow 'dns' goes to port 53/TCP of the Service kube-system/kube-dns, which has 53/UDP; expected one of its ports; fix port or protocol\n`);
    expect(r.code).toBe(2);
  });
});

test('an empty flows list and an expect that compares nothing are refused (netsec test passed them, checking nothing)', () => {
  expect(errorOf(`${base}flows: []\n`)).toBe(
    's.yaml:5:8: flows is an empty list, so the scenario judges nothing (and netsec test would pass it); expected at least one flow, e.g. - { from: default/client, to: { ip: 1.1.1.1 }, port: 443 }; add one',
  );
  expect(errorOf(`${base}flows:\n  - { from: default/client, to: { ip: 1.1.1.1 }, port: 443, expect: {} }\n`)).toBe(
    's.yaml:6:69: flows[0].expect names nothing to compare, so netsec test would pass the flow whatever happens to it; expected at least one of verdict, dropReason, httpStatus, by; add one, or remove expect',
  );
});
