// Evaluates the CRDs' CEL validation rules (`x-kubernetes-validations`) offline, the way the API server does when an
// object is created, so that `netsec synth` and `netsec validate` refuse what the cluster would refuse.
//
// The rules come from the generated schemas (scripts/crd-schema.mjs lists them at the root under `x-netsec-cel`, each
// with the path of the schema node it sits on). @bufbuild/cel evaluates them: it passes the CEL conformance tests,
// runs `matches()` with an RE2 engine as cel-go does, and has cel-go's strings extension; Kubernetes' own library
// functions that the vendored rules call are in cel-kubernetes.ts. Kubernetes' semantics are followed where they
// differ from plain CEL (apiextensions-apiserver `pkg/apiserver/schema/cel/validation.go`):
//   - a rule is evaluated at its node, once for every instance of the node in the object (list items, map values);
//     a node that is absent or null is not evaluated;
//   - the schema's `default`s are applied first (the API server defaults an object before it validates it: a Calico
//     Tier without defaultAction is a 'Deny' tier to the rules);
//   - `self` is typed by the schema (k8s.io/apiserver/pkg/cel/common/values.go `UnstructuredToVal`): integers are
//     `int`, numbers `double`, properties are reachable under their escaped names (`__dash__`, `__namespace__`, ...),
//     and the object root sees only `apiVersion`, `kind`, `metadata.name`, `metadata.generateName` and its schema's fields;
//   - transition rules (those reading `oldSelf`) only run on updates: they are skipped and counted; `netsec plan`, which
//     has the committed copy in hand, judges the `self == oldSelf` ones (`refusedUpdates`);
//   - a rule that is false is reported with its `messageExpression`, else its `message`, else the rule itself, at the
//     node's path extended by its `fieldPath`; a rule that fails to evaluate is reported at the node, with the error.
//     (`reason` only picks the API server's error type, Invalid, Forbidden, Required or Duplicate: every one refuses.)
// Before the evaluator is loaded, a rule's fast path (schemas/cel-fast-paths.cjs, translated from the rule at build time
// by scripts/cel-fast-paths.mjs) is asked whether the rule certainly holds; only a rule it cannot vouch for is evaluated.
// Not modelled: the cost budget (the API server refuses a CRD whose rules could exceed it, so vendored rules fit),
// list-type=set/map equality (order-insensitive `==` on such lists: no vendored rule compares lists), and string
// formats (`date-time`, `duration`, `byte` become timestamps, durations and bytes in the API server; the only such
// fields of the vendored CRDs are under `status`, which netsec never writes; test/upstream/cel-coverage.test.ts checks).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type * as CelLib from '@bufbuild/cel';
import { packageRoot } from '../package-root.js';
import { loadPrecompiledModule } from './precompiled.js';
import { kubernetesUrlFunctions } from './cel-kubernetes.js';
import { ResourceRef, ValidationFinding } from './finding.js';

/** The rule id of every finding this module reports. */
export const CRD_VALIDATION_RULE_ID = 'k8s/crd-validation-rule';

