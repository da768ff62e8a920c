import { NetsecError } from '../core/errors.js';
import { requireString } from '../core/arguments.js';

// Grammar and matching semantics of Cilium's `matchName` / `matchPattern` (domain-notes §B.3; cilium
// pkg/policy/api/fqdn.go and pkg/fqdn/matchpattern/matchpattern.go). The CRD patterns are
// `^([-a-zA-Z0-9_]+[.]?)+$` and `^([-a-zA-Z0-9_*]+[.]?)+$`; the forms below accept exactly the same strings
// without the nested quantifier (which backtracks exponentially on long invalid input).
const MATCH_NAME = /^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/;
const MATCH_PATTERN = /^[-a-zA-Z0-9_*]+(\.[-a-zA-Z0-9_*]+)*\.?$/;
/** pkg/fqdn/matchpattern: `MaxFQDNLength`. */
const MAX_FQDN_LENGTH = 255;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
/** A pattern made only of `*` (and an optional final dot) matches every name (`dnsWildcardRegex`). */
const MATCH_ALL_PATTERN = /^\*+\.?$/;
/** A leading run of two or more `*` followed by a dot: one or more whole labels, from Cilium 1.19 on. */
const MULTILEVEL_PREFIX = /^\*\*+\./;
const LABEL_CHARS = '[-a-zA-Z0-9_]';

/** Which field of a Cilium FQDN selector is set. */
export enum FqdnMatchKind {
  /** `matchName`: one exact name. */
  NAME = 'matchName',
  /** `matchPattern`: a name with `*` wildcards. */
  PATTERN = 'matchPattern',
}

/**
 * How to interpret a pattern, which depends on the target's Cilium line (pkg/fqdn/matchpattern/matchpattern.go at
 * v1.18.3 and v1.19.0-pre.4): from 1.19 a leading `**.` matches one or more whole labels and every pattern of only `*`
 * (`**`, `*.`, `**.`) matches every name; before 1.19 only `*` matches every name, and the others match within one label.
 */
export interface FqdnMatchOptions {
  /** The target has `Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD` (Cilium 1.19+): `target.has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD)`. */
  readonly multilevelWildcard: boolean;
}

/**
 * A Cilium FQDN selector: exactly one of `matchName` or `matchPattern`, validated by the upstream grammar. Used in
 * `toFQDNs` (through `Peer.fqdn()` / `Peer.fqdnPattern()`) and in DNS L7 rules (`rules.dns`).
 */
export class FqdnSelector {
  /**
   * An exact name; matching is case-insensitive and ignores a final dot.
   * @example FqdnSelector.matchName('api.example.com')
   */
  public static matchName(name: string): FqdnSelector {
    const who = `FqdnSelector.matchName('${name}')`;
    checkCommon(who, name, 'name');
    if (name.includes('*')) {
      throw new NetsecError('INVALID', `${who}: a name must not contain '*'; wildcards belong in a pattern. Did you mean matchPattern: '${name}' (FqdnSelector.matchPattern('${name}'))?`);
    }
    if (!MATCH_NAME.test(name)) {
      throw new NetsecError('INVALID', `${who}: expected DNS labels of letters, digits, '-' and '_' separated by single dots (the matchName grammar ^([-a-zA-Z0-9_]+[.]?)+$).`);
    }
    // The grammar takes 1.2.3.4 (four digit labels), but Cilium learns toFQDNs addresses from the names in DNS
    // answers, and no answer names an address: the rule would allow nothing.
    if (/^\d+\.\d+\.\d+\.\d+\.?$/.test(name)) {
      throw new NetsecError('INVALID', `${who}: '${name}' is an IP address, not a name: toFQDNs allows the addresses DNS answers give for a name, and no answer names an address, so it would allow nothing. Allow the address with a CIDR rule (to.cidrs: ['${name.replace(/\.$/, '')}/32'], toCIDR), or name the host.`);
    }
    return new FqdnSelector(FqdnMatchKind.NAME, name);
  }

  /**
   * A pattern: `*` matches zero or more characters within one label; a pattern of only `*` matches every name; a
   * leading `**.` matches one or more whole labels (Cilium 1.19+ only; the policy checks the target).
   * @example FqdnSelector.matchPattern('*.example.com')
   */
  public static matchPattern(pattern: string): FqdnSelector {
    const who = `FqdnSelector.matchPattern('${pattern}')`;
    checkCommon(who, pattern, 'pattern');
    if (!MATCH_PATTERN.test(pattern)) {
      throw new NetsecError('INVALID', `${who}: expected DNS labels of letters, digits, '-', '_' and '*' separated by single dots (the matchPattern grammar ^([-a-zA-Z0-9_*]+[.]?)+$).`);
    }
    if (!MATCH_ALL_PATTERN.test(pattern)) {
      const rest = pattern.replace(MULTILEVEL_PREFIX, '');
      if (rest.includes('**')) {
        throw new NetsecError('INVALID', `${who}: '**' means "any number of labels" only as the leading '**.'; anywhere else Cilium matches it like '*'. Did you mean '${pattern.slice(0, pattern.length - rest.length)}${rest.replace(/\*+/g, '*')}'?`);
      }
    }
    return new FqdnSelector(FqdnMatchKind.PATTERN, pattern);
  }

