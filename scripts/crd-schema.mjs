// Turns a CustomResourceDefinition's openAPIV3Schema into a JSON Schema that ajv can check the way the
// Kubernetes API server does for structural schemas:
// - unknown fields are errors (the API server would prune them silently, so a typo would vanish without a trace),
//   except under `x-kubernetes-preserve-unknown-fields: true` or an explicit `additionalProperties` map;
// - `nullable: true` admits null; `x-kubernetes-int-or-string: true` admits an integer or a string;
// - descriptions are dropped (they are most of the bytes and the validator never reads them);
// - `x-kubernetes-validations` (CEL rules) leave the nodes they sit on and are listed at the root under `x-netsec-cel`,
//   each with the path of its node (celRulesOf below), so src/core/validation/cel.ts can evaluate them without walking
//   the schema (ajv ignores the keyword);
// - subschemas that repeat (Cilium's peer selectors, port rules, ... appear in every rule kind) are written once
//   under `definitions` and referenced, so the precompiled validators hold one function per shape instead of a copy
//   per place (the Cilium policy validators shrink from ~970 kB to a fraction, and load that much faster).
// Used by scripts/vendor-upstream.mjs and by the test that proves committed schemas are up to date.
import { createHash } from 'node:crypto';

/**
 * CRD patterns are Go RE2 syntax. RE2 accepts one-letter Unicode classes without braces (`\PC` = not a control
 * character); JavaScript's `u` flag needs `\P{C}`.
 * @param {string} pattern
 */
export function toJsRegex(pattern) {
  return pattern.replace(/(^|[^\\])\\([pP])([A-Z])/g, '$1\\$2{$3}');
}

/** @param {any} node @returns {any} */
export function toStrictJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toStrictJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-preserve-unknown-fields' && key !== 'x-kubernetes-int-or-string') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStrictJsonSchema(v)]));
      continue;
    }
    out[key] = key === 'pattern' && typeof value === 'string' ? toJsRegex(value) : toStrictJsonSchema(value);
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out['x-kubernetes-int-or-string'];
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  const preserve = out['x-kubernetes-preserve-unknown-fields'] === true;
  delete out['x-kubernetes-preserve-unknown-fields'];
  const isObject = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'));
  if (isObject && !preserve && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * One JSON Schema per served version of a CRD. The root pins apiVersion and kind, and leaves `metadata`
 * to the ObjectMeta check (CRD schemas only say `type: object` there).
 * @param {any} crd a parsed CustomResourceDefinition
 * @param {{ share?: boolean }} [options] share: move repeated subschemas into `definitions` (default true)
 * @returns {{ apiVersion: string, kind: string, scope: string, deprecated: boolean, statusSubresource: boolean, schema: any }[]}
 */
export function schemasFromCrd(crd, { share = true } = {}) {
  const group = crd.spec.group;
  const kind = crd.spec.names.kind;
  const out = [];
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    const apiVersion = `${group}/${version.name}`;
    const source = version.schema.openAPIV3Schema;
    // A root with `x-kubernetes-preserve-unknown-fields` and no properties (the IstioOperator CRD) leaves `spec` to
    // istioctl: any object is accepted there, while the envelope stays as strict as every other kind's.
    const openRoot = source['x-kubernetes-preserve-unknown-fields'] === true && !source.properties?.spec;
    const root = toStrictJsonSchema(source);
    root.properties = { ...root.properties };
    root.properties.apiVersion = { const: apiVersion };
    root.properties.kind = { const: kind };
    root.properties.metadata = { type: 'object' };
    // Objects we emit never carry status: that is the controller's to write.
    delete root.properties.status;
    root.required = [...new Set(['apiVersion', 'kind', 'metadata', ...(root.required ?? [])])];
    if (openRoot) root.properties.spec = { type: 'object' };
    root.additionalProperties = false;
    const rules = celRulesOf(source);
    if (rules.length) root['x-netsec-cel'] = rules;
    if (share) shareRepeatedSubschemas(root);
    // With the status subresource, the API server ignores `status` on writes to the object itself (it is the
    // controller's, through /status): a `kubectl get -o yaml` export carries it and is still a valid manifest.
    const statusSubresource = version.subresources?.status !== undefined;
    out.push({ apiVersion, kind, scope: crd.spec.scope, deprecated: version.deprecated === true, statusSubresource, schema: root });
  }
  return out;
}

/** The fields of an `x-kubernetes-validations` entry the API server reads (apiextensions/v1 ValidationRule). */
const RULE_FIELDS = ['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf'];

