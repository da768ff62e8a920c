/**
 * Calico's selector language (libcalico-go `lib/selector/tokenizer` and `parser`; domain-notes §B.10), parsed and
 * evaluated, so lint refuses what Calico's validator refuses and can tell which network sets a rule selects.
 *
 * Grammar: `or := and ('||' and)*`, `and := op ('&&' op)*`, `op := '!'* ('(' or ')' | all() | global() | has(L) |
 * L cmp STRING | L (in | not in) '{' [STRING (',' STRING)* [',']] '}')`, labels `[a-zA-Z0-9_./-]{1,512}`, strings
 * single- or double-quoted without escapes, whitespace is space and tab only. An empty selector means `all()`.
 */

export type CalicoSelector =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly label: string }
  | { readonly op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; readonly label: string; readonly value: string }
  | { readonly op: 'in' | 'not in'; readonly label: string; readonly values: readonly string[] }
  | { readonly op: 'not'; readonly operand: CalicoSelector }
  | { readonly op: 'and' | 'or'; readonly operands: readonly CalicoSelector[] };

/** A selector Calico would refuse: where (0-based offset) and what was expected there. */
export class CalicoSelectorError extends Error {
  public constructor(
    public readonly offset: number,
    public readonly found: string,
    public readonly expected: string,
  ) {
    super(`at column ${offset + 1}, found ${found}; expected ${expected}`);
  }
}

const LABEL = /^[a-zA-Z0-9_./-]{1,512}/;
const WORD_CHAR = /[a-zA-Z0-9_]/;

