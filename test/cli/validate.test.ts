import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { run } from './run.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'manifests');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder holding `files` (relative paths). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-validate-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const CONFIG_MAP = (name: string, namespace?: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  a: "1"\n`;

describe('netsec validate: files and folders', () => {
  test('a folder is walked in name order for .yaml and .yml files; other files and the output marker are skipped', async () => {
    const dir = folder({
      'b.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: B_bad\n  namespace: x\n',
      'a/z.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Z_bad\n  namespace: x\n',
      'c.YAML': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: C_bad\n  namespace: x\n',
      'notes.txt': 'apiVersion: v1\nkind: Nothing\n',
      '.netsec-output': 'This folder is written by `netsec synth`.\n',
    });
    const { code, stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30');
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        `${dir}/a/z.yaml:4:3: ConfigMap 'x/Z_bad' at metadata.name: 'Z_bad' is not a DNS-1123 subdomain (at most 253 characters)`,
        `${dir}/b.yml:4:3: ConfigMap 'x/B_bad' at metadata.name: 'B_bad' is not a DNS-1123 subdomain (at most 253 characters)`,
        `${dir}/c.YAML:4:3: ConfigMap 'x/C_bad' at metadata.name: 'C_bad' is not a DNS-1123 subdomain (at most 253 characters)`,
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('netsec validate: 3 object(s) in 3 file(s) checked against Kubernetes 1.30; 3 error(s).\n');
  });

  test('a symbolic link inside a folder is not followed, and said so', async () => {
    const dir = folder({ 'real/cm.yaml': CONFIG_MAP('cm', 'x') });
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const { code, stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30');
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
    expect(stderr).toBe(
      `${dir}/link: note: symbolic link not followed (it may leave the folder or loop); name its target to check it\n` +
        'netsec validate: 1 object(s) in 1 file(s) checked against Kubernetes 1.30; 0 error(s).\n',
    );
  });

  test('a path that does not exist is a usage error', async () => {
    const dir = folder({});
    expect(await run('validate', join(dir, 'nope'), '--kubernetes', '1.30')).toEqual({
      code: 2,
      stdout: '',
      stderr: `${dir}/nope: cannot read this file (no such file or folder); expected a readable YAML file or a folder of them\n`,
    });
  });

  test('every document of a multi-document file is checked, each finding at its own line', async () => {
    const dir = folder({ 'all.yaml': `${CONFIG_MAP('a', 'x')}---\n${CONFIG_MAP('b', 'x')}---\n# only a comment\n---\n${CONFIG_MAP('C', 'x')}` });
    const { code, stdout } = await run('validate', join(dir, 'all.yaml'), '--kubernetes', '1.30');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${dir}/all.yaml:22:3: ConfigMap 'x/C' at metadata.name: 'C' is not a DNS-1123 subdomain (at most 253 characters)\n` });
  });
});

describe('netsec validate: objects without a namespace', () => {
  test('an upstream example that names no namespace gives no error; the assumed namespace is said once', async () => {
    const { code, stdout, stderr } = await run('validate', join(FIXTURES, 'cilium-local-redirect'), '--cilium', '1.17', '--kubernetes', '1.30');
    // No error; lint warnings about what the cluster must enable (lrp/feature-not-enabled) may be printed.
    expect({ code, errors: stdout.split('\n').filter((l) => l !== '' && !l.includes(': warning: ')) }).toEqual({ code: 0, errors: [] });
    expect(stderr).toMatch(
      new RegExp(
        // v1 Pod is checked with its kubernetes-models schema, which does not say whether the kind is namespaced.
        `^${escapeRegExp(`note: 3 namespaced objects have no metadata.namespace (the first: Service 'my-service' at ${FIXTURES}/cilium-local-redirect/k8s-svc.yaml:3:1); checked in namespace 'default', as 'kubectl apply' places them without -n; name another with --namespace\n`)}` +
          `${escapeRegExp('netsec validate: 4 object(s) in 4 file(s) checked against Kubernetes 1.30, Cilium 1.17; 0 error(s)')}[^\n]*\\.\n$`,
      ),
    );
  });

  test('--namespace names the namespace; findings name the object in it', async () => {
    const dir = folder({ 'cm.yaml': CONFIG_MAP('Bad') });
    const { stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30', '-n', 'shop');
    expect(stdout).toBe(`${dir}/cm.yaml:4:3: ConfigMap 'shop/Bad' at metadata.name: 'Bad' is not a DNS-1123 subdomain (at most 253 characters)\n`);
    expect(stderr).toContain(`note: 1 namespaced object has no metadata.namespace (the first: ConfigMap 'Bad' at ${dir}/cm.yaml:1:1); checked in namespace 'shop',`);
  });

  test('a cluster-scoped object gets no namespace, and one that names a namespace is still refused', async () => {
    const dir = folder({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: default\n' });
    const { code, stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${dir}/ns.yaml:5:3: Namespace 'default/shop' at metadata.namespace: Namespace is cluster-scoped; expected no namespace (got 'default')\n` });
    expect(stderr).not.toContain('note:');
  });
});

