import { basename } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closestMatch } from 'leven';
import { Document, LineCounter, Node, isAlias, isCollection, isMap, isNode, isScalar, parseDocument, visit } from 'yaml';
import { readInputFile } from '../core/system-error.js';
import { NetsecError, Problem, SourceLocation, echo, escapeControls, formatLocation, problemsError } from '../core/errors.js';
import { TargetProps } from '../core/target.js';
import { pointerToPath } from '../core/validation/finding.js';
import { loadPrecompiledValidator } from '../core/validation/precompiled.js';
import { firstYamlProblem, yamlSyntaxMessage } from '../core/text-input.js';

/** A parsed and schema-valid netsec.yaml. */
export interface NetsecConfig {
  readonly targets: TargetProps[];
  readonly [section: string]: unknown;
}

/** A loaded config with what messages need to point back into the file. */
export interface LoadedConfig {
  readonly config: NetsecConfig;
  /** The path the file was read from (to resolve the paths it names). */
  readonly file: string;
  /**
   * How messages and output files name the file: its file name. Paths the file names are shown relative to its
   * folder, so the same repository gives the same bytes whatever the working directory or the `-c` spelling.
   */
  readonly name: string;
  /** `name:line:col` of the value (or, with `atKey`, the key) at a JSON pointer, or just the name. */
  locate(pointer: string, atKey?: boolean): string;
  /** The same as a location. */
  where(pointer: string, atKey?: boolean): SourceLocation;
  /**
   * Where character `offset` (0-based) of the string at `pointer` is written, when the scalar is written on one line
   * without escapes (plain or quoted); else where the scalar starts.
   */
  whereIn(pointer: string, offset: number): SourceLocation;
}

/**
 * How many times one anchor may be expanded, weighted by the aliases inside it (the `yaml` library's measure).
 * A "billion laughs" file nests aliases so that a few hundred bytes expand to gigabytes; real configs reuse an anchor
 * a handful of times.
 */
export const MAX_ALIAS_COUNT = 100;

let validator: ValidateFunction | undefined;

/**
 * The netsec.yaml validator, precompiled from netsec.schema.json by `npm run schema` (scripts/compile-validators.mjs):
 * compiling the schema with ajv on every run cost ~250 ms. A test keeps both files in step with the sections.
 */
function getValidator(): ValidateFunction {
  validator ??= loadPrecompiledValidator('netsec.schema.validate.cjs');
  return validator;
}

/** Reads and validates a netsec.yaml file. Every problem is a NetsecError('CONFIG') with its line and column. */
export function loadConfigFile(file: string): LoadedConfig {
  const text = readInputFile(file, { what: 'config file', expected: 'a readable netsec.yaml', fix: 'check the path given with -c/--config' });
  return parseConfig(text, file);
}

/** Parses and validates netsec.yaml text; `file` is where it was read from (messages name its file name). */
export function parseConfig(text: string, file: string): LoadedConfig {
  const name = escapeControls(basename(file));
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file: name, line: pos.line, column: pos.col };
  };
  // logLevel 'error': the library's own warnings go to the console and would echo raw input past netsec's renderer.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const e = firstYamlProblem(doc, text);
  if (e) {
    throw new NetsecError('CONFIG', yamlSyntaxMessage(e), at(e.pos[0]));
  }
  refuseBadAliases(doc, at, name);
  refuseCollectionKeys(doc, at, name);
  refuseNonFiniteNumbers(doc, text, at, name);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The library names no position; the first alias of an anchor that itself holds aliases is where nesting starts.
    if (!(err instanceof ReferenceError)) throw err;
    const alias = nestedAlias(doc) ?? firstAlias(doc);
    throw new NetsecError(
      'CONFIG',
      `the aliases here expand the file beyond netsec's limit (an anchor may be expanded at most ${MAX_ALIAS_COUNT} times, counting the aliases inside it); expected a file that aliases a few values; write the values out or use fewer nested aliases`,
      alias?.range ? at(alias.range[0]) : { file: name },
      { cause: err },
    );
  }
  const where = (pointer: string, atKey = false): SourceLocation => {
    const offset = offsetOf(doc, pointer, atKey);
    return offset === undefined ? { file: name } : at(offset);
  };
  const whereIn = (pointer: string, offset: number): SourceLocation => {
    const node = doc.getIn(pathOf(pointer), true);
    if (isScalar(node) && node.range && typeof node.value === 'string' && !node.value.includes('\n')) {
      const source = text.slice(node.range[0], node.range[1]);
      if (node.type === 'PLAIN' && source === node.value) return at(node.range[0] + offset);
      if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && source.slice(1, -1) === node.value) return at(node.range[0] + 1 + offset);
    }
    return where(pointer);
  };
  const locate = (pointer: string, atKey = false): string => formatLocation(where(pointer, atKey));
  const validate = getValidator();
  if (!validate(data)) {
    const written = (pointer: string): string | undefined => {
      const node = doc.getIn(pathOf(pointer), true);
      return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    };
    const all = schemaProblems(validate.errors ?? [], where, written);
    const unique = [...new Map(all.map((p) => [`${formatLocation(p.location!)}: ${p.message}`, p])).values()];
    // In the order of the file, as an editor walks it.
    unique.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
    throw problemsError('CONFIG', unique, name);
  }
  const config = data as NetsecConfig;
  const seen = new Map<string, number>();
  config.targets.forEach((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined) {
      throw new NetsecError(
        'CONFIG',
        `targets[${i}].name is '${t.name}', like targets[${first}] (${locate(`/targets/${first}/name`)}); expected a unique name per target (each names its folder dist/<name>/); rename one`,
        where(`/targets/${i}/name`),
      );
    }
    seen.set(t.name, i);
  });
  return { config, file, name, locate, where, whereIn };
}

