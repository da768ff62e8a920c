/**
 * The value at a JSON pointer (`/spec/egress/0`) or an ajv schemaPath (`#/properties/spec/...`) inside `root`;
 * undefined when the path leaves the document. Validators run without ajv's `verbose` option (the precompiled code is
 * a third smaller), so messages look up the offending data and schema node with this when something fails.
 */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.replace(/^#/, '').split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The schemaPath of the schema object that holds the keyword an ajv error is about (`#/properties/a/additionalProperties` -> `#/properties/a`). */
export function parentSchemaPath(schemaPath: string): string {
  return schemaPath.slice(0, schemaPath.lastIndexOf('/'));
}
