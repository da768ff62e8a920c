import { NetsecError } from './errors.js';
/**
 * A YAML emitter for plain JSON data (objects, arrays, strings, numbers, booleans, null), in the block style
 * kubectl users read. Hand-written because it is on the hot path of geo-blocking output: the `yaml` library took
 * 3.6 s to stringify one million CIDR strings on the 2-core CI machine, this takes under 0.2 s (see `npm run bench`).
 * Everything else (parsing, netsec.yaml) uses the `yaml` library.
 *
 * Correctness contract (property-tested against the `yaml` parser in YAML 1.1 and 1.2 mode): `parse(emitYaml(x))`
 * deep-equals `x`. Strings are written plain only when neither YAML 1.2 nor YAML 1.1 (which Kubernetes'
 * sigs.k8s.io/yaml, go-yaml v2 and many GitOps tools still speak) could read them as anything but that string;
 * otherwise they are double-quoted (JSON string syntax is valid YAML). Multi-line strings use literal blocks so
 * Corefiles and flowlogs.yaml stay readable.
 */

// Characters a plain scalar may hold here. What a YAML reader treats specially is left out: indicators at the start
// ('-', '?', ':', '=' (YAML 1.1's value key) ...), blanks (' #', ': '), flow characters, quotes, and '<' (the 1.1 merge
// key '<<').
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./:@+=-]*$/;
// YAML 1.1 booleans (y, n, yes, no, on, off, true, false), nulls and special floats, and their 1.2 forms. Readers
// differ in which letter cases they accept (the 1.1 type repository lists 'yes', 'Yes' and 'YES'); any case is quoted.
const RESERVED_WORD = /^(?:null|~|true|false|yes|no|on|off|y|n|[-+]?\.inf|\.nan)$/i;
// What YAML 1.1 (yaml.org/type/int, float, timestamp) and the 1.2 core schema resolve to something other than a string:
// - decimal ints and floats, with '_' and with the 1.1 float's `\.[0-9.]*` (so '1.2.3', '10.0.0.1', '.' and 'e5' too:
//   the 1.1 regex matches them, even if most readers do not);
// - hex, octal and binary ('0x1f', '0o17', '0b101'; 1.1's '012' is a decimal-looking octal, covered above);
// - base-60 ints and floats ('1:20', '190:20:30.15');
// - timestamps: a date 'yyyy-m-d' alone or followed by 'T', 't' or blanks and a time (go-yaml v2 also accepts one-digit
//   months and days).
const NUMBER_LIKE = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9._]*)?(?:[eE][-+]?[0-9]+)?$|^[-+]?0[xXoObB]|^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/;
// A literal block keeps every character; it cannot start with a space (the indentation would be ambiguous) and it
// cannot carry control characters or a carriage return.
const BLOCK_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f\r]|^ /;

// An IP prefix such as 10.0.0.0/8 or 2001:db8::/32 is always plain: the '/' rules out every number, sexagesimal and
// reserved-word form of YAML 1.1 and 1.2 (property-tested, `0x1/8` included). Lets a million-prefix list be written
// with one join.
const PREFIX_LIKE = /^[0-9A-Fa-f][0-9A-Fa-f:.]*\/[0-9]{1,3}$/;

function isPlain(s: string): boolean {
  return PLAIN.test(s) && !RESERVED_WORD.test(s) && !NUMBER_LIKE.test(s) && !s.endsWith(':');
}

function scalar(s: string): string {
  return isPlain(s) ? s : JSON.stringify(s);
}

function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || BLOCK_UNSAFE.test(s)) return undefined;
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? s : s.slice(0, s.length - trailing);
  if (body === '') return undefined;
  const lines = body.split('\n').map((l) => (l === '' ? '' : indent + l));
  // Keep chomping: with '+', the extra newlines are part of the value.
  return `|${chomp}\n${lines.join('\n')}\n${trailing > 1 ? '\n'.repeat(trailing - 1) : ''}`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function inline(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // A JavaScript caller's NaN or Infinity (a count computed from nothing): the caller's value, so a NetsecError.
    if (!Number.isFinite(value)) throw new NetsecError('INVALID', `a value is ${value}, which YAML for Kubernetes (JSON numbers) cannot hold; pass a finite number (or a string where one is expected).`);
    return String(value);
  }
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (isObject(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function key(k: string): string {
  return isPlain(k) ? k : JSON.stringify(k);
}

/** Appends `value` as the value of a mapping key or sequence item whose line already holds `prefix`. */
function emitValue(out: string[], prefix: string, value: unknown, indent: string): void {
  const simple = inline(value);
  if (simple !== undefined) {
    out.push(`${prefix} ${simple}\n`);
  } else if (typeof value === 'string') {
    const block = literalBlock(value, indent + '  ');
    out.push(block ? `${prefix} ${block}` : `${prefix} ${scalar(value)}\n`);
  } else if (Array.isArray(value)) {
    out.push(`${prefix}\n`);
    emitSeq(out, value, indent + '  ');
  } else {
    out.push(`${prefix}\n`);
    emitMap(out, value as Record<string, unknown>, indent + '  ');
  }
}

function emitMap(out: string[], obj: Record<string, unknown>, indent: string): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    emitValue(out, `${indent}${key(k)}:`, v, indent);
  }
}

function allPlainPrefixes(arr: readonly unknown[]): arr is readonly string[] {
  // An indexed loop: for-of over a 134k-prefix list measured ~4x slower on a cold run (this runs once per list).
  for (let i = 0; i < arr.length; i++) {
    const item = arr[i];
    if (typeof item !== 'string' || !PREFIX_LIKE.test(item)) return false;
  }
  return true;
}

function emitSeq(out: string[], arr: readonly unknown[], indent: string): void {
  if (arr.length > 0 && allPlainPrefixes(arr)) {
    // The hot path: long lists of CIDRs, written with one native join instead of a string per item.
    out.push(`${indent}- ${arr.join(`\n${indent}- `)}\n`);
    return;
  }
  for (const item of arr) {
    if (typeof item === 'string' && !item.includes('\n')) {
      out.push(`${indent}- ${scalar(item)}\n`);
    } else if (isObject(item) && Object.keys(item).length > 0) {
      // First key on the dash line, the rest aligned under it.
      const inner: string[] = [];
      emitMap(inner, item, indent + '  ');
      out.push(`${indent}- ${inner.join('').slice(indent.length + 2)}`);
    } else if (Array.isArray(item) && item.length > 0) {
      const inner: string[] = [];
      emitSeq(inner, item, indent + '  ');
      out.push(`${indent}- ${inner.join('').slice(indent.length + 2)}`);
    } else {
      emitValue(out, `${indent}-`, item, indent);
    }
  }
}

/** One YAML document (no `---`) for a JSON value; objects keep their key order. */
export function emitYaml(value: unknown): string {
  const simple = inline(value);
  if (simple !== undefined) return `${simple}\n`;
  if (typeof value === 'string') return literalBlock(value, '') ? `${literalBlock(value, '  ')}` : `${scalar(value)}\n`;
  const out: string[] = [];
  if (Array.isArray(value)) emitSeq(out, value, '');
  else emitMap(out, value as Record<string, unknown>, '');
  return out.join('');
}
