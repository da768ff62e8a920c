/** A benchmark module: `bench/run.ts` runs every module whose name matches the filter argument. */
export interface BenchModule {
  /** Short kebab-case name, matched by the filter (`npm run bench -- cidr`). */
  readonly name: string;
  /** One line for the list printed before running. */
  readonly description: string;
  /** Runs the benchmark, printing its own table. Throws (or returns false) when results are wrong. */
  run(ctx: BenchContext): Promise<boolean>;
}

/** What every module gets. */
export interface BenchContext {
  /** Repository root (where package.json is). */
  readonly root: string;
  /** Scratch folder for generated inputs and outputs (`.bench/`, gitignored). */
  readonly workDir: string;
  /** Prints a line to stdout. */
  log(line: string): void;
  /** Adds a row to the closing summary that `run.ts` prints after every module ran. */
  record(row: SummaryRow): void;
}

/**
 * One row of the closing summary: what a user runs, netsec's figure, the yardstick measured in the same run, their
 * ratio and the target (issue 14). `met` is undefined for rows without a target (scale rows: how cost grows).
 */
export interface SummaryRow {
  readonly what: string;
  readonly netsec: string;
  readonly yardstick: string;
  readonly ratio: string;
  readonly target: string;
  readonly met?: boolean;
}

/** `MET`, `NOT MET` or `-` (no target) for a summary row or a bench line. */
export function verdict(met: boolean | undefined): string {
  return met === undefined ? '-' : met ? 'MET' : 'NOT MET';
}