describe('netsec validate: findings at their field', () => {
  test('an unknown field, a missing field and a wrong type each at their own line and column', async () => {
    const policy = [
      'apiVersion: cilium.io/v2', // 1
      'kind: CiliumNetworkPolicy', // 2
      'metadata:', // 3
      '  name: web', // 4
      '  namespace: shop', // 5
      'spec:', // 6
      '  endpointSelector:', // 7
      '    matchLabels: { app: web }', // 8
      '  egress:', // 9
      '    - toFQDN:', // 10
      '        - matchName: example.com', // 11
      '    - toPorts:', // 12
      '        - ports:', // 13
      '            - port: 443', // 14
      '              protocol: TCP', // 15
      '',
    ].join('\n');
    const dir = folder({ 'p.yaml': policy });
    const { code, stdout } = await run('validate', join(dir, 'p.yaml'), '--cilium', '1.17');
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        `${dir}/p.yaml:10:7: CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDN: unknown field 'toFQDN' (the API server would prune it); expected one of: authentication, icmps, toCIDR, toCIDRSet, toEndpoints, toEntities, toFQDNs, toGroups, toNodes, toPorts, toRequires, toServices`,
        // What is left once the API server has pruned the typo: an empty rule, which in Cilium denies all egress.
        `${dir}/p.yaml:10:7: warning: CiliumNetworkPolicy 'shop/web' at spec.egress[0]: is an empty egress rule: in Cilium it allows nothing and switches the selected pods to egress default-deny, so all their egress traffic that no other rule allows is dropped (in a Kubernetes NetworkPolicy the same YAML means "allow all"). Keep it only if deny-all is intended; allow-all is toEntities: [all]. [cilium/egress-empty-rule-denies-all]`,
        `${dir}/p.yaml:14:15: CiliumNetworkPolicy 'shop/web' at spec.egress[1].toPorts[0].ports[0].port: expected string (got 443)`,
        '',
      ].join('\n'),
    );
  });

  test('keys holding dots (label keys) are found whole', async () => {
    const dir = folder({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: x\n  labels:\n    app.kubernetes.io/name: web\n    app.kubernetes.io/part-of: "-bad"\n' });
    const { stdout } = await run('validate', dir, '--kubernetes', '1.30');
    expect(stdout).toBe(
      `${dir}/cm.yaml:8:5: ConfigMap 'x/cm' at metadata.labels.app.kubernetes.io/part-of: '-bad' is not a valid label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)\n`,
    );
  });
});

