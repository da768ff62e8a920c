import { parseAllDocuments } from 'yaml';
import { readOutput } from '../../src/core/output.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { run } from './run.js';

/**
 * netsec.yaml files assembled from valid and invalid pieces: known, unknown and unfit targets, duplicate names, names
 * that collide inside netsec (in every section), good and bad CIDRs (inline and in a feed), non-finite numbers, aliases (used, dangling,
 * nested into a bomb) and control bytes. Whatever the mix, synth must exit 0, 1 or 2, never 3 ("a bug in netsec"), and
 * every failure must say where: its first line starts with `file:line:col:`.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A YAML scalar: JSON strings are YAML double-quoted strings, with control characters as \u escapes. */
const q = (s: string): string => JSON.stringify(s);

const TARGETS = [
  '  - { name: a, kubernetes: "1.30", cilium: "1.17", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }',
  '  - { name: c, kubernetes: "1.30", calico: "3.30", cluster: { podCidrs: [192.168.0.0/16], serviceCidrs: [10.96.0.0/12] } }',
  '  - { name: i, kubernetes: "1.30", istio: "1.23" }',
  '  - { name: k, kubernetes: "1.31" }',
];
/** A second target named `a`: a duplicate, now and then. */
const DUPLICATE_TARGET = '  - { name: a, cilium: "1.18" }';

/** Mostly `good`, sometimes `bad`: each run should reach the build with a few problems, not stop at the first line. */
const mostly = <T>(good: readonly T[], bad: readonly T[], odds = 9): fc.Arbitrary<T> =>
  fc.oneof({ weight: odds, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });

const targetRefs = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.uniqueArray(mostly(['a', 'c', 'i'], ['k', 'aks', 'prod\u001b[0m']), { minLength: 1, maxLength: 2 }) },
);
const cidr = mostly(['203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32', '192.0.2.7'], ['1.2.3.4/33', '10.0.0.1/8', '203.0.113.9/24', 'x\u001b[2J', '0.0.0.0/0', 'x'.repeat(300), '', '# c', '10.0.0.0/8']);
const number = mostly(['100', '7'], ['.inf', '-.inf', '.nan', '1e400', '"100"'], 30);
const name = mostly(['geo', 'web', 'b-c', 'c', 'blk'], ['x\u0007', 'Bad_Name'], 20);
const namespace = fc.option(fc.constantFrom('a', 'a-b', 'shop', 'istio-system'), { nil: undefined });

const targetsLine = (t: string[] | undefined): string => (t === undefined ? '' : `    targets: [${t.map(q).join(', ')}]\n`);

const egressEntry = fc.record({ name, targets: targetRefs, cidrs: fc.array(cidr, { maxLength: 3 }), feed: fc.boolean(), lenient: fc.boolean(), order: fc.option(number, { nil: undefined }) })
  .map((e) =>
    `  - name: ${q(e.name)}\n${targetsLine(e.targets)}` +
    `    cidrs: [${(e.cidrs.length ? e.cidrs : ['203.0.113.0/24']).map(q).join(', ')}]\n` +
    (e.feed ? '    feeds: [{ file: feed.txt }]\n' : '') +
    (e.lenient ? '    lenient: true\n' : '') +
    (e.order !== undefined ? `    calico: { tier: { name: blocking, order: ${e.order} } }\n` : ''));

const policyEntry = fc.record({ name, namespace, targets: targetRefs, cidr: fc.option(cidr, { nil: undefined }) })
  .map((p) =>
    `  - name: ${q(p.name)}\n${p.namespace ? `    namespace: ${q(p.namespace)}\n` : ''}${targetsLine(p.targets)}    egressDefault: deny\n` +
    (p.cidr ? `    egress: [{ to: { cidrs: [${q(p.cidr)}] } }]\n` : ''));

const istioEntry = fc.record({ targets: targetRefs, pas: fc.array(fc.record({ namespace, name: fc.option(fc.constantFrom('default', 'x'), { nil: undefined }) }), { minLength: 1, maxLength: 2 }) })
  .map((i) =>
    `  - peerAuthentications:\n${i.pas.map((p) => `      - { mode: STRICT${p.namespace ? `, namespace: ${q(p.namespace)}` : ''}${p.name ? `, name: ${q(p.name)}` : ''} }\n`).join('')}${targetsLine(i.targets).replace(/^ {4}/, '    ')}`);

const groupEntry = fc.record({ name, cidrs: fc.array(cidr, { minLength: 1, maxLength: 2 }), targets: targetRefs })
  .map((g) => `  - name: ${q(g.name)}\n    cidrs: [${g.cidrs.map(q).join(', ')}]\n${targetsLine(g.targets)}`);

