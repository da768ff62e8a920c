import { NetsecCommand, REQUIRED_FILES } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';
import { terminalText } from '../errors.js';

/** Options of `netsec test`. */
export interface TestOptions {
  readonly files: string[];
  readonly output: OutputFormat;
}

/**
 * `netsec test FILE...`: judges every flow that has `expect` and compares the fields it names. Exit 1 when any flow
 * differs, 2 on a bad scenario (a located error).
 */
export async function runTest(opts: TestOptions, io: CliIo): Promise<ExitCode> {
  // Loaded here, not at the top: the evaluator is not needed by the other commands or by --help.
  const { renderTestText, runScenarioFiles, testOutcomes } = await import('../../explain/index.js');
  const runs = await runScenarioFiles(opts.files);
  const outcomes = testOutcomes(runs);
  const failed = outcomes.filter((o) => !o.passed).length;
  if (opts.output === 'json') {
    printJson(io, {
      passed: outcomes.length - failed,
      failed,
      flows: outcomes.map((o) => ({ file: o.file, location: o.location, name: o.name, passed: o.passed, mismatches: o.mismatches, result: o.result })),
    });
  } else {
    io.stdout(terminalText(renderTestText(outcomes)));
  }
  return failed ? ExitCode.FINDINGS : ExitCode.OK;
}

export const testCommand: NetsecCommand<TestOptions> = {
  command: 'test <files..>',
  describe: 'Check the expectations of scenario files against the policies (offline); exit 1 on any mismatch',
  builder: (y) =>
    y
      .positional('files', { ...REQUIRED_FILES, describe: 'Scenario files (format: docs/explain.md)' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the report on stdout' }),
  run: runTest,
};