/** One `x-kubernetes-validations` entry as scripts/crd-schema.mjs lists it. */
export interface CelRule {
  /** The schema node the rule sits on: '' for the object, `spec.egress[*].icmp`; `[*]` is every list item or map value. */
  readonly path: string;
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** FieldValueInvalid (default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate. */
  readonly reason?: string;
  /** Where a failure is reported, relative to the node (`.spec.foo`, `.labels['a']`). */
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/**
 * Vendored rules netsec does not evaluate, by their exact text, each with the reason. A rule that does not compile
 * with the evaluator and is not listed here fails test/upstream/cel-coverage.test.ts, so a new upstream rule is never
 * ignored without a decision.
 */
export const NOT_EVALUABLE_OFFLINE: Readonly<Record<string, string>> = {
  // Cilium 1.16-1.20 CiliumLocalRedirectPolicy: redirectFrontend, redirectBackend, serviceMatcher, addressMatcher,
  // skipRedirectFromBackend, ... are immutable once created.
  'self == oldSelf':
    'a transition rule: it compares the object with the copy stored in the cluster (oldSelf), which netsec does not see; the API server does not evaluate it when an object is created either',
};

/** A rule ready to run, or why it is not run. */
export type CompiledRule =
  | { readonly status: 'compiled'; readonly program: Program; readonly messageProgram?: Program }
  | { readonly status: 'not-evaluable'; readonly reason: string }
  | { readonly status: 'unsupported'; readonly reason: string };

type Program = (bindings: { self: CelLib.CelInput }) => CelLib.CelResult;

interface CelRuntime {
  readonly lib: typeof CelLib;
  readonly env: CelLib.CelEnv;
}

const requireCjs = createRequire(import.meta.url);
let runtime: CelRuntime | undefined;

/**
 * The CEL library and environment, loaded on first use: most runs validate no kind that has rules (the Cilium policy
 * and CIDR group CRDs up to 1.19, Calico before 3.32), and they should not pay for loading it.
 */
function celRuntime(): CelRuntime {
  if (!runtime) {
    // `require(...)` where the module has one: the CLI bundle, where scripts/bundle-cli.mjs points both names at its
    // one-file CommonJS bundle of CEL (~130 files), loaded and parsed only here. createRequire in plain ES modules (lib/src).
    const lib = (typeof require === 'function' ? require('@bufbuild/cel') : requireCjs('@bufbuild/cel')) as typeof CelLib;
    const { strings } = (typeof require === 'function' ? require('@bufbuild/cel/ext') : requireCjs('@bufbuild/cel/ext')) as { strings: CelLib.CelFunc[] };
    runtime = { lib, env: lib.celEnv({ funcs: [...strings, ...kubernetesUrlFunctions(lib)] }) };
  }
  return runtime;
}

/** Calls and operators the @bufbuild/cel planner implements itself rather than through its function table. */
const PLANNER_OPERATORS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);
/** Identifiers every rule may use besides its comprehension variables: the node, and CEL's type names. */
const KNOWN_IDENTIFIERS = new Set(['self', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

/** The function names a CEL expression calls and the free identifiers it reads (a parsed `cel.expr.Expr`). */
function namesIn(expr: unknown): { calls: Set<string>; identifiers: Set<string> } {
  const calls = new Set<string>();
  const identifiers = new Set<string>();
  const visit = (node: unknown, bound: ReadonlySet<string>): void => {
    const kind = (node as { exprKind?: { case?: string; value?: Record<string, unknown> } } | undefined)?.exprKind;
    const v = kind?.value;
    if (!kind || !v) return;
    switch (kind.case) {
      case 'identExpr':
        if (!bound.has(v.name as string)) identifiers.add(v.name as string);
        return;
      case 'selectExpr':
        visit(v.operand, bound);
        return;
      case 'callExpr':
        calls.add(v.function as string);
        visit(v.target, bound);
        for (const a of v.args as unknown[]) visit(a, bound);
        return;
      case 'listExpr':
        for (const e of v.elements as unknown[]) visit(e, bound);
        return;
      case 'structExpr':
        for (const e of v.entries as { mapKey?: unknown; value?: unknown }[]) {
          visit(e.mapKey, bound);
          visit(e.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        visit(v.iterRange, bound);
        visit(v.accuInit, bound);
        const inner = new Set([...bound, v.iterVar as string, v.accuVar as string, ...(v.iterVar2 ? [v.iterVar2 as string] : [])]);
        visit(v.loopCondition, inner);
        visit(v.loopStep, inner);
        visit(v.result, inner);
        return;
      }
      default:
        return;
    }
  };
  visit(expr, new Set());
  return { calls, identifiers };
}

/** Parses and plans one expression, or says why it cannot run here. */
function compileExpression(source: string): Program | { unsupported: string } {
  const { lib, env } = celRuntime();
  let parsed: ReturnType<typeof lib.parse>;
  try {
    parsed = lib.parse(source);
  } catch (err) {
    return { unsupported: `does not parse: ${(err as Error).message}` };
  }
  const { calls, identifiers } = namesIn(parsed.expr);
  if (identifiers.has('oldSelf')) return { unsupported: 'a transition rule (it reads oldSelf) that is not listed in NOT_EVALUABLE_OFFLINE' };
  const unknownIdentifiers = [...identifiers].filter((i) => !KNOWN_IDENTIFIERS.has(i));
  if (unknownIdentifiers.length) return { unsupported: `reads unknown identifiers: ${unknownIdentifiers.sort().join(', ')}` };
  const unknownCalls = [...calls].filter((c) => !PLANNER_OPERATORS.has(c) && env.funcs.find(c) === undefined);
  if (unknownCalls.length) return { unsupported: `calls functions netsec does not implement: ${unknownCalls.sort().join(', ')}` };
  try {
    return lib.plan(env, parsed) as Program;
  } catch (err) {
    return { unsupported: `cannot be planned: ${(err as Error).message}` };
  }
}

/**
 * Compiled rules by their text: Istio repeats one rule on dozens of nodes (`duration(self) >= duration('1ms')`), and the
 * Calico and Cilium rules repeat across API versions. A program depends on nothing but its text.
 */
const compiledByText = new Map<string, CompiledRule>();

/** Compiles one rule (and its messageExpression), once per text. Exported for the test that every vendored rule compiles or is listed. */
export function compileRule(rule: CelRule): CompiledRule {
  const key = rule.messageExpression === undefined ? rule.rule : `${rule.rule}\u0000${rule.messageExpression}`;
  let compiled = compiledByText.get(key);
  if (!compiled) {
    compiled = compileUncached(rule);
    compiledByText.set(key, compiled);
  }
  return compiled;
}

function compileUncached(rule: CelRule): CompiledRule {
  const listed = NOT_EVALUABLE_OFFLINE[rule.rule];
  if (listed !== undefined) return { status: 'not-evaluable', reason: listed };
  const program = compileExpression(rule.rule);
  if (typeof program !== 'function') return { status: 'unsupported', reason: program.unsupported };
  if (rule.messageExpression === undefined) return { status: 'compiled', program };
  const messageProgram = compileExpression(rule.messageExpression);
  if (typeof messageProgram !== 'function') return { status: 'unsupported', reason: `its messageExpression ${messageProgram.unsupported}` };
  return { status: 'compiled', program, messageProgram };
}

// ---- schema-typed values (k8s.io/apiserver/pkg/cel/common/values.go UnstructuredToVal) ----

type JsonSchema = {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly default?: unknown;
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
  readonly 'x-netsec-cel'?: readonly CelRule[];
};

/** CEL's reserved words: a property of that name is reached as `__<word>__` (k8s.io/apiserver/pkg/cel/escaping.go). */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/**
 * The CEL name of a property (k8s.io/apiserver/pkg/cel/escaping.go `Escape`): `__` -> `__underscores__`, `.` ->
 * `__dot__`, `-` -> `__dash__`, `/` -> `__slash__`, reserved words -> `__<word>__`; undefined when the name cannot be
 * reached from CEL at all (it starts with a digit or holds another character).
 */
export function escapePropertyName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name) || !/^[A-Za-z0-9_.\-/]+$/.test(name)) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[.\-/]/g, (m) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[m]!);
}

