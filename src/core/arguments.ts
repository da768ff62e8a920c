import { NetsecError } from './errors.js';

// Checks of what a JavaScript caller passes, at the entry points where a wrong type would otherwise be written with
// another meaning (a string spread into a list of characters, a number taken for "no selector", an unknown enum value
// taken for the default). TypeScript callers never reach these refusals; netsec.yaml is checked by its schema first.

function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 80))}`;
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `${typeof value} ${String(JSON.stringify(value) ?? value).slice(0, 80)}`;
}

/** `value` as a plain object (a record of labels, a props object), else a NetsecError naming `who` and `field`. */
export function requireRecord(who: string, field: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NetsecError('INVALID', `${who}: '${field}' must be an object (got ${shown(value)}).`);
  }
  return value as Record<string, unknown>;
}

/** `value` as a list (never a string, which would be read one character at a time), else a NetsecError. */
export function requireList<T = unknown>(who: string, field: string, value: unknown): T[] {
  if (!Array.isArray(value)) throw new NetsecError('INVALID', `${who}: '${field}' must be a list (got ${shown(value)}); write [${typeof value === 'string' ? JSON.stringify(value) : '...'}].`);
  return value as T[];
}

/** `value` as a string, else a NetsecError (a JavaScript caller's null had failed inside as "value.trim is not a function"). */
export function requireString(who: string, field: string, value: unknown): string {
  if (typeof value !== 'string') throw new NetsecError('INVALID', `${who}: '${field}' must be a string (got ${shown(value)}).`);
  return value;
}

/** `value` as a boolean (never the string "false", which is truthy), else a NetsecError. */
export function requireBoolean(who: string, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new NetsecError('INVALID', `${who}: '${field}' must be true or false (got ${shown(value)}).`);
  return value;
}

/** `value` as one of `values` (an enum's), else a NetsecError listing them. */
export function requireOneOf<T extends string>(who: string, field: string, value: unknown, values: readonly T[]): T {
  if (!values.includes(value as T)) throw new NetsecError('INVALID', `${who}: '${field}' must be one of: ${values.join(', ')} (got ${shown(value)}).`);
  return value as T;
}

/** `value` as an instance of `type` (a value object netsec builds, such as a PeerAuthenticationScope), else a NetsecError. */
export function requireInstance<T>(who: string, field: string, value: unknown, type: { readonly prototype: T }, how: string): T {
  // Not `instanceof type`: the classes have private constructors, which TypeScript will not take as a constructor type.
  if (value === null || typeof value !== 'object' || !Object.prototype.isPrototypeOf.call(type.prototype, value)) throw new NetsecError('INVALID', `${who}: '${field}' must be built with ${how} (got ${shown(value)}).`);
  return value as T;
}
