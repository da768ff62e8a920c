import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { NetsecError, formatLocation } from '../core/errors.js';
import { TargetProps } from '../core/target.js';
import { loadPrecompiledValidator } from '../core/validation/precompiled.js';

/** A parsed and schema-valid netsec.yaml. */
export interface NetsecConfig {
  readonly targets: TargetProps[];
  readonly [section: string]: unknown;
}

/** A loaded config with what messages need to point back into the file. */
export interface LoadedConfig {
  readonly config: NetsecConfig;
  readonly file: string;
  /** `file:line:col` of the value (or, with `atKey`, the key) at a JSON pointer, or just the file. */
  locate(pointer: string, atKey?: boolean): string;
}

let validator: ValidateFunction | undefined;

/**
 * The netsec.yaml validator, precompiled from netsec.schema.json by `npm run schema` (scripts/compile-validators.mjs):
 * compiling the schema with ajv on every run cost ~250 ms. A test keeps both files in step with the sections.
 */
function getValidator(): ValidateFunction {
  validator ??= loadPrecompiledValidator('netsec.schema.validate.cjs');
  return validator;
}

/** Reads and validates a netsec.yaml file. Every problem is a NetsecError('CONFIG') naming file, line, column and path. */
export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NetsecError('CONFIG', `${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
  }
  return parseConfig(text, file);
}

/** Parses and validates netsec.yaml text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    throw new NetsecError('CONFIG', `${formatLocation({ file, line: pos.line, column: pos.col })}: invalid YAML: ${e.message.split('\n')[0]}`, { file, line: pos.line, column: pos.col });
  }
  const data = doc.toJS() as unknown;
  const locate = (pointer: string, atKey = false): string => formatLocation({ file, ...positionOf(doc, lineCounter, pointer, atKey) });
  const validate = getValidator();
  if (!validate(data)) {
    const messages = (validate.errors ?? []).filter(notNoise).map((e) => `${locate(pointerOf(e), e.keyword === 'additionalProperties')}: ${describe(e)}`);
    throw new NetsecError('CONFIG', [...new Set(messages)].join('\n'), { file });
  }
  const config = data as NetsecConfig;
  const seen = new Set<string>();
  config.targets.forEach((t, i) => {
    if (seen.has(t.name)) throw new NetsecError('CONFIG', `${locate(`/targets/${i}/name`)}: /targets/${i}/name is '${t.name}', but another target already has that name; target names must be unique.`);
    seen.add(t.name);
  });
  return { config, file, locate };
}

/**
 * Line and column of the node at a JSON pointer (the nearest existing parent if the node is missing), or of the
 * key itself when `atKey` (an unknown key is best shown where it is written, not where its value starts).
 */
function positionOf(doc: Document, lineCounter: LineCounter, pointer: string, atKey: boolean): { line?: number; column?: number } {
  const path = pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (atKey && path.length) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === path[path.length - 1]) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) {
      const pos = lineCounter.linePos(pair.key.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** For unknown keys, point at the key itself rather than its parent object. */
function pointerOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
  return e.instancePath;
}

/** anyOf/oneOf branch errors repeat what the combinator says; `if` errors say nothing. */
function notNoise(e: ErrorObject): boolean {
  return e.keyword !== 'if';
}

/** cdk8s-cli style: "<path> is <found> but it should be <expected>". */
function describe(e: ErrorObject): string {
  const path = pointerOf(e) || '/';
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'; expected one of: ${allowed.join(', ')}`;
    }
    case 'required':
      return `${path} is missing '${(e.params as { missingProperty: string }).missingProperty}', which is required`;
    case 'enum':
      return `${path} is ${JSON.stringify(e.data)} but it should be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${path} is ${JSON.stringify(e.data)} but it should be of type ${String((e.params as { type: string }).type)}`;
    case 'pattern':
      return `${path} is ${JSON.stringify(e.data)} but it should match ${(e.params as { pattern: string }).pattern}`;
    default:
      return `${path} ${e.message ?? e.keyword}${e.data !== undefined && typeof e.data !== 'object' ? ` (found ${JSON.stringify(e.data)})` : ''}`;
  }
}