describe('netsec validate: kubectl exports and other kinds', () => {
  test('the metadata fields the API server sets (a kubectl get -o yaml export) are accepted', async () => {
    const exported = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  creationTimestamp: "2026-01-31T10:00:00Z"',
      '  deletionTimestamp: "2026-02-01T10:00:00Z"',
      '  finalizers: [example.com/keep]',
      '  generation: 3',
      '  managedFields:',
      '    - manager: kubectl-client-side-apply',
      '      operation: Update',
      '  name: cm',
      '  namespace: shop',
      '  ownerReferences: []',
      '  resourceVersion: "4711"',
      '  selfLink: /api/v1/namespaces/shop/configmaps/cm',
      '  uid: 0f1e2d3c-0000-4000-8000-000000000000',
      'data:',
      '  a: "1"',
      '',
    ].join('\n');
    const dir = folder({ 'export.yaml': exported });
    expect(await run('validate', dir, '--kubernetes', '1.30')).toEqual({ code: 0, stdout: '', stderr: 'netsec validate: 1 object(s) in 1 file(s) checked against Kubernetes 1.30; 0 error(s).\n' });
  });

  test('generateName stands in for name; it must leave room for the 5 random characters', async () => {
    const dir = folder({
      'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: job-\n  namespace: x\n',
      'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: Job-\n  namespace: x\n',
      'c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n',
    });
    const { stdout } = await run('validate', dir, '--kubernetes', '1.30');
    expect(stdout).toBe(
      `${dir}/b.yaml:4:3: ConfigMap 'x/' at metadata.generateName: 'Job-' followed by 5 random characters is not a DNS-1123 subdomain (at most 253 characters)\n` +
        `${dir}/c.yaml:3:1: ConfigMap 'x/' at metadata.name: missing required field; expected a name (or a generateName)\n`,
    );
  });

  test('a Kubernetes kind outside the fixed list (v1 Secret) is checked with its kubernetes-models schema', async () => {
    const dir = folder({ 's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  password: 1234\n' });
    const { code, stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${dir}/s.yaml:7:3: Secret 's' at data.password: expected string (got 1234)\n` });
    expect(stderr).toBe('netsec validate: 1 object(s) in 1 file(s) checked against Kubernetes 1.30; 1 error(s).\n');
  });

  test('a kind netsec has no schema for is a note, once per kind, never an error', async () => {
    const cert = (name: string): string => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: ${name}\n  namespace: x\nspec: {}\n`;
    const dir = folder({ 'certs.yaml': `${cert('a')}---\n${cert('b')}---\n${cert('c')}` });
    expect(await run('validate', dir, '--kubernetes', '1.30')).toEqual({
      code: 0,
      stdout: '',
      stderr:
        `${dir}/certs.yaml:1:1: note: cert-manager.io/v1 Certificate not checked: netsec has no schema for it (and 2 more objects of this kind); the lint rules still see it\n` +
        'netsec validate: 3 object(s) in 1 file(s) checked against Kubernetes 1.30; 0 error(s).\n',
    });
  });

  test('a kubectl export (kind: List) is checked item by item, each finding at its field inside the list', async () => {
    const dir = folder({ 'export.yaml': `apiVersion: v1
kind: List
items:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: { name: a, namespace: shop }
    spec:
      endpointSelector: {}
      egress:
        - toEndpoints: []
          toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: { name: b, namespace: shop }
    spec: { endpointSelector: {}, egres: [] }
metadata: { resourceVersion: "" }
` });
    const { code, stdout, stderr } = await run('validate', dir, '--cilium', '1.17');
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout:
        `${dir}/export.yaml:10:11: CiliumNetworkPolicy 'shop/a' at spec.egress[0].toEndpoints: is an empty list, which Cilium (1.16+) reads as "no peer": the rule allows nothing, yet still switches the selected pods to egress default-deny. Leave toEndpoints out to match every peer on the rule's ports, or list the peers. [cilium/empty-peer-list-selects-nothing]\n` +
        `${dir}/export.yaml:15:5: CiliumNetworkPolicy 'shop/b' at spec: expected at least one of the fields: ingress, ingressDeny, egress, egressDeny\n` +
        `${dir}/export.yaml:15:5: CiliumNetworkPolicy 'shop/b' at spec: has none of ingress, ingressDeny, egress and egressDeny; Cilium's agent refuses such a rule ("rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny"), and the whole policy is then not enforced. Add a rule, or remove it. [cilium/rule-shape]\n` +
        `${dir}/export.yaml:15:35: CiliumNetworkPolicy 'shop/b' at spec.egres: unknown field 'egres' (the API server would prune it); expected one of: description, egress, egressDeny, enableDefaultDeny, endpointSelector, ingress, ingressDeny, labels, nodeSelector\n`,
      stderr: 'netsec validate: 2 object(s) in 1 file(s) checked against Cilium 1.17; 4 error(s).\n',
    });
  });

  test('a null item is an error at its line (it crashed the run, exit 3), and a List inside a List is flattened as kubectl does', async () => {
    const dir = folder({
      'lists.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - null\n  - apiVersion: v1\n    kind: List\n    items:\n      - { apiVersion: v1, kind: ConfigMap, metadata: { name: Bad2, namespace: x } }\n',
    });
    const { code, stdout, stderr } = await run('validate', dir, '--cilium', '1.17');
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout:
        `${dir}/lists.yaml:4:5: expected a Kubernetes object (a map with apiVersion, kind and metadata), found null\n` +
        `${dir}/lists.yaml:8:56: ConfigMap 'x/Bad2' at metadata.name: 'Bad2' is not a DNS-1123 subdomain (at most 253 characters)\n`,
      stderr: 'netsec validate: 1 object(s) in 1 file(s) checked against Cilium 1.17; 2 error(s).\n',
    });
  });

  test("a kind of another API group (example.com/v1 CiliumNetworkPolicy) is not Cilium's: a note, and no Cilium rule judges it", async () => {
    const dir = folder({ 'other.yaml': 'apiVersion: example.com/v1\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: shop }\nspec: { foo: bar }\n' });
    expect(await run('validate', dir, '--cilium', '1.17')).toEqual({
      code: 0,
      stdout: '',
      stderr:
        `${dir}/other.yaml:1:1: note: example.com/v1 CiliumNetworkPolicy not checked: netsec has no schema for it; the lint rules still see it\n` +
        'netsec validate: 1 object(s) in 1 file(s) checked against Cilium 1.17; 0 error(s).\n',
    });
  });

  test('a document that is not a Kubernetes object', async () => {
    const dir = folder({ 'x.yaml': '- a\n- b\n---\nfoo: bar\n' });
    const { stdout } = await run('validate', dir, '--kubernetes', '1.30');
    expect(stdout).toBe(
      `${dir}/x.yaml:1:1: expected a Kubernetes object (a map with apiVersion, kind and metadata), found a list\n` +
        `${dir}/x.yaml:4:1: no apiVersion and no kind; expected a Kubernetes object (apiVersion, kind, metadata)\n`,
    );
  });
});