/** Aliases whose anchor is not defined before them: the library would fail without a position. */
function refuseBadAliases(doc: Document, at: (offset: number) => SourceLocation, name: string): void {
  const anchors = new Set<string>();
  const problems: Problem[] = [];
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) {
          problems.push({ location: at(node.range?.[0] ?? 0), message: `alias '*${echo(node.source)}' names no anchor defined before it; expected '&${echo(node.source)}' on an earlier value; define the anchor first or write the value out` });
        }
      } else if (node.anchor) {
        anchors.add(node.anchor);
      }
    },
  });
  if (problems.length) throw problemsError('CONFIG', problems, name);
}

/** Keys that are lists or maps (`? [a, b]: x`): JSON has no such keys, and every netsec.yaml key is a name. */
function refuseCollectionKeys(doc: Document, at: (offset: number) => SourceLocation, name: string): void {
  const problems: Problem[] = [];
  visit(doc, {
    Pair: (_key, pair) => {
      if (isCollection(pair.key)) {
        problems.push({ location: at((pair.key as Node).range?.[0] ?? 0), message: 'a list or map is used as a key; expected a name; write the key as a plain string' });
      }
    },
  });
  if (problems.length) throw problemsError('CONFIG', problems, name);
}

/**
 * Numbers that are not finite (`.nan`, `.inf`, `1e400`): YAML reads them, JSON Schema's `number` accepts them, and
 * nothing downstream can write them (JSON has no NaN), so they are refused where they are written.
 */
function refuseNonFiniteNumbers(doc: Document, text: string, at: (offset: number) => SourceLocation, name: string): void {
  const problems: Problem[] = [];
  visit(doc, {
    Scalar: (_key, node) => {
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
        const written = node.range ? text.slice(node.range[0], node.range[1]) : String(node.value);
        problems.push({
          location: at(node.range?.[0] ?? 0),
          message: `'${echo(written)}' is ${Number.isNaN(node.value) ? 'not a number' : 'infinite'} to YAML; expected a finite number; write the number itself (or quote it if a string was meant)`,
        });
      }
    },
  });
  if (problems.length) throw problemsError('CONFIG', problems, name);
}

function firstAlias(doc: Document | Node): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The first alias whose anchor holds aliases itself (the nesting a "billion laughs" file is made of). */
function nestedAlias(doc: Document): Node | undefined {
  const anchored = new Map<string, Node>();
  let found: Node | undefined;
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchored.get(node.source);
        if (target && isCollection(target) && firstAlias(target) !== undefined) {
          found = node;
          return visit.BREAK;
        }
      } else if (node.anchor) {
        anchored.set(node.anchor, node);
      }
      return undefined;
    },
  });
  return found;
}

