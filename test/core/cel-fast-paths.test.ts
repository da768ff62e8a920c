import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { fastPath } from '../../scripts/cel-fast-paths.mjs';
import { CelRuleSet, type FastPath } from '../../src/core/validation/cel.js';
import { loadPrecompiledModule } from '../../src/core/validation/precompiled.js';

const root = join(__dirname, '..', '..');

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  definitions?: Record<string, Schema>;
  'x-netsec-cel'?: { path: string; rule: string }[];
};

/** Every generated schema that lists CEL rules, by file. */
const schemasWithRules: { file: string; schema: Schema }[] = (() => {
  const index = JSON.parse(readFileSync(join(root, 'schemas', 'index.json'), 'utf8')) as Record<string, Record<string, { kinds: Record<string, { file: string; celRules?: number }> }>>;
  const files = new Set<string>();
  for (const lines of Object.values(index)) for (const line of Object.values(lines)) for (const k of Object.values(line.kinds)) if (k.celRules) files.add(k.file);
  return [...files].sort().map((file) => ({ file, schema: JSON.parse(readFileSync(join(root, 'schemas', file), 'utf8')) as Schema }));
})();

const vendored = loadPrecompiledModule(join('schemas', 'cel-fast-paths.cjs')) as ReadonlyMap<string, FastPath>;

// Values the rules test for (Calico actions and tiers, Istio resolutions, operations and schemes, port bounds), next to
// arbitrary text: a generated object is often valid, so both answers of each rule are reached.
const WORDS = ['', '*', 'a*b', 'app', 'TCP', 'UDP', 'Allow', 'Deny', 'Pass', 'Egress', 'Ingress', 'default', 'kube-admin', 'kube-baseline', 'HOST', 'UPSERT', 'REMOVE', 'NONE', 'STATIC', 'DNS_ROUND_ROBIN', 'WAYPOINT', 'unix:///a', 'unix://@a', 'unix://a/', '10.0.0.0/8', 'http://x', '0', '80', '65535', '65536', '-1', '99999999999999999999', '+5', '\u{1D7D8}'];
const text = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 4 }));
const integer = fc.oneof(fc.constantFrom(0, 1, 6, 65535, 65536, -1, Number.MAX_SAFE_INTEGER), fc.integer({ min: -3, max: 70_000 }));

function deref(schema: Schema, rootSchema: Schema): Schema {
  let s = schema;
  while (s.$ref) s = rootSchema.definitions?.[s.$ref.replace('#/definitions/', '')] ?? {};
  return s;
}

/** Random JSON for a schema node: every property optional, lists and maps of up to 3 entries, nesting cut at `depth`. */
function valueOf(schemaIn: Schema, rootSchema: Schema, depth: number): fc.Arbitrary<unknown> {
  const schema = deref(schemaIn, rootSchema);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === undefined && schema.anyOf) return fc.oneof(integer, text);
  if (depth <= 0 && (type === 'object' || type === 'array')) return fc.constant(type === 'object' ? {} : []);
  switch (type) {
    case 'object':
      if (schema.properties) {
        const props = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, valueOf(v, rootSchema, depth - 1)]));
        return fc.record(props, { requiredKeys: [] });
      }
      if (typeof schema.additionalProperties === 'object') return fc.dictionary(text, valueOf(schema.additionalProperties, rootSchema, depth - 1), { maxKeys: 3 });
      return fc.constant({});
    case 'array':
      return fc.array(valueOf(schema.items ?? {}, rootSchema, depth - 1), { maxLength: 3 });
    case 'string':
      return text;
    case 'integer':
      return integer;
    case 'number':
      return fc.constantFrom(0, 1.5, -1, 65535);
    case 'boolean':
      return fc.boolean();
    default:
      return fc.constantFrom(null, 'x', 1, {});
  }
}

