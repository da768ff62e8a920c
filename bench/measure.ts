import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/** Wall time (seconds) and peak resident set size (MiB) of one process run. */
export interface Measurement {
  readonly seconds: number;
  readonly peakRssMiB: number;
}

const GNU_TIME = '/usr/bin/time';

/** Whether `cmd` is on the PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs a Debian package if `probe` is missing. Returns false (after saying why) when that is not possible:
 * benchmarks then skip the peer rather than fail.
 */
export function ensureAptPackage(probe: () => boolean, pkg: string, log: (s: string) => void): boolean {
  if (probe()) return true;
  log(`${pkg}: not installed; trying 'apt-get update && apt-get install -y ${pkg}'`);
  try {
    execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'ignore' });
  } catch {
    log(`${pkg}: could not be installed (no root or no network?); skipping it`);
    return false;
  }
  return probe();
}

/**
 * Runs `cmd args` with stdout written to `stdoutFile`, measuring wall time with hrtime and peak RSS with GNU time
 * (`%M`, KiB). Without GNU time, polls /proc/<pid>/status (VmHWM) instead. Throws if the command fails or runs
 * longer than `timeoutMs`.
 */
export async function measure(cmd: string, args: readonly string[], stdoutFile: string, timeoutMs = 300_000): Promise<Measurement> {
  const out = openSync(stdoutFile, 'w');
  const useTime = existsSync(GNU_TIME);
  const argv = useTime ? [GNU_TIME, '-f', 'NETSEC_BENCH %e %M', cmd, ...args] : [cmd, ...args];
  const start = process.hrtime.bigint();
  let peakKiB = 0;
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const poll = useTime ? undefined : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // the process has exited
      }
    }, 5);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve(c);
    });
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(out);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(0, 500)}`);
  if (useTime) {
    const m = /NETSEC_BENCH [\d.]+ (\d+)/.exec(stderr);
    if (m) peakKiB = Number(m[1]);
  }
  return { seconds, peakRssMiB: peakKiB / 1024 };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Medians of wall time and peak RSS over `runs` runs of `fn`. */
export async function medianOf(runs: number, fn: () => Promise<Measurement>): Promise<Measurement> {
  const ms: Measurement[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return { seconds: median(ms.map((m) => m.seconds)), peakRssMiB: median(ms.map((m) => m.peakRssMiB)) };
}

/**
 * Medians of several commands measured in turn, round after round, so that a load spike on this shared machine hits
 * every command of a round rather than all runs of one (the rows compare them as ratios).
 */
export async function interleaved<K extends string>(runs: number, cmds: Record<K, () => Promise<Measurement>>): Promise<Record<K, Measurement>> {
  const all = Object.fromEntries(Object.keys(cmds).map((k) => [k, [] as Measurement[]])) as Record<K, Measurement[]>;
  for (let i = 0; i < runs; i++) {
    for (const k of Object.keys(cmds) as K[]) all[k].push(await cmds[k]());
  }
  return Object.fromEntries(
    (Object.keys(all) as K[]).map((k) => [k, { seconds: median(all[k].map((m) => m.seconds)), peakRssMiB: median(all[k].map((m) => m.peakRssMiB)) }]),
  ) as Record<K, Measurement>;
}