class TypedSchema {
  public constructor(private readonly root: JsonSchema) {}

  /** The node a `$ref` points to, or the node itself. */
  public deref(node: JsonSchema): JsonSchema {
    let n = node;
    while (n.$ref) n = this.root.definitions?.[n.$ref.replace('#/definitions/', '')] ?? {};
    return n;
  }

  /** The schema of one step below `node`: a property, or (`*`) the items of a list or the values of a map. */
  private child(node: JsonSchema, segment: string): JsonSchema {
    const child = segment === '*' ? (node.items ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined)) : node.properties?.[segment];
    return this.deref(child ?? {});
  }

  /** The schema node at a rule path (`spec.egress[*]`). */
  public nodeAt(segments: readonly string[]): JsonSchema {
    return segments.reduce((node, s) => this.child(node, s), this.deref(this.root));
  }

  /**
   * Every instance of a node in an object: the values at the path with their dotted paths (`spec.egress[0]`). An
   * absent or null node has no instance, unless the schema gives the field a default: the API server applies
   * defaults before it validates.
   */
  public *instances(value: unknown, segments: readonly string[], node: JsonSchema = this.deref(this.root), path = ''): Generator<{ value: unknown; path: string }> {
    if (value === null || value === undefined) return;
    if (segments.length === 0) {
      yield { value, path };
      return;
    }
    const [head, ...rest] = segments as [string, ...string[]];
    if (typeof value !== 'object') return;
    const childSchema = this.child(node, head);
    if (head === '*') {
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* this.instances(value[i], rest, childSchema, `${path}[${i}]`);
      else for (const [k, v] of Object.entries(value)) yield* this.instances(v, rest, childSchema, path ? `${path}.${k}` : k);
    } else if (!Array.isArray(value)) {
      yield* this.instances(withDefault((value as Record<string, unknown>)[head], childSchema), rest, childSchema, path ? `${path}.${head}` : head);
    }
  }

  /** `value` as the API server hands it to CEL for a node of schema `node`. */
  public toCel(value: unknown, node: JsonSchema, isRoot: boolean): CelLib.CelInput {
    if (value === null || value === undefined) return null;
    const n = this.deref(node);
    const type = Array.isArray(n.type) ? n.type.find((t) => t !== 'null') : (n.type as string | undefined);
    if (type === undefined && isIntOrString(n)) return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : (value as string);
    switch (type) {
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) return untyped(value);
        // A shallow copy, so that defaults (below) do not change the caller's object.
        const obj = { ...(value as Record<string, unknown>) };
        const out = new LazyMap();
        if (n.properties || isRoot) {
          // An object with properties is a CEL object type: only its declared fields exist, under their escaped names.
          for (const [key, propSchema] of Object.entries(n.properties ?? {})) {
            if (!(key in obj) && this.deref(propSchema).default !== undefined) obj[key] = this.deref(propSchema).default;
          }
          for (const [key, child] of Object.entries(obj)) {
            if (isRoot && key === 'metadata') {
              // The root sees only name and generateName of metadata (WithTypeAndObjectMeta).
              const meta = (child ?? {}) as Record<string, unknown>;
              out.later('metadata', () => new Map(['name', 'generateName'].filter((k) => typeof meta[k] === 'string').map((k) => [k, meta[k] as string])));
              continue;
            }
            const propSchema = n.properties?.[key] ?? (isRoot && (key === 'apiVersion' || key === 'kind') ? { type: 'string' } : undefined);
            const name = escapePropertyName(key);
            if (propSchema && name !== undefined && child !== null && child !== undefined) out.later(name, () => this.toCel(child, propSchema, false));
          }
        } else if (typeof n.additionalProperties === 'object') {
          const valueSchema = n.additionalProperties;
          for (const [key, child] of Object.entries(obj)) out.later(key, () => this.toCel(child, valueSchema, false));
        }
        // An object with neither properties nor an additionalProperties schema has no fields CEL can read.
        return out;
      }
      case 'array':
        if (!Array.isArray(value)) return untyped(value);
        return value.map((item) => this.toCel(item, n.items ?? {}, false));
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : untyped(value);
      case 'number':
      case 'string':
      case 'boolean':
        return value as CelLib.CelInput;
      default:
        // No type: x-kubernetes-preserve-unknown-fields data, which the API server keeps opaque.
        return untyped(value);
    }
  }
}