  /** Which field is set. */
  public readonly kind: FqdnMatchKind;
  /** The name or pattern as given. */
  public readonly value: string;

  private constructor(kind: FqdnMatchKind, value: string) {
    this.kind = kind;
    this.value = value;
  }

  /** Whether this pattern matches every name on every Cilium line: `*` (upstream `Sanitize` keeps exactly `*` as match-all). */
  public get matchesAll(): boolean {
    return this.kind === FqdnMatchKind.PATTERN && this.value.trim() === '*';
  }

  /** Whether this pattern matches every name on the given line: `*`, and from 1.19 also `**`, `*.`, `**.` (`dnsWildcardRegex`). */
  public matchesEveryName(options: FqdnMatchOptions): boolean {
    return this.kind === FqdnMatchKind.PATTERN && (this.matchesAll || (options.multilevelWildcard && MATCH_ALL_PATTERN.test(this.value.trim())));
  }

  /**
   * Whether the pattern means something else from Cilium 1.19 on: a leading `**.` (one label before, any number after),
   * or a match-all other than `*` (one label before, every name after). Such a pattern needs a 1.19 target.
   */
  public get usesMultilevelWildcard(): boolean {
    if (this.kind !== FqdnMatchKind.PATTERN || this.matchesAll) return false;
    const value = this.value.trim();
    return MATCH_ALL_PATTERN.test(value) || MULTILEVEL_PREFIX.test(value);
  }

  /** The canonical form Cilium compares: lower case, with a final dot. */
  public get canonical(): string {
    return canonicalName(this.value);
  }

  /**
   * Whether a DNS name (with or without the final dot) is matched, under the semantics of the given Cilium line. The
   * empty string is no name and matches nothing (upstream's `''` vector).
   */
  public matches(fqdn: string, options: FqdnMatchOptions): boolean {
    if (fqdn.trim() === '') return false;
    const name = canonicalName(fqdn);
    if (this.kind === FqdnMatchKind.NAME) return name === this.canonical;
    return patternRegex(this.value, options.multilevelWildcard).test(name);
  }

  /**
   * Whether every name this selector matches is also matched by `other`. Exact for names and for identical or
   * match-all patterns; for other patterns it tests the pattern's canonical examples (domain-notes §A.2).
   */
  public isCoveredBy(other: FqdnSelector, options: FqdnMatchOptions): boolean {
    if (other.matchesEveryName(options)) return true;
    if (this.kind === FqdnMatchKind.NAME) return other.matches(this.value, options);
    if (other.kind === FqdnMatchKind.PATTERN && other.canonical === this.canonical) return true;
    if (this.matchesEveryName(options)) return false;
    return exampleNames(this.value, options.multilevelWildcard).every((n) => other.matches(n, options));
  }

  /** `matchName: x` or `matchPattern: x`, as Cilium's YAML has it. */
  public toString(): string {
    return `${this.kind}: ${this.value}`;
  }

  /** @internal the L1 shape (`{ matchName }` or `{ matchPattern }`). */
  public _toKube(): { matchName?: string; matchPattern?: string } {
    return this.kind === FqdnMatchKind.NAME ? { matchName: this.value } : { matchPattern: this.value };
  }
}