/**
 * Every CEL rule (`x-kubernetes-validations`) of an openAPIV3Schema, with the path of the schema node it sits on:
 * '' for the object, `spec.egress[*].icmp` below it, where `[*]` stands for every item of a list or every value of a
 * map (`additionalProperties`). The API server evaluates rules on the structural spine only (properties, items,
 * additionalProperties, and allOf at the same node: apiextensions-apiserver `schema/cel/validation.go` `validator`), so
 * that is where they are collected; a rule anywhere else (under anyOf, oneOf or not) stops the script rather than being
 * dropped. Rules under `status` are left out: netsec never writes status.
 * @param {any} node an openAPIV3Schema (or a node of one)
 * @returns {{ path: string, rule: string, message?: string, messageExpression?: string, reason?: string, fieldPath?: string, optionalOldSelf?: boolean }[]}
 */
export function celRulesOf(node, path = '') {
  const out = [];
  for (const v of node['x-kubernetes-validations'] ?? []) {
    out.push({ path, ...Object.fromEntries(RULE_FIELDS.filter((f) => v[f] !== undefined).map((f) => [f, v[f]])) });
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (path === '' && name === 'status') continue;
    const below = celRulesOf(child, path ? `${path}.${name}` : name);
    // The path is dotted: a property named with '.', '[' or ']' on the way to a rule would make it ambiguous.
    if (below.length && /[.[\]]/.test(name)) throw new Error(`CEL rules below property '${name}' at '${path}': its name cannot be written in a dotted rule path; extend celRulesOf in scripts/crd-schema.mjs`);
    out.push(...below);
  }
  if (node.items && typeof node.items === 'object') out.push(...celRulesOf(node.items, `${path}[*]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.push(...celRulesOf(node.additionalProperties, `${path}[*]`));
  for (const sub of node.allOf ?? []) out.push(...celRulesOf(sub, path));
  for (const key of ['anyOf', 'oneOf', 'not']) {
    const subs = key === 'not' ? (node.not ? [node.not] : []) : (node[key] ?? []);
    if (subs.some((s) => JSON.stringify(s).includes('"x-kubernetes-validations"'))) {
      throw new Error(`x-kubernetes-validations under ${key} at '${path}': netsec does not know whether the API server evaluates it there; extend celRulesOf in scripts/crd-schema.mjs`);
    }
  }
  return out;
}

/** Subschemas smaller than this (in JSON bytes) stay inline: a reference would cost about as much as the copy. */
const MIN_SHARED_BYTES = 256;

/** The places in a schema node that hold subschemas: [container key, child key or index] pairs. */
function* subschemaSlots(node) {
  for (const key of ['properties', 'patternProperties']) {
    if (node[key]) for (const name of Object.keys(node[key])) yield [node[key], name];
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(node[key])) for (let i = 0; i < node[key].length; i++) yield [node[key], i];
  }
  for (const key of ['items', 'additionalProperties', 'not']) {
    if (node[key] && typeof node[key] === 'object' && !Array.isArray(node[key])) yield [node, key];
  }
}

/**
 * Moves every subschema that occurs at least twice (and is at least MIN_SHARED_BYTES of JSON) into
 * `root.definitions` and replaces each occurrence with a `$ref`. Top-down, so the largest repeated shapes are shared
 * first; definitions are processed the same way, so shapes repeated inside them are shared too, and a definition
 * that ends up referenced once is put back inline. Names are the
 * property the shape first appears under plus a content hash: stable across runs and readable in the files.
 */
export function shareRepeatedSubschemas(root) {
  const counts = new Map();
  const count = (node) => {
    for (const [container, key] of subschemaSlots(node)) count(container[key]);
    const text = JSON.stringify(node);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  count(root);
  const definitions = {};
  const nameOf = new Map();
  const visit = (node) => {
    for (const [container, key] of subschemaSlots(node)) {
      const child = container[key];
      const text = JSON.stringify(child);
      if (text.length >= MIN_SHARED_BYTES && counts.get(text) >= 2) {
        let name = nameOf.get(text);
        if (!name) {
          name = `${typeof key === 'string' ? key : 'item'}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
          nameOf.set(text, name);
          definitions[name] = child;
          visit(child);
        }
        container[key] = { $ref: `#/definitions/${name}` };
      } else {
        visit(child);
      }
    }
  };
  visit(root);
  // A shape repeated only inside a shape that is now shared occurs once after all: put it back inline.
  for (;;) {
    const refs = new Map();
    const countRefs = (node) => {
      if (node.$ref) refs.set(node.$ref, (refs.get(node.$ref) ?? 0) + 1);
      for (const [container, key] of subschemaSlots(node)) countRefs(container[key]);
    };
    countRefs(root);
    for (const def of Object.values(definitions)) countRefs(def);
    const single = Object.keys(definitions).filter((name) => refs.get(`#/definitions/${name}`) === 1);
    if (single.length === 0) break;
    const inline = (node) => {
      for (const [container, key] of subschemaSlots(node)) {
        const name = container[key].$ref?.replace('#/definitions/', '');
        if (name !== undefined && single.includes(name)) container[key] = definitions[name];
        else inline(container[key]);
      }
    };
    inline(root);
    for (const def of Object.values(definitions)) inline(def);
    for (const name of single) delete definitions[name];
  }
  if (Object.keys(definitions).length) {
    root.definitions = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
