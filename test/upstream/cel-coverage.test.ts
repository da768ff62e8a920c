import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { celRulesOf } from '../../scripts/crd-schema.mjs';
import { NOT_EVALUABLE_OFFLINE, celRulesFor, compileRule } from '../../src/core/validation/cel.js';

const root = join(__dirname, '..', '..');

type Node = Record<string, unknown>;
interface VendoredRule {
  readonly crd: string;
  readonly rule: string;
  readonly messageExpression?: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? yamlFiles(full) : name.endsWith('.yaml') ? [full] : [];
  });
}

/** Every served version's openAPIV3Schema of every vendored CRD, with a readable name. */
const servedSchemas: { name: string; schema: Node }[] = yamlFiles(join(root, 'upstream', 'crds')).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as { kind?: string; spec: { names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: Node } }[] } } | null)
    .filter((crd) => crd?.kind === 'CustomResourceDefinition')
    .flatMap((crd) => crd!.spec.versions.filter((v) => v.served).map((v) => ({ name: `${relative(root, file)} ${crd!.spec.names.kind} ${v.name}`, schema: v.schema.openAPIV3Schema }))),
);

/** Every `x-kubernetes-validations` entry anywhere in a schema (whatever the key it sits under), with its path. */
function everyRule(node: unknown, path: string, out: { path: string; rule: Node }[] = []): { path: string; rule: Node }[] {
  if (Array.isArray(node)) node.forEach((n, i) => everyRule(n, `${path}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'x-kubernetes-validations') for (const rule of value as Node[]) out.push({ path, rule });
      else everyRule(value, `${path}/${key}`, out);
    }
  }
  return out;
}

const vendored: VendoredRule[] = servedSchemas.flatMap(({ name, schema }) =>
  everyRule(schema, '').map(({ rule }) => ({ crd: name, rule: rule.rule as string, ...(rule.messageExpression ? { messageExpression: rule.messageExpression as string } : {}) })),
);

describe('CEL rules of the vendored CRDs', () => {
  test('there are rules to check (the walk found the CRDs)', () => {
    expect(vendored.length).toBe(433);
  });

  test('every rule compiles with the evaluator or is listed in NOT_EVALUABLE_OFFLINE with a reason', () => {
    const problems = new Set<string>();
    for (const r of vendored) {
      const compiled = compileRule({ path: '', rule: r.rule, ...(r.messageExpression ? { messageExpression: r.messageExpression } : {}) });
      if (compiled.status === 'unsupported') problems.add(`${r.crd}: \`${r.rule}\` ${compiled.reason}`);
    }
    expect([...problems]).toEqual([]);
  });

  test('every NOT_EVALUABLE_OFFLINE entry names a vendored rule and gives a reason (no stale entries)', () => {
    const texts = new Set(vendored.map((r) => r.rule));
    for (const [rule, reason] of Object.entries(NOT_EVALUABLE_OFFLINE)) {
      expect({ rule, listed: texts.has(rule) }).toEqual({ rule, listed: true });
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  test('a rule that reads oldSelf and is not listed is unsupported, so the test above would name it', () => {
    expect(compileRule({ path: 'spec', rule: 'self.x == oldSelf.x' })).toEqual({
      status: 'unsupported',
      reason: 'a transition rule (it reads oldSelf) that is not listed in NOT_EVALUABLE_OFFLINE',
    });
  });

  test('a rule calling a Kubernetes library function netsec does not implement is unsupported, with the function named', () => {
    expect(compileRule({ path: 'spec', rule: "isCIDR(self.cidr) && quantity(self.q).isInteger()" })).toEqual({
      status: 'unsupported',
      reason: 'calls functions netsec does not implement: isCIDR, isInteger, quantity',
    });
  });

  test('the schema script keeps every rule that is not under status, at the node it sits on', () => {
    for (const { name, schema } of servedSchemas) {
      const everywhere = everyRule(schema, '').filter((r) => !r.path.startsWith('/properties/status/'));
      const kept = celRulesOf(schema) as { rule: string }[];
      expect({ name, rules: kept.map((r) => r.rule).sort() }).toEqual({ name, rules: everywhere.map((r) => r.rule.rule as string).sort() });
    }
  });

  test('no rule reads a string field with a format the API server turns into a timestamp, duration or bytes (not modelled)', () => {
    // cel.ts hands such fields to CEL as strings; the API server converts them (values.go UnstructuredToVal). If an
    // upstream rule ever reaches one, cel.ts must convert it first.
    const formatted: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => visit(n, `${path}/${i}`));
      else if (node !== null && typeof node === 'object') {
        const n = node as Node;
        if (['date', 'date-time', 'duration', 'byte'].includes(n.format as string)) formatted.push(path);
        for (const [k, v] of Object.entries(n)) if (k !== 'x-kubernetes-validations') visit(v, `${path}/${k}`);
      }
    };
    for (const { name, schema } of servedSchemas) {
      for (const { path } of everyRule(schema, '')) {
        const node = path.split('/').slice(1).reduce<unknown>((n, k) => (n as Node)[k], schema) as Node;
        const withoutStatus = path === '' ? { ...node, properties: { ...(node.properties as Node), status: undefined } } : node;
        visit(withoutStatus, `${name}${path}`);
      }
    }
    expect(formatted).toEqual([]);
  });

  test('coverage per product over the generated schemas: evaluated and skipped rules', () => {
    const index = JSON.parse(readFileSync(join(root, 'schemas', 'index.json'), 'utf8')) as Record<string, Record<string, { kinds: Record<string, { file: string; celRules?: number }> }>>;
    const coverage: Record<string, { schemas: number; evaluated: number; skipped: number }> = {};
    for (const [product, lines] of Object.entries(index)) {
      const files = new Set<string>();
      for (const line of Object.values(lines)) for (const k of Object.values(line.kinds)) if (k.celRules) files.add(k.file);
      coverage[product] = { schemas: files.size, evaluated: 0, skipped: 0 };
      for (const file of files) {
        const c = celRulesFor(file).coverage();
        coverage[product]!.evaluated += c.evaluated;
        coverage[product]!.skipped += c.skipped.length;
      }
    }
    expect(coverage).toEqual({
      // Cilium 1.20 CNP and CCNP: `has(self.spec) || has(self.specs)`; 1.16-1.20 CiliumLocalRedirectPolicy: three
      // `self == oldSelf` immutability rules each.
      cilium: { schemas: 7, evaluated: 2, skipped: 15 },
      // Calico 3.32 (crd.projectcalico.org/v1 and projectcalico.org/v3): GlobalNetworkPolicy, NetworkPolicy, Tier.
      calico: { schemas: 6, evaluated: 54, skipped: 0 },
      istio: { schemas: 33, evaluated: 362, skipped: 0 },
    });
  });

  test('kinds without rules have no celRules count, so their objects never load the evaluator', () => {
    const index = JSON.parse(readFileSync(join(root, 'schemas', 'index.json'), 'utf8')) as Record<string, Record<string, { kinds: Record<string, { celRules?: number }> }>>;
    expect(index.cilium!['1.20']!.kinds['cilium.io/v2 CiliumCIDRGroup']!.celRules).toBeUndefined();
    expect(index.cilium!['1.18']!.kinds['cilium.io/v2 CiliumClusterwideNetworkPolicy']!.celRules).toBeUndefined();
    expect(index.cilium!['1.20']!.kinds['cilium.io/v2 CiliumClusterwideNetworkPolicy']!.celRules).toBe(1);
  });
});