const SEED_004 = join(FIXTURES, 'seed-004', 'sleep-network-policy.yaml');
const FQDN_FINDING =
  "CiliumNetworkPolicy 'foo/sleep-network-policy' at spec.egress[0].toFQDNs: allows matchPattern: *.google.com by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns); the rule that allows port 53 has none: Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule. [cilium/fqdn-without-dns-visibility]";

describe('netsec validate: lint rules', () => {
  test("seed 004's sleep-network-policy reports cilium/fqdn-without-dns-visibility at the toFQDNs line", async () => {
    const { code, stdout } = await run('validate', SEED_004, '--cilium', '1.17', '--kubernetes', '1.30');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${SEED_004}:14:7: ${FQDN_FINDING}\n` });
  });

  /** The seed's policy with a netsec.io/suppress annotation holding `value`. */
  const annotated = (value: string): string => {
    const dir = folder({});
    const text = readFileSync(SEED_004, 'utf8').replace('  namespace: foo\n', `  namespace: foo\n  annotations:\n    netsec.io/suppress: ${JSON.stringify(value)}\n`);
    writeFileSync(join(dir, 'p.yaml'), text);
    return join(dir, 'p.yaml');
  };

  test('a netsec.io/suppress annotation with a reason accepts the finding, which is still listed', async () => {
    const file = annotated('cilium/fqdn-without-dns-visibility: the DNS proxy runs as a standalone agent here; cilium/unknown-entity: not used');
    expect(await run('validate', file, '--cilium', '1.17', '--kubernetes', '1.30')).toEqual({
      code: 0,
      stdout: '',
      stderr:
        `${file}:16:7: suppressed (the DNS proxy runs as a standalone agent here): ${FQDN_FINDING}\n` +
        'netsec validate: 1 object(s) in 1 file(s) checked against Kubernetes 1.30, Cilium 1.17; 0 error(s), 1 suppressed.\n',
    });
  });

  test('a suppression without a reason, of an unknown rule, or of the CRD validation rules is an error at the annotation', async () => {
    const file = annotated('cilium/fqdn-without-dns-visibility; cilium/fqdn-without-dns-visibilty: typo; k8s/crd-validation-rule: we know');
    const { code, stdout } = await run('validate', file, '--cilium', '1.17', '--kubernetes', '1.30');
    const at = `${file}:10:5: CiliumNetworkPolicy 'foo/sleep-network-policy' at metadata.annotations.netsec.io/suppress`;
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        `${at}: the suppression of 'cilium/fqdn-without-dns-visibility' has no reason; write 'cilium/fqdn-without-dns-visibility: <why the finding is accepted>' (reviewers read it)`,
        `${at}: 'cilium/fqdn-without-dns-visibilty' is not a netsec lint rule; expected '<rule-id>: <reason>' with a rule id from docs/rules.md; did you mean 'cilium/fqdn-without-dns-visibility'?`,
        `${at}: 'k8s/crd-validation-rule' cannot be suppressed: the API server refuses an object that breaks its CRD's validation rules, whatever netsec is told; fix the object`,
        `${file}:16:7: ${FQDN_FINDING}`,
        '',
      ].join('\n'),
    );
  });
});