const dnsEntry = fc.record({ targets: targetRefs, name: fc.option(fc.constantFrom('node-local-dns', 'cache'), { nil: undefined }), ttl: fc.option(number, { nil: undefined }) })
  .map((d) => `  - ${d.name ? `name: ${q(d.name)}` : 'component: node-local-dns'}\n${targetsLine(d.targets)}${d.ttl ? `    cache: { successTtlSeconds: ${d.ttl} }\n` : ''}`);

const flowLogEntry = fc.record({ targets: targetRefs, name: fc.option(fc.constantFrom('cilium-flowlog-config', 'logs'), { nil: undefined }), interval: fc.option(number, { nil: undefined }) })
  .map((h) =>
    `  - flowLogs:\n      - name: drops\n        includeFilters: [{ preset: egress-policy-drops }]\n` +
    (h.interval ? `        aggregation: { fields: [verdict], intervalSeconds: ${h.interval} }\n` : '') +
    (h.name ? `    name: ${q(h.name)}\n` : '') +
    targetsLine(h.targets));

/** How the file uses aliases: not at all, to share a list between entries, as a bomb, or dangling. */
const aliases = mostly(['none', 'none', 'shared'], ['bomb', 'dangling']);
const BOMB =
  'x-a: &ba [l, l, l, l, l, l, l, l, l, l]\nx-b: &bb [*ba, *ba, *ba, *ba, *ba, *ba, *ba, *ba, *ba, *ba]\n' +
  'x-c: &bc [*bb, *bb, *bb, *bb, *bb, *bb, *bb, *bb, *bb, *bb]\nx-d: [*bc, *bc, *bc, *bc, *bc, *bc, *bc, *bc, *bc, *bc]\n';

const section = (key: string, entries: string[]): string => (entries.length ? `${key}:\n${entries.join('')}` : '');

const config = fc.record({
  // Cilium always, others often: most files reach the build, some leave a section without a target.
  targets: fc.subarray(TARGETS.slice(1)).map((more) => [TARGETS[0]!, ...more]),
  duplicateTarget: mostly([false], [true]),
  aliases,
  egress: fc.array(egressEntry, { minLength: 1, maxLength: 2 }),
  policies: fc.array(policyEntry, { maxLength: 2 }),
  istio: fc.array(istioEntry, { maxLength: 1 }),
  groups: fc.array(groupEntry, { maxLength: 1 }),
  dns: fc.array(dnsEntry, { maxLength: 2 }),
  flowLogs: fc.array(flowLogEntry, { maxLength: 2 }),
  feed: fc.array(cidr, { minLength: 1, maxLength: 3 }),
}).map((c) => {
  let yaml =
    (c.aliases === 'bomb' ? BOMB : '') +
    `targets:\n${[...c.targets, ...(c.duplicateTarget ? [DUPLICATE_TARGET] : [])].join('\n')}\n` +
    section('egressBlocking', c.egress) +
    section('ciliumCidrGroups', c.groups) +
    section('nodeLocalDns', c.dns) +
    section('ciliumPolicies', c.policies) +
    section('hubbleFlowLogs', c.flowLogs) +
    section('istio', c.istio);
  // The first inline list becomes an anchor and the last one its alias (or an alias with no anchor at all).
  const lists = [...yaml.matchAll(/ {4}cidrs: (\[[^\n]*\])\n/g)];
  if (c.aliases === 'shared' && lists.length >= 2) {
    const [first, last] = [lists[0]!, lists.at(-1)!];
    yaml = yaml.slice(0, last.index) + '    cidrs: *shared\n' + yaml.slice(last.index + last[0].length);
    yaml = yaml.slice(0, first.index) + `    cidrs: &shared ${first[1]}\n` + yaml.slice(first.index + first[0].length);
  } else if (c.aliases === 'dangling' && lists.length) {
    const last = lists.at(-1)!;
    yaml = yaml.slice(0, last.index) + '    cidrs: *nowhere\n' + yaml.slice(last.index + last[0].length);
  }
  return { yaml, feed: `${c.feed.join('\n')}\n` };
});

/** A first line that says where: `file:line:col: ...`, as printed for errors (optionally after `error: `). */
const LOCATED = /^(error: )?[^\s:][^:]*:\d+:\d+: \S/;