/** A whole object with a random value at a rule's node (`spec.rules[*].from[*].source`), built down from the root. */
function objectWithNodeAt(path: string, schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const segments = path === '' ? [] : path.replace(/\[\*\]/g, '.*').split('.');
  const nodes: Schema[] = [deref(schema, schema)];
  for (const s of segments) {
    const parent = nodes[nodes.length - 1]!;
    nodes.push(deref((s === '*' ? (parent.items ?? (parent.additionalProperties as Schema)) : parent.properties?.[s]) ?? {}, schema));
  }
  let arb = valueOf(nodes[nodes.length - 1]!, schema, 4);
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    const inner = arb;
    arb = s === '*' ? (nodes[i]!.items ? fc.array(inner, { minLength: 1, maxLength: 2 }) : fc.dictionary(text, inner, { minKeys: 1, maxKeys: 2 })) : inner.map((v) => ({ [s]: v }));
  }
  const metadata = fc.record({ name: fc.constantFrom('default', 'kube-admin', 'kube-baseline', 'p') });
  return fc.tuple(arb, metadata).map(([v, m]) => ({ ...(v as Record<string, unknown>), apiVersion: 'x/v1', kind: 'X', metadata: m }));
}

describe('CEL fast paths (schemas/cel-fast-paths.cjs)', () => {
  test('the rules of the Istio security kinds, Cilium 1.20 policies and Calico 3.32 policies all have one', () => {
    const wanted = schemasWithRules.filter(({ file }) => /security\.istio\.io_v1_|cilium\/1\.20\/cilium\.io_v2_Cilium(Clusterwide)?NetworkPolicy|calico\/v3\.32\.1\/.*(NetworkPolicy|Tier)/.test(file));
    expect(wanted.length).toBeGreaterThan(5);
    const without = wanted.flatMap(({ file, schema }) => (schema['x-netsec-cel'] ?? []).filter((r) => !vendored.has(r.rule) && r.rule !== 'self == oldSelf').map((r) => `${file}: ${r.rule}`));
    // RequestAuthentication's JWKS URI and timeout rules call url() and duration(): they always run on the evaluator.
    expect(without.filter((w) => !w.includes('RequestAuthentication'))).toEqual([]);
  });

  test('a rule calling what the translation does not handle gets none, with the reason', () => {
    expect(fastPath("self.all(k, k.matches('^a$'))")).toEqual({ none: 'function matches' });
    expect(fastPath('self == oldSelf')).toEqual({ none: 'identifier oldSelf' });
    expect(fastPath("duration(self) >= duration('1ms')")).toEqual({ none: 'function duration' });
    expect(fastPath('1u < 2u')).toEqual({ none: 'constant uint64Value' });
  });

  // The property that makes a fast path safe: with it, every object gets exactly the findings the evaluator alone gives.
  // Each fast path must also say "holds" at least once, or the test would pass with fast paths that never help.
  test('on random objects of every vendored schema with rules, the findings are the evaluator\'s own (fast-check)', () => {
    const saidHolds = new Map<string, number>();
    const counting = new Map([...vendored].map(([rule, holds]): [string, FastPath] => [rule, (self) => {
      const h = holds(self);
      if (h) saidHolds.set(rule, (saidHolds.get(rule) ?? 0) + 1);
      return h;
    }]));
    for (const { file, schema } of schemasWithRules) {
      const fast = new CelRuleSet(schema, counting);
      const reference = new CelRuleSet(schema, new Map());
      for (const path of [...new Set((schema['x-netsec-cel'] ?? []).map((r) => r.path))]) {
        fc.assert(
          fc.property(objectWithNodeAt(path, schema), (obj) => {
            const resource = { apiVersion: 'x/v1', kind: 'X', name: 'p' };
            expect({ file, path, findings: fast.evaluate(obj, resource) }).toEqual({ file, path, findings: reference.evaluate(obj, resource) });
          }),
          { numRuns: 60, seed: 14 },
        );
      }
    }
    const used = new Set(schemasWithRules.flatMap(({ schema }) => (schema['x-netsec-cel'] ?? []).map((r) => r.rule)));
    expect([...vendored.keys()].filter((rule) => used.has(rule) && !saidHolds.has(rule))).toEqual([]);
  });
});