describe('netsec validate: objects that break their schema where a rule reads them', () => {
  // `egress: deny-all` is a string where the CRD has a list of rules; cilium/cidr-group-selector-selects-all walks
  // every egress rule, and met a string there (it crashed the run with "a bug in netsec", exit 3).
  const BROKEN =
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress: deny-all\n';
  const SELECTS_ALL =
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n' +
    '  egress:\n    - toCIDRSet:\n        - cidrGroupSelector: {}\n';

  test('the rule judges the other objects, the schema error is reported at its field, and a note names what the rule left out', async () => {
    const dir = folder({ 'p.yaml': `${BROKEN}---\n${SELECTS_ALL}` });
    const file = join(dir, 'p.yaml');
    const { code, stdout, stderr } = await run('validate', file, '--cilium', '1.17');
    expect(code).toBe(1);
    expect(stdout).toContain(`${file}:8:3: CiliumNetworkPolicy 'shop/web' at spec.egress: expected array (got "deny-all")\n`);
    expect(stdout).toContain(`${file}:19:11: CiliumNetworkPolicy 'shop/api' at spec.egress[0].toCIDRSet[0].cidrGroupSelector: has no label requirement, so it selects every CiliumCIDRGroup in the cluster`);
    expect(stderr).toBe(
      `${file}:1:1: note: cilium/cidr-group-selector-selects-all did not judge CiliumNetworkPolicy 'shop/web': it breaks its schema (see the errors) ` +
        'or netsec has no schema for it, and the rule could not read it. Fix it and run again to have it judged.\n' +
        'netsec validate: 2 object(s) in 1 file(s) checked against Cilium 1.17; 3 error(s), 1 warning(s).\n',
    );
  });

  test('so is an object under an apiVersion its target does not serve, which has no schema to be checked against', async () => {
    const dir = folder({ 'p.yaml': BROKEN.replace('cilium.io/v2', 'cilium.io/v9') });
    const file = join(dir, 'p.yaml');
    const { code, stdout, stderr } = await run('validate', file, '--cilium', '1.17');
    expect(code).toBe(1);
    expect(stdout).toContain(`${file}:1:1: CiliumNetworkPolicy 'shop/web' at apiVersion: 'cilium.io/v9' CiliumNetworkPolicy is not served by Cilium 1.17 (schemas: crds/cilium/1.17); served: cilium.io/v2\n`);
    expect(stderr).toContain(`${file}:1:1: note: cilium/cidr-group-selector-selects-all did not judge CiliumNetworkPolicy 'shop/web': it breaks its schema`);
  });
});