/**
 * A CEL map whose values are converted when a rule reads them, as the API server's `unstructuredMap` is: a rule on the
 * object root (`has(self.spec) || has(self.specs)` on every Cilium 1.20 policy) then costs nothing for the policy's
 * thousands of CIDR group references. @bufbuild/cel reads native maps through get/has/keys/entries/values/forEach.
 */
class LazyMap extends Map<string, CelLib.CelInput> {
  private readonly pending = new Map<string, () => CelLib.CelInput>();

  /** Adds a key whose value is computed on first read. */
  public later(key: string, value: () => CelLib.CelInput): void {
    this.pending.set(key, value);
  }

  public override get size(): number {
    return this.pending.size;
  }

  public override has(key: string): boolean {
    return this.pending.has(key);
  }

  public override get(key: string): CelLib.CelInput | undefined {
    if (!super.has(key)) {
      const compute = this.pending.get(key);
      if (!compute) return undefined;
      super.set(key, compute());
    }
    return super.get(key);
  }

  public override keys(): MapIterator<string> {
    return this.pending.keys();
  }

  public override values(): MapIterator<CelLib.CelInput> {
    return [...this.pending.keys()].map((k) => this.get(k)!).values();
  }

  public override entries(): MapIterator<[string, CelLib.CelInput]> {
    return [...this.pending.keys()].map((k): [string, CelLib.CelInput] => [k, this.get(k)!]).values();
  }

  public override [Symbol.iterator](): MapIterator<[string, CelLib.CelInput]> {
    return this.entries();
  }

  public override forEach(callback: (value: CelLib.CelInput, key: string, map: Map<string, CelLib.CelInput>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }
}

/** A field's value after the API server's defaulting: the schema's `default` when the field is absent. */
function withDefault(value: unknown, schema: JsonSchema): unknown {
  return value === undefined ? schema.default : value;
}

/** `x-kubernetes-int-or-string`, which scripts/crd-schema.mjs writes as an untyped anyOf of integer and string. */
function isIntOrString(n: JsonSchema): boolean {
  const types = (n.anyOf ?? []).map((s) => s.type);
  return types.includes('integer') && types.includes('string');
}

/** A value without a schema: JSON as CEL sees it (whole numbers are ints). */
function untyped(value: unknown): CelLib.CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(untyped);
  if (typeof value === 'object') return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, untyped(v)]));
  return value as CelLib.CelInput;
}

