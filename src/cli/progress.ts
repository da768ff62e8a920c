import { createRequire } from 'node:module';
import type { ProgressCallback } from '../cidr/feeds/read.js';
import type { CliIo } from './io.js';

/** Inputs at least this large get a progress bar (when stderr is a terminal): below it, reading takes < 0.1 s. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** A progress bar being drawn. */
export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

/**
 * A cli-progress bar on the injected stderr for reading `totalBytes`, or undefined when stderr is not a terminal or
 * the input is small (then cli-progress is not even loaded: CI runs never need it).
 */
export function progressBar(io: CliIo, totalBytes: number, label: string): Progress | undefined {
  if (!io.stderrIsTTY || totalBytes < PROGRESS_MIN_BYTES) return undefined;
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  // cli-progress writes escape sequences through readline, which only needs `write` on the stream.
  const stream = { isTTY: true, columns: 80, write: (s: string) => { io.stderr(s); return true; } } as unknown as NodeJS.WriteStream;
  const bar = new cliProgress.SingleBar({
    stream, format: `${label} [{bar}] {percentage}% | {value}/{total} MiB`, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  const mib = (b: number) => Math.round(b / 1048576);
  bar.start(mib(totalBytes), 0);
  return { update: (bytes) => bar.update(Math.min(mib(bytes), mib(totalBytes))), stop: () => bar.stop() };
}

/**
 * Progress for one feed read whose size the reader learns as it goes: the bar appears on the first report of a
 * large enough total. `done()` clears it.
 */
export function readProgress(io: CliIo, label: string): { onProgress: ProgressCallback; done(): void } {
  let bar: Progress | undefined;
  let decided = false;
  return {
    onProgress: (bytes, total) => {
      if (!decided) {
        decided = true;
        bar = total === undefined ? undefined : progressBar(io, total, label);
      }
      bar?.update(bytes);
    },
    done: () => bar?.stop(),
  };
}