describe('netsec validate --output json', () => {
  test('findings with rule id, severity, file, line, column, path and message; suppressions and notes apart', async () => {
    const dir = folder({ 'cm.yaml': CONFIG_MAP('Bad') });
    const { code, stdout, stderr } = await run('validate', dir, '--kubernetes', '1.30', '--output', 'json');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      target: { name: 'cli', versions: 'Kubernetes 1.30' },
      files: 1,
      objects: 1,
      findings: [
        {
          ruleId: 'k8s/schema',
          severity: 'error',
          file: `${dir}/cm.yaml`,
          line: 4,
          column: 3,
          path: 'metadata.name',
          object: { kind: 'ConfigMap', name: 'Bad', namespace: 'default' },
          message: "'Bad' is not a DNS-1123 subdomain (at most 253 characters)",
        },
      ],
      suppressed: [],
      notes: [
        {
          file: null,
          line: null,
          column: null,
          message: `1 namespaced object has no metadata.namespace (the first: ConfigMap 'Bad' at ${dir}/cm.yaml:1:1); checked in namespace 'default', as 'kubectl apply' places them without -n; name another with --namespace`,
        },
      ],
    });
  });
});

test('--namespace must be a namespace name (a usage error, before any file is read)', async () => {
  expect(await run('validate', 'nonexistent.yaml', '--kubernetes', '1.30', '--namespace', 'Shop_1')).toEqual({
    code: 2,
    stdout: '',
    stderr: "netsec: --namespace Shop_1: not a namespace name; expected a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters), e.g. --namespace shop.\n",
  });
});

test("an IPv6 prefix the API server's net.ParseCIDR refuses is a schema error too (format: cidr), not only a lint finding", async () => {
  const dir = folder({
    'p.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR:\n        - 1::2::3/64\n        - 2001:db8::/32\n',
  });
  const { code, stdout } = await run('validate', dir, '--cilium', '1.17');
  expect({ code, stdout }).toEqual({
    code: 1,
    stdout:
      `${dir}/p.yaml:10:11: CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDR[0]: expected format 'cidr' (got "1::2::3/64")\n` +
      `${dir}/p.yaml:10:11: CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDR[0]: '1::2::3/64' is not an IP address or prefix; Cilium's agent refuses it ("unable to parse CIDR"). Write a prefix such as '192.0.2.0/24'. [cilium/cidr-rule-shape]\n`,
  });
});