function checkCommon(who: string, value: string, what: 'name' | 'pattern'): void {
  requireString(who, what, value);
  if (value.trim() === '') throw new NetsecError('INVALID', `${who}: an FQDN ${what} must not be empty.`);
  if (SCHEME.test(value)) {
    const host = value.replace(SCHEME, '').split(/[/:?#]/)[0];
    throw new NetsecError('INVALID', `${who}: an FQDN must not include a scheme. Did you mean '${host}'?`);
  }
  if (/[/:]/.test(value)) {
    const host = value.split(/[/:]/)[0];
    throw new NetsecError('INVALID', `${who}: an FQDN must not include a port or a path; ports go in the rule's 'ports'. Did you mean '${host}'?`);
  }
  if (value.length > MAX_FQDN_LENGTH) {
    throw new NetsecError('INVALID', `${who}: an FQDN ${what} must be at most ${MAX_FQDN_LENGTH} characters (got ${value.length}).`);
  }
}

/** Lower case, trimmed, with a final dot: what Cilium matches against. */
export function canonicalName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

const regexCache = new Map<string, RegExp>();

/** The anchored regex Cilium builds for a matchPattern (matchpattern.go `ToAnchoredRegexp`). */
function patternRegex(pattern: string, multilevel: boolean): RegExp {
  const key = `${multilevel ? 'm' : 's'}:${pattern}`;
  let re = regexCache.get(key);
  if (re) return re;
  const p = canonicalName(pattern);
  let body: string;
  // Before 1.19 only '*' itself is match-all (its canonical form is '*.'); '**' and '*.' stay within one label.
  if (pattern.trim() === '*' || (multilevel && MATCH_ALL_PATTERN.test(p))) {
    body = `(^(${LABEL_CHARS}+[.])+$)|(^[.]$)`;
  } else {
    let prefix = '';
    let rest = p;
    if (multilevel && MULTILEVEL_PREFIX.test(p)) {
      prefix = `(${LABEL_CHARS}+([.]${LABEL_CHARS}+){0,})[.]`;
      rest = p.replace(MULTILEVEL_PREFIX, '');
    }
    const escaped = rest.replace(/\./g, '[.]').replace(/\*+/g, `${LABEL_CHARS}*`);
    body = `^${prefix}${escaped}$`;
  }
  re = new RegExp(body);
  regexCache.set(key, re);
  return re;
}

/** Representative names a pattern matches: every `*` run replaced by a few label fragments, `**.` by one and two labels. */
function exampleNames(pattern: string, multilevel: boolean): string[] {
  const p = canonicalName(pattern);
  const multi = multilevel && MULTILEVEL_PREFIX.test(p);
  const rest = multi ? p.replace(MULTILEVEL_PREFIX, '') : p;
  const heads = multi ? ['a.', 'a-1.b_2.'] : [''];
  const fills = ['', 'x', 'z9-y_'];
  const out: string[] = [];
  for (const head of heads) {
    for (const fill of fills) {
      const name = head + rest.replace(/\*+/g, fill);
      // An empty label is not a DNS name; a pattern like '*.a.' with '' would yield '.a.'.
      if (!name.split('.').slice(0, -1).some((l) => l === '')) out.push(name);
    }
  }
  return out;
}

/** Options for `dnsSelectorsCovering`. */
export interface DnsCoverOptions extends FqdnMatchOptions {
  /**
   * The cluster domain whose search-list expansions (`<name>.<ns>.svc.<domain>`, `<name>.svc.<domain>`,
   * `<name>.<domain>`) are allowed too, so that clients that stop at the first REFUSED answer (musl) still resolve.
   * @default - no search-list expansions
   */
  readonly searchDomain?: string;
}

/**
 * The smallest set of DNS L7 selectors (`rules.dns`) that lets through the queries for every FQDN selector given
 * (and their search-list expansions): duplicates and selectors another one covers are dropped. Deterministic: sorted.
 */
export function dnsSelectorsCovering(fqdns: readonly FqdnSelector[], options: DnsCoverOptions): FqdnSelector[] {
  const candidates: FqdnSelector[] = [];
  for (const f of fqdns) {
    candidates.push(f);
    if (options.searchDomain && !f.matchesEveryName(options)) {
      const base = f.value.replace(/\.$/, '');
      const domain = options.searchDomain.replace(/\.$/, '');
      candidates.push(FqdnSelector.matchPattern(`${base}.*.svc.${domain}`));
      const make = f.kind === FqdnMatchKind.NAME ? FqdnSelector.matchName : FqdnSelector.matchPattern;
      candidates.push(make(`${base}.svc.${domain}`), make(`${base}.${domain}`));
    }
  }
  const unique = new Map<string, FqdnSelector>();
  for (const c of candidates) {
    const all = c.matchesEveryName(options);
    const key = `${all ? 'all' : c.kind}:${all ? '*' : c.canonical}`;
    if (!unique.has(key)) unique.set(key, c);
  }
  const list = [...unique.values()].sort(compareSelectors);
  return list.filter((s, i) =>
    !list.some((t, j) => j !== i && s.isCoveredBy(t, options) && (!t.isCoveredBy(s, options) || j < i)),
  );
}

function compareSelectors(a: FqdnSelector, b: FqdnSelector): number {
  const ka = `${a.kind}\u0000${a.canonical}`;
  const kb = `${b.kind}\u0000${b.canonical}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
