import { NetsecCommand, REQUIRED_FILES } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';
import { terminalText } from '../errors.js';

/** Options of `netsec explain`. */
export interface ExplainOptions {
  readonly files: string[];
  readonly output: OutputFormat;
}

/** `netsec explain FILE...`: every flow of the scenario files with its verdict and the steps that led to it. */
export async function runExplain(opts: ExplainOptions, io: CliIo): Promise<ExitCode> {
  // Loaded here, not at the top: the evaluator is not needed by the other commands or by --help.
  const { explainJson, renderExplainText, runScenarioFiles } = await import('../../explain/index.js');
  const runs = await runScenarioFiles(opts.files);
  if (opts.output === 'json') printJson(io, explainJson(runs));
  else io.stdout(terminalText(renderExplainText(runs)));
  return ExitCode.OK;
}

export const explainCommand: NetsecCommand<ExplainOptions> = {
  command: 'explain <files..>',
  describe: 'Say what the policies do to the flows of scenario files, and why (offline)',
  builder: (y) =>
    y
      .positional('files', { ...REQUIRED_FILES, describe: 'Scenario files (format: docs/explain.md)' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the report on stdout' }),
  run: runExplain,
};