function pathOf(pointer: string): (string | number)[] {
  return pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/**
 * Offset of the node at a JSON pointer (the nearest existing parent if the node is missing), or of the key itself
 * when `atKey` (an unknown key is best shown where it is written, not where its value starts).
 */
function offsetOf(doc: Document, pointer: string, atKey: boolean): number | undefined {
  const path = pathOf(pointer);
  if (atKey && path.length) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === path[path.length - 1]) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** For unknown keys and keys of the wrong form, point at the key itself rather than its parent object. */
function pointerOf(e: ErrorObject): string {
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${escape((e.params as { additionalProperty: string }).additionalProperty)}`;
  if (e.propertyName !== undefined) return `${e.instancePath}/${escape(e.propertyName)}`;
  return e.instancePath;
}

/** The place a schema error is about, as messages name it: `targets[0].cilium`, or the file for the root. */
function placeOf(pointer: string): string {
  return pointer === '' ? 'the file' : echo(pointerToPath(pointer));
}

/** A value from the file as a message shows it: JSON (so its type shows), control characters escaped, cut when long. */
function shown(data: unknown): string {
  return echo(JSON.stringify(data) ?? String(data));
}

/** `a string`, `a list`, ... for a JSON Schema type name. */
function typeName(type: string): string {
  return { string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a map (key: value lines)', null: 'null' }[type] ?? type;
}

/** What kind of value the file holds, in the words of `typeName`. */
function kindOf(data: unknown): string {
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a map';
  if (typeof data === 'boolean') return 'a boolean';
  return `a ${typeof data}`;
}

/**
 * The schema's errors as problems, one per place: what was found, what was expected and how to fix it, each place
 * named as the user writes it. `written` gives a scalar's text as it stands in the file (`1.20`, not the number 1.2).
 */
function schemaProblems(errors: readonly ErrorObject[], where: (pointer: string, atKey?: boolean) => SourceLocation, written: (pointer: string) => string | undefined): Problem[] {
  // An anyOf or oneOf whose branches each only require a key ("cidrs" or "feeds") is one problem about those keys.
  const merged = new Set<ErrorObject>();
  const problems: Problem[] = [];
  for (const c of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const branches = Array.isArray(c.schema) ? (c.schema as { required?: unknown }[]) : [];
    const keys = branches.map((b) => (Array.isArray(b.required) && b.required.length === 1 && Object.keys(b).length === 1 ? String(b.required[0]) : undefined));
    if (!keys.length || keys.some((k) => k === undefined)) continue;
    const within = `${c.schemaPath}/`;
    for (const e of errors) if (e === c || e.schemaPath.startsWith(within)) merged.add(e);
    const listed = keys.map((k) => `'${k}'`).join(', ');
    const many = c.keyword === 'oneOf' && (c.params as { passingSchemas?: unknown }).passingSchemas != null;
    problems.push({
      location: where(c.instancePath),
      message: many
        ? `${placeOf(c.instancePath)} has more than one of ${listed}; expected exactly one of them; keep one`
        : `${placeOf(c.instancePath)} has none of ${listed}; expected ${c.keyword === 'oneOf' ? 'exactly one' : 'at least one'} of them; add one`,
    });
  }
  for (const e of errors) {
    // `if` errors say nothing; `propertyNames` repeats the error about the key itself.
    if (merged.has(e) || e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    problems.push({ location: where(pointerOf(e), e.keyword === 'additionalProperties' || e.propertyName !== undefined), message: describe(e, written) });
  }
  return problems;
}

/**
 * The patterns of netsec.schema.json in words (a test checks that every pattern there has some), so that a message
 * says what to write rather than showing a regular expression.
 */
export const PATTERN_WORDS: Readonly<Record<string, string>> = {
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': "a name of lowercase letters, digits and '-' that starts and ends with a letter or digit (a DNS label)",
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': "a name of DNS labels joined by '.' (lowercase letters, digits and '-')",
  '^v?\\d+\\.\\d+(\\.\\d+)?$': 'a version line such as "1.17" or a version such as "1.17.3", quoted',
  '^[a-z0-9]+/[a-z0-9-]+$': "a lint rule id such as 'cilium/cidr-identity-cost' (docs/rules.md)",
  '\\S': 'some text, not only blanks',
  '^[A-Za-z]{2}$': "a two-letter country code such as 'DE'",
  '^[0-9]+$': 'a port number, digits only',
};

/** One schema error: "<place> is <found>; expected <what>; <how to fix it>". */
function describe(e: ErrorObject, written: (pointer: string) => string | undefined): string {
  const place = placeOf(e.instancePath);
  const key = e.instancePath.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const unknown = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const close = closestMatch(unknown, allowed, { maxDistance: Math.max(2, Math.floor(unknown.length / 3)) });
      return `unknown key '${echo(unknown)}'${e.instancePath ? ` in ${place}` : ''}; expected one of: ${allowed.join(', ')}; ${close ? `did you mean '${close}'?` : 'remove it'}`;
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return `${place} has no '${missing}'; expected ${missing}: to be given; add it`;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const close = typeof e.data === 'string' ? closestMatch(e.data, allowed.filter((v): v is string => typeof v === 'string'), { maxDistance: 3 }) : undefined;
      return `${place} is ${shown(e.data)}; expected one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}; ${close ? `did you mean '${close}'?` : 'use one of them'}`;
    }
    case 'type': {
      const type = String((e.params as { type: string }).type);
      if (e.instancePath === '' && (e.data === null || e.data === undefined)) {
        return 'the file holds no settings (it is empty, or only comments); expected a map with targets: and the sections to build for them; start from the bundled netsec.yaml';
      }
      const text = written(e.instancePath);
      if (type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean') && text !== undefined) {
        // YAML reads 1.20 as the number 1.2 and yes as true: a version or an annotation value must be quoted.
        const read = String(e.data) === text ? '' : ` (unquoted, YAML reads ${echo(text)} as ${shown(e.data)})`;
        return `${place} is ${shown(e.data)}, ${kindOf(e.data)}${read}; expected a string; quote it: ${echo(key)}: "${echo(text)}"`;
      }
      if (e.data === null) return `${place} is empty (null); expected ${typeName(type)}; write ${typeName(type)} here, or remove the key`;
      if (type === 'array' && text !== undefined && typeof key === 'string' && !/^\d+$/.test(key)) {
        return `${place} is ${shown(e.data)}, ${kindOf(e.data)}; expected a list; write it as one: ${echo(key)}: [${echo(text)}]`;
      }
      return `${place} is ${shown(e.data)}, ${kindOf(e.data)}; expected ${typeName(type)}; write ${typeName(type)} here`;
    }
    case 'minItems': {
      const limit = (e.params as { limit: number }).limit;
      const n = Array.isArray(e.data) ? e.data.length : 0;
      return `${place} has ${n} item${n === 1 ? '' : 's'}; expected at least ${limit}; add ${limit - n === 1 ? 'one' : limit - n}`;
    }
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      const expected = PATTERN_WORDS[pattern] ?? `a value matching ${pattern}`;
      // A key checked by propertyNames: the error is about the key, at its map.
      if (e.propertyName !== undefined) return `key '${echo(e.propertyName)}' in ${place}; expected ${expected}; rename it`;
      return `${place} is ${shown(e.data)}; expected ${expected}; fix the value`;
    }
    case 'minLength': {
      const limit = (e.params as { limit: number }).limit;
      return limit === 1 ? `${place} is empty; expected some text; write a value or remove the key` : `${place} is ${shown(e.data)}; expected at least ${limit} characters; fix the value`;
    }
    case 'maxLength':
      return `${place} is ${String(e.data).length} characters long; expected at most ${(e.params as { limit: number }).limit}; shorten it`;
    case 'minimum':
    case 'maximum':
      return `${place} is ${shown(e.data)}; expected ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${(e.params as { limit: number }).limit}; fix the value`;
    case 'uniqueItems': {
      const { i, j } = e.params as { i: number; j: number };
      return `${place} lists ${shown((e.data as unknown[])[j])} twice (items ${j} and ${i}); expected each item once; remove one`;
    }
    case 'const':
      return `${place} is ${shown(e.data)}; expected ${shown((e.params as { allowedValue: unknown }).allowedValue)}; fix the value`;
    case 'minProperties': {
      const limit = (e.params as { limit: number }).limit;
      return `${place} is an empty map; expected at least ${limit} key${limit === 1 ? '' : 's'}; add ${limit === 1 ? 'one' : limit} or remove it`;
    }
    case 'dependencies': {
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      return `${place} has '${property}' without '${missingProperty}'; expected ${missingProperty}: with it; add it`;
    }
    default:
      return `${place} ${e.message ?? e.keyword}${e.data !== undefined && typeof e.data !== 'object' ? ` (found ${shown(e.data)})` : ''}; fix the value`;
  }
}
