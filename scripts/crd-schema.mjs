// Turns a CustomResourceDefinition's openAPIV3Schema into a JSON Schema that ajv can check the way the
// Kubernetes API server does for structural schemas:
// - unknown fields are errors (the API server would prune them silently, so a typo would vanish without a trace),
//   except under `x-kubernetes-preserve-unknown-fields: true` or an explicit `additionalProperties` map;
// - `nullable: true` admits null; `x-kubernetes-int-or-string: true` admits an integer or a string;
// - descriptions are dropped (they are most of the bytes and the validator never reads them);
// - `x-kubernetes-validations` (CEL rules) are kept under `x-netsec-cel` so the validator can report them as not evaluated.
// Used by scripts/vendor-upstream.mjs and by the test that proves committed schemas are up to date.

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
    if (key === 'x-kubernetes-validations') {
      out['x-netsec-cel'] = value.map((v) => v.rule);
      continue;
    }
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
 * @returns {{ apiVersion: string, kind: string, scope: string, deprecated: boolean, schema: any }[]}
 */
export function schemasFromCrd(crd) {
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
    out.push({ apiVersion, kind, scope: crd.spec.scope, deprecated: version.deprecated === true, schema: root });
  }
  return out;
}
