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
}
