import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { schemasFromCrd, toJsRegex } from '../../scripts/crd-schema.mjs';

const root = join(__dirname, '..', '..');

type Schema = Record<string, unknown>;

/** Replaces every `$ref: '#/definitions/x'` by a copy of the definition and drops `definitions`. */
function expandRefs(node: unknown, definitions: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => expandRefs(n, definitions));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as Schema).$ref;
  if (typeof ref === 'string') return expandRefs(definitions[ref.replace('#/definitions/', '')], definitions);
  return Object.fromEntries(
    Object.entries(node as Schema)
      .filter(([k]) => k !== 'definitions')
      .map(([k, v]) => [k, k === 'properties' || k === 'patternProperties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, expandRefs(s, definitions)])) : expandRefs(v, definitions)]),
  );
}

function crdsUnder(dir: string): Schema[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Schema))
    .filter((d) => d?.kind === 'CustomResourceDefinition');
}

describe('CRD schema generation', () => {
  test('RE2 one-letter Unicode classes become JavaScript \\p{..} classes; escaped backslashes are left alone', () => {
    expect(toJsRegex('^[\\PC]*$')).toBe('^[\\P{C}]*$');
    expect(toJsRegex('\\pL+')).toBe('\\p{L}+');
    expect(toJsRegex('\\\\PC')).toBe('\\\\PC');
  });

  test.each(['crds/cilium/1.16', 'crds/cilium/1.19', 'crds/calico/v3.32.1', 'crds/istio/1.30.3'])(
    'sharing repeated subschemas under definitions changes no schema of %s (expanding the refs gives the unshared schema)',
    (dir) => {
      for (const crd of crdsUnder(join(root, 'upstream', dir))) {
        const shared = schemasFromCrd(crd) as { schema: Schema }[];
        const unshared = schemasFromCrd(crd, { share: false }) as { schema: Schema }[];
        expect(shared.length).toBe(unshared.length);
        shared.forEach((s, i) => {
          const definitions = (s.schema.definitions ?? {}) as Record<string, unknown>;
          expect(expandRefs(s.schema, definitions)).toEqual(unshared[i]!.schema);
        });
      }
    },
  );

  test('the Cilium policy schema shares its repeated rule shapes, and every definition is used at least twice', () => {
    const [crd] = crdsUnder(join(root, 'upstream', 'crds', 'cilium', '1.18')).filter((c) => (c.spec as { names: { kind: string } }).names.kind === 'CiliumClusterwideNetworkPolicy');
    const [{ schema }] = schemasFromCrd(crd) as { schema: Schema }[];
    const text = JSON.stringify(schema);
    const names = Object.keys(schema.definitions as object);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(text.split(`"#/definitions/${name}"`).length - 1).toBeGreaterThanOrEqual(2);
    expect(text.length * 3).toBeLessThan(JSON.stringify((schemasFromCrd(crd, { share: false }) as { schema: Schema }[])[0]!.schema).length);
  });
});
