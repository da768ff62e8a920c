// Translates the CRDs' CEL validation rules into plain JavaScript that answers one question: does the rule certainly
// hold for this node? It writes schemas/cel-fast-paths.cjs, which src/core/validation/cel.ts asks before it loads the
// CEL evaluator.
//
// Why: the evaluator (@bufbuild/cel with its protobuf runtime, ~600 KB bundled) took ~45 ms to load on the 2-core CI
// machine, on every synth and validate of an object whose CRD has rules: each Istio AuthorizationPolicy and
// PeerAuthentication, every Cilium 1.20 policy (`has(self.spec) || has(self.specs)`), every Calico 3.32 policy. Nearly
// always every rule holds, and the rules are small. A translated rule is a fast path only:
//   - it returns true when the rule holds; anything else (false, an error, a value of a type it does not handle)
//     sends the rule to the evaluator, which gives the API server's answer and message;
//   - so it must never say true where the evaluator does not (test/core/cel-fast-paths.test.ts checks that on random
//     objects of every vendored schema, with fast-check), and it handles only what it needs: the CEL values netsec
//     builds from JSON (cel.ts `toCel`: bigint ints, number doubles, strings, booleans, null, arrays, Maps), same-type
//     equality and int comparison, string functions, int(), size(), `in`, and the all/exists/exists_one macros.
// A rule with anything else (matches, url, duration, ...) gets no fast path and always runs on the evaluator.
//
// The output is generated code: never edit it; test/config/schema.test.ts fails when it differs from what this
// script writes. `npm run vendor` regenerates it with the validators (scripts/compile-validators.mjs).
import { parse } from '@bufbuild/cel';

/** The helpers every translated rule calls; `B` is thrown for "ask the evaluator". Kept in the generated file itself. */
const RUNTIME = `const B = Symbol('ask the evaluator');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
function bool(x) { if (typeof x === 'boolean') return x; throw B; }
function str(x) { if (typeof x === 'string' && !/[\\uD800-\\uDFFF]/.test(x)) return x; throw B; }
function int(x) { if (typeof x === 'bigint') return x; throw B; }
function field(x, name) { if (x instanceof Map && x.has(name)) return x.get(name); throw B; }
function has(x, name) { if (x instanceof Map) return x.has(name); throw B; }
function eq(a, b) {
  if (a === null || b === null) { if (a === b) return true; throw B; }
  const t = typeof a;
  if (t !== typeof b || (t !== 'string' && t !== 'bigint' && t !== 'boolean')) throw B;
  return a === b;
}
function lt(a, b) { return int(a) < int(b); }
function add(a, b) {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  const s = int(a) + int(b);
  if (s < INT64_MIN || s > INT64_MAX) throw B;
  return s;
}
function size(x) {
  if (typeof x === 'string') { let n = 0; for (const _ of str(x)) n++; return BigInt(n); }
  if (Array.isArray(x)) return BigInt(x.length);
  if (x instanceof Map) return BigInt(x.size);
  throw B;
}
function toInt(x) { if (typeof x === 'bigint') return x; if (typeof x === 'string' && /^-?[0-9]{1,18}$/.test(x)) return BigInt(x); throw B; }
function within(x, list) { if (!Array.isArray(list)) throw B; for (const e of list) if (eq(x, e)) return true; return false; }
function range(x) { if (Array.isArray(x)) return x; if (x instanceof Map) return [...x.keys()]; throw B; }
const holds = (rule) => (self) => { try { return rule(self) === true; } catch (e) { if (e === B) return false; throw e; } };`;

/** Thrown while translating: the rule gets no fast path. */
class Untranslatable extends Error {}

/** A JavaScript identifier for a CEL variable (`@result` is the macros' accumulator). */
function variable(name) {
  return `v_${name.replace(/[^A-Za-z0-9_]/g, (c) => `$${c.charCodeAt(0).toString(16)}`)}`;
}

/** Each supported call: [arity, its JavaScript from the translated arguments (the receiver first for member calls)]. */
const CALLS = {
  '_&&_': [2, ([a, b]) => `(bool(${a}) ? bool(${b}) : false)`],
  '_||_': [2, ([a, b]) => `(bool(${a}) ? true : bool(${b}))`],
  '!_': [1, ([a]) => `!bool(${a})`],
  '_?_:_': [3, ([c, a, b]) => `(bool(${c}) ? ${a} : ${b})`],
  '_==_': [2, ([a, b]) => `eq(${a}, ${b})`],
  '_!=_': [2, ([a, b]) => `!eq(${a}, ${b})`],
  '_<_': [2, ([a, b]) => `lt(${a}, ${b})`],
  '_<=_': [2, ([a, b]) => `!lt(${b}, ${a})`],
  '_>_': [2, ([a, b]) => `lt(${b}, ${a})`],
  '_>=_': [2, ([a, b]) => `!lt(${a}, ${b})`],
  '_+_': [2, ([a, b]) => `add(${a}, ${b})`],
  '@in': [2, ([a, b]) => `within(${a}, ${b})`],
  size: [1, ([a]) => `size(${a})`],
  int: [1, ([a]) => `toInt(${a})`],
  contains: [2, ([s, t]) => `str(${s}).includes(str(${t}))`],
  startsWith: [2, ([s, t]) => `str(${s}).startsWith(str(${t}))`],
  endsWith: [2, ([s, t]) => `str(${s}).endsWith(str(${t}))`],
  '@not_strictly_false': [1, ([a]) => `(${a} !== false)`],
};

