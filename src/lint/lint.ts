import { SourceLocation, formatLocation } from '../core/errors.js';
import { Manifest, ManifestIndex, ObjectIdentity, describeObject, identityOf } from './manifest-index.js';
import { LintRule, Severity } from './rule.js';
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

/** What `lint` found. */
export interface LintResult {
  readonly findings: LintFinding[];
  readonly suppressed: SuppressedFinding[];
}

/**
 * Runs `rules` over every object of one target. `suppressionsOf` says which rules an object is exempt from (the
 * synthesizer reads them from construct metadata); suppressed findings are returned apart, never dropped.
 */
export function lint(index: ManifestIndex, options: { rules?: readonly LintRule[]; suppressionsOf?: (m: Manifest) => readonly Suppression[] } = {}): LintResult {
  const findings: LintFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const rule of options.rules ?? RULES) {
    for (const v of rule.check(index)) {
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
      const waiver = options.suppressionsOf?.(v.manifest).find((s) => s.id === rule.id);
      if (waiver) suppressed.push({ ...finding, reason: waiver.reason });
      else findings.push(finding);
    }
  }
  return { findings, suppressed };
}

/** `netsec.yaml:12:5: error cilium/x: Kind 'name' at path: message` (or the construct path when there is no file). */
export function formatLintFinding(f: LintFinding): string {
  const where = f.location ? formatLocation(f.location) : f.constructPath !== undefined ? `[${f.constructPath}]` : '';
  return `${where ? `${where}: ` : ''}${f.severity} ${f.ruleId}: ${f.message}`;
}