test("'-' reads manifests from stdin (kubectl get -o yaml | netsec validate -), named <stdin>", async () => {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    stderrIsTTY: false,
    stdin: Readable.from([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad\n')]),
  };
  const code = await main(['validate', '-', '--kubernetes', '1.30', '-n', 'shop'], io);
  expect({ code, stdout }).toEqual({ code: 1, stdout: "<stdin>:9:3: ConfigMap 'shop/Bad' at metadata.name: 'Bad' is not a DNS-1123 subdomain (at most 253 characters)\n" });
  expect(stderr).toContain('netsec validate: 2 object(s) in 1 file(s) checked against Kubernetes 1.30; 1 error(s).\n');
});

describe('an exported object (kubectl get -o yaml) carries status', () => {
  // The vendored CiliumNetworkPolicy CRDs (1.16-1.20) have the status subresource, so the API server ignores status
  // on writes to the object; the CiliumCIDRGroup CRDs have none, and their schema has no status.
  const withStatus = (apiVersion: string, kind: string, spec: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: p, namespace: default, resourceVersion: "42"}\nspec: ${spec}\nstatus:\n  conditions: [{type: Valid, status: "True"}]\n`;

  test('status is no error on a kind whose CRD has the status subresource', async () => {
    const dir = folder({ 'cnp.yaml': withStatus('cilium.io/v2', 'CiliumNetworkPolicy', '{endpointSelector: {}, egress: [{toEntities: [world]}]}') });
    const r = await run('validate', join(dir, 'cnp.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('status');
  });

  test('status is still an unknown field where the CRD has no status subresource', async () => {
    const dir = folder({ 'group.yaml': withStatus('cilium.io/v2alpha1', 'CiliumCIDRGroup', '{externalCIDRs: [192.0.2.0/24]}').replace('namespace: default, ', '') });
    const r = await run('validate', join(dir, 'group.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
    expect(r.stdout + r.stderr).toContain("CiliumCIDRGroup 'p' at status: unknown field 'status' (the API server would prune it)");
    expect(r.code).toBe(1);
  });
});

test('a name that is not a string (an unrendered template) is named as written and refused as not a string', async () => {
  const dir = folder({ 't.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: {{.Name}}\n  namespace: default\nspec:\n  endpointSelector: {}\n  egress: [{toEntities: [world]}]\n' });
  const r = await run('validate', join(dir, 't.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
  expect(r.stdout + r.stderr).toContain(`t.yaml:4:3: CiliumNetworkPolicy 'default/{"{ .Name }":null}' at metadata.name: expected a string (got {"{ .Name }":null}); a template placeholder such as {{ .Name }} must be rendered first`);
  expect(r.stdout + r.stderr).not.toContain('[object Object]');
  expect(r.code).toBe(1);
});

describe("Calico's public API and kinds netsec does not vendor", () => {
  // version-facts: projectcalico.org/v3 is the public API (the Calico API server, in operator installs by default
  // since 3.20, or calicoctl); tigera/docs examples are written in it.
  const policy = () => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: post, namespace: microblog}\nspec:\n  selector: app == 'post'\n  types: [Ingress]\n  ingress: [{action: Allow, source: {selector: app == 'api'}}]\n`;

  test('a projectcalico.org/v3 policy on Calico 3.30 is checked against the line\'s storage CRD, not refused', async () => {
    const ok = folder({ 'p.yaml': policy() });
    expect((await run('validate', join(ok, 'p.yaml'), '--calico', '3.30', '--kubernetes', '1.30')).code).toBe(0);
    const bad = folder({ 'p.yaml': policy().replace('spec:\n', 'spec:\n  bogus: 1\n') });
    const r = await run('validate', join(bad, 'p.yaml'), '--calico', '3.30', '--kubernetes', '1.30');
    expect(r.stdout + r.stderr).toContain("p.yaml:5:3: NetworkPolicy 'microblog/post' at spec.bogus: unknown field 'bogus' (the API server would prune it)");
    expect(r.code).toBe(1);
  });

  test('a Calico kind netsec vendors on no line is not checked (a note); a Tier on 3.28, which has none, is an error', async () => {
    const dir = folder({
      'h.yaml': 'apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: master.eth0}\nspec: {node: master, interfaceName: eth0}\n',
      't.yaml': 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n',
    });
    const r = await run('validate', dir, '--calico', '3.28', '--kubernetes', '1.30');
    expect(r.stdout + r.stderr).toContain('h.yaml:1:1: note: projectcalico.org/v3 HostEndpoint not checked: netsec has no schema for it; the lint rules still see it');
    expect(r.stdout + r.stderr).toContain("t.yaml:1:1: Tier 'security' at apiVersion: 'projectcalico.org/v3' Tier is not served by Calico 3.28 (schemas: crds/calico/v3.28.5); Calico 3.28 has no Tier CRD");
    expect(r.code).toBe(1);
  });
});

describe('netsec validate: info findings', () => {
  // A flow log written to /tmp: legal, but the file is lost when the agent restarts (hubble/filepath-location, info).
  const FLOW_LOGS =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-flowlog-config\n  namespace: kube-system\ndata:\n' +
    '  flowlogs.yaml: |\n    flowLogs:\n      - name: all\n        filePath: /tmp/flows.log\n';
  const MESSAGE =
    "'/tmp/flows.log' is outside /var/run/cilium/ (the agent's cilium-run hostPath mount), so the file lands in the agent container's own filesystem: " +
    "lost when the agent restarts, unseen by the node's log shippers, and perhaps not writable. Write it under /var/run/cilium/hubble/ (Helm's default is " +
    '/var/run/cilium/hubble/events.log), or use filePath: stdout.';

  test('print as info at their line, count apart from warnings, and leave the exit code at 0', async () => {
    const file = join(folder({ 'cm.yaml': FLOW_LOGS }), 'cm.yaml');
    const { code, stdout, stderr } = await run('validate', file, '--cilium', '1.18');
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: `${file}:10:9: info: ConfigMap 'kube-system/cilium-flowlog-config' at data.flowlogs.yaml#flowLogs[0].filePath: ${MESSAGE} [hubble/filepath-location]\n`,
      stderr: 'netsec validate: 1 object(s) in 1 file(s) checked against Cilium 1.18; 0 error(s), 1 info.\n',
    });
  });

  test('are SARIF notes, and the rule defaults to note', async () => {
    const file = join(folder({ 'cm.yaml': FLOW_LOGS }), 'cm.yaml');
    const { code, stdout } = await run('validate', file, '--cilium', '1.18', '--output', 'sarif');
    expect(code).toBe(0);
    const log = JSON.parse(stdout) as { runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; level: string }[] }[] };
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([['hubble/filepath-location', 'note']]);
    expect(log.runs[0]!.tool.driver.rules.find((r) => r.id === 'hubble/filepath-location')!.defaultConfiguration).toEqual({ level: 'note' });
  });
});