/** One parsed CEL expression (a `cel.expr.Expr`) as a JavaScript expression; `bound` holds the macros' variables. */
function translate(expr, bound) {
  const { case: kind, value } = expr.exprKind;
  switch (kind) {
    case 'constExpr': {
      const c = value.constantKind;
      if (c.case === 'int64Value') return `${c.value}n`;
      if (c.case === 'stringValue') return JSON.stringify(c.value);
      if (c.case === 'boolValue') return String(c.value);
      if (c.case === 'nullValue') return 'null';
      throw new Untranslatable(`constant ${c.case}`);
    }
    case 'identExpr':
      if (value.name === 'self') return 'self';
      if (bound.has(value.name)) return variable(value.name);
      throw new Untranslatable(`identifier ${value.name}`);
    case 'selectExpr':
      return `${value.testOnly ? 'has' : 'field'}(${translate(value.operand, bound)}, ${JSON.stringify(value.field)})`;
    case 'callExpr': {
      const [arity, call] = CALLS[value.function] ?? [];
      if (!call) throw new Untranslatable(`function ${value.function}`);
      const args = [...(value.target ? [value.target] : []), ...value.args].map((a) => translate(a, bound));
      if (args.length !== arity) throw new Untranslatable(`${value.function} with ${args.length} arguments`);
      return call(args);
    }
    case 'listExpr':
      if (value.optionalIndices.length) throw new Untranslatable('optional list elements');
      return `[${value.elements.map((e) => translate(e, bound)).join(', ')}]`;
    case 'structExpr':
      if (value.messageName !== '' || value.entries.length) throw new Untranslatable('a map or message literal with entries');
      return 'new Map()';
    case 'comprehensionExpr': {
      if (value.iterVar2) throw new Untranslatable('a two-variable comprehension');
      const inner = new Set([...bound, value.iterVar, value.accuVar]);
      const [item, accu] = [variable(value.iterVar), variable(value.accuVar)];
      return (
        `((r) => { let ${accu} = ${translate(value.accuInit, bound)}; ` +
        `for (const ${item} of range(r)) { if (!bool(${translate(value.loopCondition, inner)})) break; ${accu} = ${translate(value.loopStep, inner)}; } ` +
        `return ${translate(value.result, new Set([...bound, value.accuVar]))}; })(${translate(value.iterRange, bound)})`
      );
    }
    default:
      throw new Untranslatable(kind);
  }
}

/** The JavaScript of one rule's fast path (`(self) => ...`), or the reason it has none. */
export function fastPath(rule) {
  try {
    return { source: `(self) => ${translate(parse(rule).expr, new Set())}` };
  } catch (err) {
    if (err instanceof Untranslatable) return { none: err.message };
    throw err;
  }
}

/**
 * The source of schemas/cel-fast-paths.cjs for the CEL rules (`x-netsec-cel`) of `schemas`, the generated CRD schemas:
 * a Map from rule text to `(self) => boolean` (true: the rule holds).
 */
export function celFastPathsModule(schemas) {
  const entries = [];
  const none = [];
  const texts = new Set(schemas.flatMap((schema) => (schema['x-netsec-cel'] ?? []).map((r) => r.rule)));
  for (const text of [...texts].sort()) {
    const path = fastPath(text);
    if (path.source) entries.push(`  [${JSON.stringify(text)}, holds(${path.source})],`);
    else none.push(`//   ${JSON.stringify(text)}: ${path.none}`);
  }
  return [
    '// Generated by scripts/cel-fast-paths.mjs from the CEL rules of the schemas listed in schemas/index.json. Do not edit.',
    '// Each function returns true when its rule certainly holds for a node (a CEL value as src/core/validation/cel.ts',
    '// builds it); false means "ask the CEL evaluator", which also words the finding.',
    `// Rules without a fast path (always evaluated):`,
    ...none,
    "'use strict';",
    RUNTIME,
    'module.exports = new Map([',
    ...entries,
    ']);',
    '',
  ].join('\n');
}