// ---- rule sets ----

/** Says whether a rule certainly holds for a node; false means "ask the evaluator" (scripts/cel-fast-paths.mjs). */
export type FastPath = (self: CelLib.CelInput) => boolean;

/**
 * The fast paths of the vendored rules by rule text (schemas/cel-fast-paths.cjs, generated at build time), loaded on
 * first use. They spare a run the evaluator's ~45 ms load whenever every rule holds, which is nearly always.
 */
let fastPaths: ReadonlyMap<string, FastPath> | undefined;

function vendoredFastPaths(): ReadonlyMap<string, FastPath> {
  fastPaths ??= loadPrecompiledModule(join('schemas', 'cel-fast-paths.cjs')) as ReadonlyMap<string, FastPath>;
  return fastPaths;
}

/** The rules of one node path: each with its fast path, if it has one; compiled for the evaluator only when needed. */
interface NodeRules {
  readonly segments: readonly string[];
  readonly schema: JsonSchema;
  readonly rules: readonly { readonly rule: CelRule; readonly holds?: FastPath }[];
}

/** `spec.egress[*].icmp` as ['spec', 'egress', '*', 'icmp']. */
function segmentsOf(path: string): string[] {
  return path === '' ? [] : path.replace(/\[\*\]/g, '.*').replace(/^\./, '').split('.');
}

/**
 * A rule's fieldPath appended to the node's dotted path. Kubernetes allows field (`.spec.ports`) and map key
 * (`.labels['a.b']`) steps only (validation.go `ValidFieldPath`).
 */
function withFieldPath(base: string, fieldPath: string): string {
  let out = base;
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]/g)) {
    const part = m[1] ?? m[2]!.replace(/\\(.)/g, '$1');
    out = out ? `${out}.${part}` : part;
  }
  return out;
}

/** The rule on one line, as findings quote it. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The CEL rules of one generated schema (one CRD version), compiled on first use and kept: a run validates many
 * objects of few kinds.
 */
export class CelRuleSet {
  private nodes: readonly NodeRules[] | undefined;
  private readonly typed: TypedSchema;

  /** `fast`: the fast paths by rule text (the vendored ones by default; tests pass none to compare). */
  public constructor(
    private readonly schema: JsonSchema,
    private readonly fast: ReadonlyMap<string, FastPath> = vendoredFastPaths(),
  ) {
    this.typed = new TypedSchema(schema);
  }

  /** The rules as the schema lists them. */
  public get rules(): readonly CelRule[] {
    return this.schema['x-netsec-cel'] ?? [];
  }

  /** The rules grouped by the node they sit on, without those never evaluated offline (NOT_EVALUABLE_OFFLINE). */
  private nodeRules(): readonly NodeRules[] {
    if (!this.nodes) {
      const byPath = new Map<string, CelRule[]>();
      for (const r of this.rules) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
      this.nodes = [...byPath].map(([path, rules]) => {
        const segments = segmentsOf(path);
        const evaluable = rules.filter((rule) => NOT_EVALUABLE_OFFLINE[rule.rule] === undefined);
        return { segments, schema: this.typed.nodeAt(segments), rules: evaluable.map((rule) => ({ rule, ...(this.fast.has(rule.rule) ? { holds: this.fast.get(rule.rule)! } : {}) })) };
      });
    }
    return this.nodes;
  }

  /** How many rules run, and which do not (with the reason). */
  public coverage(): { evaluated: number; skipped: { path: string; rule: string; reason: string }[] } {
    let evaluated = 0;
    const skipped: { path: string; rule: string; reason: string }[] = [];
    for (const rule of this.rules) {
      const compiled = compileRule(rule);
      if (compiled.status === 'compiled') evaluated++;
      else skipped.push({ path: rule.path, rule: rule.rule, reason: compiled.reason });
    }
    return { evaluated, skipped };
  }