/** Parses a Calico selector; throws `CalicoSelectorError` where libcalico-go's parser refuses it. */
export function parseCalicoSelector(text: string): CalicoSelector {
  let pos = 0;
  const skipWs = () => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  const describe = (): string => {
    if (pos >= text.length) return 'the end of the selector';
    const rest = /^[a-zA-Z0-9_./-]+|^./.exec(text.slice(pos))![0];
    return `'${rest}'`;
  };
  const fail = (expected: string): never => {
    throw new CalicoSelectorError(pos, describe(), expected);
  };
  /** A keyword (`in`, `contains`, `starts with`) followed by a word boundary, as the tokenizer's `\b`. */
  const keyword = (...words: string[]): boolean => {
    const start = pos;
    for (let i = 0; i < words.length; i++) {
      if (i > 0) {
        const ws = pos;
        skipWs();
        if (pos === ws) { pos = start; return false; }
      }
      if (!text.startsWith(words[i], pos)) { pos = start; return false; }
      pos += words[i].length;
    }
    if (pos < text.length && WORD_CHAR.test(text[pos])) { pos = start; return false; }
    return true;
  };
  const literal = (s: string): boolean => {
    if (!text.startsWith(s, pos)) return false;
    pos += s.length;
    return true;
  };
  const label = (): string | undefined => {
    const m = LABEL.exec(text.slice(pos));
    if (!m) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const string = (): string => {
    const quote = text[pos];
    if (quote !== '"' && quote !== "'") return fail('a quoted string');
    const end = text.indexOf(quote, pos + 1);
    if (end < 0) return fail(`a closing ${quote}`);
    const value = text.slice(pos + 1, end);
    pos = end + 1;
    return value;
  };

  const parseOr = (): CalicoSelector => {
    const operands = [parseAnd()];
    for (;;) {
      skipWs();
      if (!literal('||')) break;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0] : { op: 'or', operands };
  };
  const parseAnd = (): CalicoSelector => {
    const operands = [parseOp()];
    for (;;) {
      skipWs();
      if (!literal('&&')) break;
      operands.push(parseOp());
    }
    return operands.length === 1 ? operands[0] : { op: 'and', operands };
  };
  const parseOp = (): CalicoSelector => {
    skipWs();
    if (text[pos] === '!' && text[pos + 1] !== '=') {
      pos++;
      return { op: 'not', operand: parseOp() };
    }
    if (literal('(')) {
      const inner = parseOr();
      skipWs();
      if (!literal(')')) fail("')' or an operator ('&&', '||')");
      return inner;
    }
    const start = pos;
    if (literal('all(')) {
      skipWs();
      if (literal(')')) return { op: 'all' };
      pos = start;
    }
    if (literal('global(')) {
      skipWs();
      if (literal(')')) return { op: 'global' };
      pos = start;
    }
    if (literal('has(')) {
      skipWs();
      const l = label() ?? fail('a label name inside has(...)');
      skipWs();
      if (!literal(')')) fail("')' closing has(...)");
      return { op: 'has', label: l };
    }
    const l = label() ?? fail("a label name, '!', '(', all(), global() or has(...)");
    skipWs();
    if (literal('==')) return cmp('==', l);
    if (literal('!=')) return cmp('!=', l);
    if (keyword('contains')) return cmp('contains', l);
    if (keyword('starts', 'with')) return cmp('starts with', l);
    if (keyword('ends', 'with')) return cmp('ends with', l);
    if (keyword('in')) return set('in', l);
    if (keyword('not', 'in') || keyword('notin')) return set('not in', l);
    return fail("an operator after the label ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')");
  };
  const cmp = (op: '==' | '!=' | 'contains' | 'starts with' | 'ends with', l: string): CalicoSelector => {
    skipWs();
    return { op, label: l, value: string() };
  };
  const set = (op: 'in' | 'not in', l: string): CalicoSelector => {
    skipWs();
    if (!literal('{')) fail("'{' opening the set of values");
    const values: string[] = [];
    for (;;) {
      skipWs();
      if (literal('}')) break;
      values.push(string());
      skipWs();
      if (literal(',')) continue;
      if (literal('}')) break;
      fail("',' or '}'");
    }
    return { op, label: l, values };
  };

  skipWs();
  if (pos === text.length) return { op: 'all' };
  const result = parseOr();
  skipWs();
  if (pos !== text.length) fail("'&&', '||' or the end of the selector");
  return result;
}

/**
 * Whether a parsed selector matches an object with these labels. `!=` and `not in` also match objects without the
 * label (Calico's semantics, §B.10); `global()` matches only what `isGlobal` says (a GlobalNetworkSet's scope).
 */
export function calicoSelectorMatches(sel: CalicoSelector, labels: Readonly<Record<string, string>>, isGlobal = false): boolean {
  switch (sel.op) {
    case 'all': return true;
    case 'global': return isGlobal;
    case 'has': return Object.hasOwn(labels, sel.label);
    case '==': return labels[sel.label] === sel.value;
    case '!=': return labels[sel.label] !== sel.value;
    case 'contains': return Object.hasOwn(labels, sel.label) && labels[sel.label].includes(sel.value);
    case 'starts with': return Object.hasOwn(labels, sel.label) && labels[sel.label].startsWith(sel.value);
    case 'ends with': return Object.hasOwn(labels, sel.label) && labels[sel.label].endsWith(sel.value);
    case 'in': return Object.hasOwn(labels, sel.label) && sel.values.includes(labels[sel.label]);
    case 'not in': return !Object.hasOwn(labels, sel.label) || !sel.values.includes(labels[sel.label]);
    case 'not': return !calicoSelectorMatches(sel.operand, labels, isGlobal);
    case 'and': return sel.operands.every((o) => calicoSelectorMatches(o, labels, isGlobal));
    case 'or': return sel.operands.some((o) => calicoSelectorMatches(o, labels, isGlobal));
  }
}

/** The selector as Calico prints it (single quotes, canonical spacing): parse(print(s)) gives s back. */
export function printCalicoSelector(sel: CalicoSelector): string {
  const q = (v: string) => (v.includes("'") ? `"${v}"` : `'${v}'`);
  switch (sel.op) {
    case 'all': return 'all()';
    case 'global': return 'global()';
    case 'has': return `has(${sel.label})`;
    case 'in': case 'not in': return `${sel.label} ${sel.op} {${sel.values.map(q).join(', ')}}`;
    case 'not': return `!${sel.operand.op === 'and' || sel.operand.op === 'or' ? `(${printCalicoSelector(sel.operand)})` : printCalicoSelector(sel.operand)}`;
    case 'and': return sel.operands.map((o) => (o.op === 'or' ? `(${printCalicoSelector(o)})` : printCalicoSelector(o))).join(' && ');
    case 'or': return sel.operands.map(printCalicoSelector).join(' || ');
    default: return `${sel.label} ${sel.op} ${q(sel.value)}`;
  }
}

/** Whether the selector uses `global()` anywhere. */
export function usesGlobal(sel: CalicoSelector): boolean {
  switch (sel.op) {
    case 'global': return true;
    case 'not': return usesGlobal(sel.operand);
    case 'and': case 'or': return sel.operands.some(usesGlobal);
    default: return false;
  }
}