describe('netsec validate: a finding on an annotation key with dots and a slash', () => {
  test('istio/native-sidecar-cluster-support points at the annotation line of the pod template', async () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n' +
      '    metadata:\n      labels: { app: web }\n      annotations:\n        sidecar.istio.io/nativeSidecar: "true"\n' +
      '    spec:\n      containers:\n        - { name: web, image: nginx }\n';
    const file = join(folder({ 'web.yaml': text }), 'web.yaml');
    const { code, stdout } = await run('validate', file, '--kubernetes', '1.28', '--istio', '1.24');
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${file}:13:9: Deployment 'shop/web' at spec.template.metadata.annotations.sidecar.istio.io/nativeSidecar: asks for istio-proxy as a native sidecar in these pods, but native sidecars ` +
        "need the SidecarContainers feature (beta, on by default), which needs Kubernetes 1.29 or later; target 'cli' runs Kubernetes 1.28, where the feature gate is alpha and off, " +
        'so injected pods would be rejected. Remove the annotation, or set it to "false". [istio/native-sidecar-cluster-support]\n',
    );
  });
});

describe('netsec validate: YAML merge keys', () => {
  test('<< merge keys are expanded as kubectl expands them (they were an unknown field <<)', async () => {
    const text = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: a, namespace: x }\nspec:\n  endpointSelector:\n    <<: { matchLabels: { app: web } }\n  egress:\n    - toEndpoints: [{ matchLabels: { app: x } }]\n';
    const file = join(folder({ 'merge.yaml': text }), 'merge.yaml');
    expect(await run('validate', file, '--cilium', '1.17')).toEqual({ code: 0, stdout: '', stderr: 'netsec validate: 1 object(s) in 1 file(s) checked against Cilium 1.17; 0 error(s).\n' });
  });
});
