import { Diagnostic, DiagnosticLevel, warningLine } from '../core/diagnostics.js';
import { SynthResult, synthesize } from '../core/synth.js';
import { formatFinding } from '../core/validation/finding.js';
import { buildApp } from '../config/build.js';
import { loadConfigFile } from '../config/load.js';
import { terminalText } from './errors.js';
import { CliIo } from './io.js';
import { readProgress } from './progress.js';

/**
 * Loads netsec.yaml, builds the App it describes and synthesizes it (nothing is written). With `io`, large feed
 * reads draw a progress bar when stderr is a terminal.
 */
export async function synthesizeConfig(configFile: string, io?: CliIo): Promise<SynthResult> {
  return synthesize(await buildApp(loadConfigFile(configFile), { readProgress: io && ((label) => readProgress(io, label)) }));
}

/** Every reason not to write, one line each, safe to print (findings can quote any value of any object). */
export function problemsOf(result: SynthResult): string[] {
  return [...result.constructErrors, ...result.findings.map(formatFinding)].map(terminalText);
}

/** Prints warnings (not notes: those live in the output headers) to stderr. */
export function printWarnings(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.level === DiagnosticLevel.WARNING) io.stderr(`${terminalText(warningLine(d))}\n`);
  }
}
