import { Manifest, ManifestIndex } from './manifest-index.js';

/** How much a finding matters. */
export enum Severity {
  /** The object will be refused, will silently not enforce what it says, or is very likely to break the cluster. Stops synth. */
  ERROR = 'error',
  /** Legal but very likely wrong, or dependent on cluster settings netsec cannot see. Printed and written into the output header. */
  WARNING = 'warning',
  /**
   * Worth knowing, not wrong: an object that does nothing until something netsec cannot see exists (an audit plugin, a
   * rule that references it). A note in the output header and in `validate`'s report; never fails a run.
   */
  INFO = 'info',
}

/** One problem a rule found in one object. */
export interface RuleViolation {
  /** The object the problem is about. */
  readonly manifest: Manifest;
  /** Dotted path inside the object (`spec.egressDeny[0].toEndpoints[0]`); '' for the object as a whole. */
  readonly path: string;
  /** What was found, what is expected, how to fix it. */
  readonly message: string;
  /** The rule's severity unless this violation says otherwise (a cost that is a warning up to a limit, an error beyond). */
  readonly severity?: Severity;
}

/**
 * A lint rule: a check over every object of one target, with a stable id users can look up and suppress.
 * Rules are pure: they read the index and return violations, so `netsec synth`, `netsec validate` and the
 * constructs' own synthesis all run the same implementation.
 */
export interface LintRule {
  /** `<area>/<kebab-name>`, e.g. `k8s/duplicate-object`. Never renamed once released. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what the rule refuses or warns about. */
  readonly summary: string;
  /** Why it matters, with the upstream source that says so. */
  readonly explanation: string;
  /**
   * Set for the rules that guard what netsec never writes, whatever it is told (product rule: no option bypasses a
   * refusal): two objects with one identity, an object or label the cluster owns. It says why, for the message that
   * refuses a suppression of the rule; `suppress:`, `suppressRules()` and the `netsec.io/suppress` annotation all refuse
   * one, and `lint` ignores one that gets past them.
   */
  readonly notSuppressible?: string;
  check(index: ManifestIndex): RuleViolation[];
}