  /** The findings of every rule that is false (or fails) for `obj`, in rule order and then object order. */
  public evaluate(obj: Record<string, unknown>, resource: ResourceRef): ValidationFinding[] {
    const findings: ValidationFinding[] = [];
    for (const node of this.nodeRules()) {
      if (node.rules.length === 0) continue;
      for (const instance of this.typed.instances(obj, node.segments)) {
        // One conversion per instance, shared by the node's rules (the API server builds one activation per node).
        const self = this.typed.toCel(instance.value, node.schema, node.segments.length === 0);
        for (const { rule, holds } of node.rules) {
          if (holds?.(self)) continue;
          const compiled = compileRule(rule);
          if (compiled.status !== 'compiled') continue;
          const finding = judge(rule, compiled, self, instance);
          if (finding) findings.push({ ruleId: CRD_VALIDATION_RULE_ID, resource, ...finding });
        }
      }
    }
    return findings;
  }
  /**
   * The transition rules `after` breaks as an update of `before` (the same object as committed): what the API server
   * refuses when the new version is applied over the old. The vendored transition rules are all `self == oldSelf` (an
   * immutable field); CEL's `==` is deep equality, and the API server runs a transition rule only where the node exists
   * in both versions (a field set or removed is not judged by it). Nodes under a list or map (`[*]`) would need the API
   * server's correlation of old and new items by list-map keys: none of the vendored rules sits there, and such a rule
   * is not judged. Schema defaults are applied to both versions, as the API server stores the defaulted object: setting
   * `skipRedirectFromBackend: true` on a policy created without it changes the stored `false` and is refused (Cilium's
   * 1.16 upgrade notes: such policies must be deleted and re-created).
   */
  public refusedUpdates(before: Record<string, unknown>, after: Record<string, unknown>, resource: ResourceRef): ValidationFinding[] {
    const findings: ValidationFinding[] = [];
    for (const rule of this.rules) {
      if (oneLine(rule.rule) !== IMMUTABLE_RULE || rule.path.includes('*')) continue;
      const segments = segmentsOf(rule.path);
      const [old] = this.typed.instances(before, segments);
      const [now] = this.typed.instances(after, segments);
      if (!old || !now || isDeepStrictEqual(old.value, now.value)) continue;
      const what = rule.message?.trim() || `${now.path} is immutable`;
      findings.push({
        ruleId: CRD_VALIDATION_RULE_ID,
        resource,
        path: now.path,
        message: `${what}: it differs from the committed copy, and the API server refuses the update (CRD rule \`${IMMUTABLE_RULE}\`). Delete the object and apply it again (kubectl replace --force -f FILE does both).`,
      });
    }
    return findings;
  }
}

/** The one transition rule of the vendored CRDs: the node may not change once set. */
const IMMUTABLE_RULE = 'self == oldSelf';

/** The path and message of a rule that does not hold for one node instance; undefined when it holds. */
function judge(
  rule: CelRule,
  compiled: Extract<CompiledRule, { status: 'compiled' }>,
  self: CelLib.CelInput,
  instance: { value: unknown; path: string },
): { path: string; message: string } | undefined {
  const { lib } = celRuntime();
  const result = compiled.program({ self });
  if (result === true) return undefined;
  const got = instance.value !== null && typeof instance.value !== 'object' ? ` (got ${JSON.stringify(instance.value)})` : '';
  const expr = `\`${oneLine(rule.rule)}\``;
  const message = rule.message?.trim();
  if (lib.isCelError(result) || typeof result !== 'boolean') {
    const why = lib.isCelError(result) ? result.message : `it gives ${typeof result}, not a bool`;
    return {
      path: instance.path,
      message: message ? `${message}${got}; the API server refuses the object, because the CRD rule ${expr} fails: ${why}` : `the CRD rule ${expr} fails${got}: ${why}; the API server refuses the object`,
    };
  }
  let detail = message;
  if (compiled.messageProgram) {
    // The API server uses the messageExpression when it gives a non-empty one-line string, else the message.
    const m = compiled.messageProgram({ self });
    if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) detail = m.trim();
  }
  return {
    path: rule.fieldPath ? withFieldPath(instance.path, rule.fieldPath) : instance.path,
    message: detail ? `${detail}${got}; the API server refuses the object (CRD rule ${expr})` : `breaks the CRD rule ${expr}${got}; the API server refuses the object`,
  };
}

const ruleSets = new Map<string, CelRuleSet>();

/**
 * The CEL rules of the generated schema at `schemas/<file>`, read and compiled on first use. Only called for kinds
 * whose schemas/index.json entry counts rules (`celRules`), so other kinds never load the schema or the evaluator.
 */
export function celRulesFor(file: string): CelRuleSet {
  let set = ruleSets.get(file);
  if (!set) {
    set = new CelRuleSet(JSON.parse(readFileSync(join(packageRoot(), 'schemas', file), 'utf8')) as JsonSchema);
    ruleSets.set(file, set);
  }
  return set;
}
