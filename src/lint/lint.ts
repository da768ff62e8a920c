import { NetsecError, SourceLocation, formatCount, formatLocation } from '../core/errors.js';
import { Manifest, ManifestIndex, ObjectIdentity, describeObject, identityOf } from './manifest-index.js';
import { LintRule, RuleViolation, Severity } from './rule.js';
import { RULES } from './rules/index.js';
import { Suppression } from './suppressions.js';

/** One finding of one rule on one object. */
export interface LintFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly object: ObjectIdentity;
  /** Dotted path inside the object; '' for the whole object. */
  readonly path: string;
  /** The whole finding: `Kind 'ns/name' at path: detail`. */
  readonly message: string;
  /** What the rule says about the object, without naming it (for reports that name the object themselves). */
  readonly detail: string;
  /** Where the user described the object, when known. */
  readonly location?: SourceLocation;
  /** The construct that rendered the object, when it came from a cdk8s app. */
  readonly constructPath?: string;
}

/** A finding a suppression accepted, with the reason given. */
export interface SuppressedFinding extends LintFinding {
  readonly reason: string;
}

/** A rule that could judge the target only without the objects outside their schema. */
export interface UnjudgedObjects {
  readonly ruleId: string;
  /** The objects left out: every object outside its schema. */
  readonly objects: readonly Manifest[];
}

/** What `lint` found. */
export interface LintResult {
  readonly findings: LintFinding[];
  readonly suppressed: SuppressedFinding[];
  /** Rules that judged the target without the objects outside their schema, because those made them fail. */
  readonly unjudged: UnjudgedObjects[];
}

/**
 * Runs `rules` over every object of one target. `suppressionsOf` says which rules an object is exempt from (the
 * synthesizer reads them from construct metadata); suppressed findings are returned apart, never dropped.
 *
 * Rules read fields as the schema types them. An object outside its schema (a list where a map belongs, in a file
 * `netsec validate` was given) can make a rule fail: the rule then judges the target again without those objects,
 * which the schema check has already reported, and the result says which rule left them out. A rule that fails on
 * objects within their schema is a bug in netsec, and its error goes on to the caller.
 */
export function lint(index: ManifestIndex, options: { rules?: readonly LintRule[]; suppressionsOf?: (m: Manifest) => readonly Suppression[] } = {}): LintResult {
  const findings: LintFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const unjudged: UnjudgedObjects[] = [];
  let withinSchema: ManifestIndex | undefined;
  for (const rule of options.rules ?? RULES) {
    let violations: RuleViolation[];
    try {
      violations = rule.check(index);
    } catch (err) {
      const outside = index.outsideSchema();
      if (err instanceof NetsecError || outside.length === 0) throw err;
      withinSchema ??= index.withinSchema();
      violations = rule.check(withinSchema);
      unjudged.push({ ruleId: rule.id, objects: outside });
    }
    for (const v of violations) {
      const finding: LintFinding = {
        ruleId: rule.id,
        severity: v.severity ?? rule.severity,
        object: identityOf(v.manifest.object),
        path: v.path,
        message: `${describeObject(v.manifest.object)}${v.path ? ` at ${v.path}` : ''}: ${v.message}`,
        detail: v.message,
        ...(v.manifest.location ? { location: v.manifest.location } : {}),
        ...(v.manifest.constructPath !== undefined ? { constructPath: v.manifest.constructPath } : {}),
      };
      const waiver = rule.notSuppressible === undefined ? options.suppressionsOf?.(v.manifest).find((s) => s.id === rule.id) : undefined;
      if (waiver) suppressed.push({ ...finding, reason: waiver.reason });
      else findings.push(finding);
    }
  }
  return { findings, suppressed, unjudged };
}

/** What a report says of a rule that left objects out: which objects, and that they get judged once they are fixed. */
export function describeUnjudged(u: UnjudgedObjects): string {
  const first = describeObject(u.objects[0]!.object);
  const n = u.objects.length;
  if (n === 1) {
    return `${u.ruleId} did not judge ${first}: it breaks its schema (see the errors) or netsec has no schema for it, and the rule could not read it. Fix it and run again to have it judged.`;
  }
  return (
    `${u.ruleId} did not judge ${first} and ${formatCount(n - 1)} more object${n === 2 ? '' : 's'}: they break their schema (see the errors) ` +
    `or netsec has no schema for them, and the rule could not read them. Fix them and run again to have them judged.`
  );
}

/** `netsec.yaml:12:5: error cilium/x: Kind 'name' at path: message` (or the construct path when there is no file). */
export function formatLintFinding(f: LintFinding): string {
  const where = f.location ? formatLocation(f.location) : f.constructPath !== undefined ? `[${f.constructPath}]` : '';
  return `${where ? `${where}: ` : ''}${f.severity} ${f.ruleId}: ${f.message}`;
}
