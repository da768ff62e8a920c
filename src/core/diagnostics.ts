import { IConstruct } from 'constructs';
import { SourceLocation, formatLocation } from './errors.js';
import { sourceOf } from './source.js';

/** How much a diagnostic matters. Errors are not diagnostics: they throw or fail validation. */
export enum DiagnosticLevel {
  /** Something the reader of the output must know (where logs land, what a design overrides). */
  NOTE = 'note',
  /** Something that works but is likely wrong or costly on this target. */
  WARNING = 'warning',
}

/** A note or warning attached to a construct; the synthesizer writes it into the component file's header. */
export interface Diagnostic {
  readonly level: DiagnosticLevel;
  /** The construct it is about. */
  readonly path: string;
  readonly message: string;
  /** Where the user described that construct (a netsec.yaml entry), when it came from a file. */
  readonly location?: SourceLocation;
}

const METADATA_TYPE = 'netsec:diagnostic';

/** Attaches a warning to `scope`. It is printed on stderr and written into the output file's header. */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(METADATA_TYPE, { level: DiagnosticLevel.WARNING, message });
}

/** Attaches a note to `scope`; it is written into the output file's header. */
export function addNote(scope: IConstruct, message: string): void {
  scope.node.addMetadata(METADATA_TYPE, { level: DiagnosticLevel.NOTE, message });
}

/** All diagnostics under `root`, in construct order. */
export function collectDiagnostics(root: IConstruct): Diagnostic[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === METADATA_TYPE)
      .map((m) => {
        const location = sourceOf(c);
        return { ...(m.data as { level: DiagnosticLevel; message: string }), path: c.node.path, ...(location ? { location } : {}) };
      }),
  );
}

/**
 * A warning as every entry point prints it (`netsec synth`, `NetsecApp.synth()`): at its netsec.yaml location when it
 * has one (the line the user can change), else at its construct path. The caller escapes it for where it goes.
 */
export function warningLine(d: Diagnostic): string {
  return `warning: ${d.location ? `${formatLocation(d.location)}:` : `[${d.path}]`} ${d.message}`;
}
