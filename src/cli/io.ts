/** Where a command writes. Injected so tests run commands without a process; data goes to stdout, diagnostics to stderr. */
export interface CliIo {
  /** Text, or bytes already encoded (a million prefixes are written as the bytes they were formatted into). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTTY: boolean;
  /** Standard input, for commands that read `-`. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** The real process streams. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdin: process.stdin,
};

/** Output format of every command. */
export type OutputFormat = 'text' | 'json';

/** Writes a JSON document to stdout, canonically (two-space indent, trailing newline). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}
