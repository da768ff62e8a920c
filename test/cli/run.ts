import { main } from '../../src/cli/main.js';
import { CliIo } from '../../src/cli/io.js';

/** Runs the CLI in-process and captures what it prints. */
export async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