describe('netsec synth on random netsec.yaml files', () => {
  test('exits 0, 1 or 2, never 3; every failure starts with its location; every written tree has unique identities within budget', async () => {
    await fc.assert(
      fc.asyncProperty(config, async ({ yaml, feed }) => {
        const dir = mkdtempSync(join(tmpdir(), 'netsec-property-'));
        dirs.push(dir);
        writeFileSync(join(dir, 'netsec.yaml'), yaml);
        writeFileSync(join(dir, 'feed.txt'), feed);
        const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist'));
        const context = `${yaml}\n--- stderr:\n${stderr}`;
        const seen = new Set<string>();
        expect([0, 1, 2], context).toContain(code);
        // Nothing the input holds reaches the terminal raw.
        expect(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(stderr), context).toBe(false);
        if (code !== 0) {
          const first = stderr.split('\n').find((l) => !l.startsWith('warning: ')) ?? '';
          expect(first, context).toMatch(LOCATED);
          return;
        }
        // A written tree: no two objects of a target share an identity, and each fits client-side apply's annotation.
        for (const [path, text] of readOutput(join(dir, 'dist'))) {
          if (path.endsWith('-values.yaml') || path.endsWith('kustomization.yaml')) continue;
          const target = path.split('/')[0]!;
          for (const doc of parseAllDocuments(text)) {
            const o = doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
            const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')).replace(/^crd\.projectcalico\.org$/, 'projectcalico.org') : '';
            const id = `${target} ${group} ${o.kind} ${o.metadata.namespace ?? ''} ${o.metadata.name}`;
            expect(seen.has(id), `${context}\n--- duplicate: ${id}`).toBe(false);
            seen.add(id);
            expect(Buffer.byteLength(JSON.stringify(o)) + 'kubectl.kubernetes.io/last-applied-configuration'.length + 1, context).toBeLessThanOrEqual(262_144);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  // Valid pieces only, with names drawn from one small pool, so entries of different sections collide now and then
  // (an egress block's CIDR group and a ciliumCidrGroups entry, its policy and a clusterwide policy, the Calico allow
  // policy and the block): most runs write a tree, and the tree is checked.
  const pool = fc.constantFrom('geo', 'eb', 'imds', 'eb-allow');
  const validConfig = fc.record({
    egress: fc.uniqueArray(fc.record({ name: pool, allow: fc.option(pool, { nil: undefined }), selector: fc.boolean() }), { selector: (e) => e.name, minLength: 1, maxLength: 2 }),
    groups: fc.uniqueArray(pool, { maxLength: 2 }),
    policies: fc.uniqueArray(pool, { maxLength: 2 }),
  }).map((c) =>
    `targets:\n${TARGETS.slice(0, 2).join('\n')}\n` +
    `egressBlocking:\n${c.egress.map((e, i) => `  - name: ${e.name}\n    cidrs: [203.0.${113 + i}.0/24]\n${e.selector ? '    endpointSelector: { matchLabels: { app: legacy } }\n' : ''}${e.allow ? `    calico: { design: default-tier, allowPolicyName: ${e.allow} }\n    suppress: [{ rule: calico/default-tier-allow-overrides-knp, reason: no NetworkPolicies isolate egress here }]\n` : ''}`).join('')}` +
    (c.groups.length ? `ciliumCidrGroups:\n${c.groups.map((g, i) => `  - name: ${g}\n    cidrs: [198.51.${100 + i}.1/32]\n`).join('')}` : '') +
    (c.policies.length ? `ciliumPolicies:\n${c.policies.map((n) => `  - name: ${n}\n    egressDefault: deny\n`).join('')}` : ''),
  );

  test('valid pieces with clashing names: a tree with unique identities, or a located refusal', async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(validConfig, async (yaml) => {
        const dir = mkdtempSync(join(tmpdir(), 'netsec-property-'));
        dirs.push(dir);
        writeFileSync(join(dir, 'netsec.yaml'), yaml);
        const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist'));
        const context = `${yaml}\n--- stderr:\n${stderr}`;
        expect([0, 1, 2], context).toContain(code);
        if (code !== 0) {
          expect(stderr.split('\n').find((l) => !l.startsWith('warning: ')) ?? '', context).toMatch(LOCATED);
          return;
        }
        written += 1;
        const seen = new Set<string>();
        for (const [path, text] of readOutput(join(dir, 'dist'))) {
          if (path.endsWith('-values.yaml') || path.endsWith('kustomization.yaml')) continue;
          for (const doc of parseAllDocuments(text)) {
            const o = doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
            const group = o.apiVersion.slice(0, Math.max(0, o.apiVersion.lastIndexOf('/'))).replace(/^crd\.projectcalico\.org$/, 'projectcalico.org');
            const id = `${path.split('/')[0]} ${group} ${o.kind} ${o.metadata.namespace ?? ''} ${o.metadata.name}`;
            expect(seen.has(id), `${context}\n--- duplicate: ${id}`).toBe(false);
            seen.add(id);
          }
        }
      }),
      { numRuns: 40 },
    );
    expect(written).toBeGreaterThan(5);
  });
});
