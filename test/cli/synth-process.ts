import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const repo = join(__dirname, '..', '..');
const VITE_NODE = join(repo, 'node_modules', 'vite-node', 'vite-node.mjs');
const CHILD = join(__dirname, 'synth-child.ts');

/** How a netsec process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `netsec` process. */
export interface NetsecProcess {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/** Where a run stops (`__NETSEC_TEST_PAUSE`, see src/core/output.ts): it creates `<dir>/<point>.reached`, then waits for `<dir>/<point>.go`. */
export interface Pause {
  readonly point: 'locked' | 'staged' | 'swapping' | 'waiting';
  readonly dir: string;
}

/** Starts `netsec <args>` in `cwd`, optionally as another user (`uid`/`gid`) and stopping at a pause point. */
export function startNetsec(args: readonly string[], options: { cwd: string; pause?: Pause; uid?: number; gid?: number }): NetsecProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.__NETSEC_TEST_PAUSE;
  if (options.pause) env.__NETSEC_TEST_PAUSE = `${options.pause.point}:${options.pause.dir}`;
  const child: ChildProcess = spawn(process.execPath, [VITE_NODE, '--root', repo, CHILD, '--', ...args], {
    cwd: options.cwd,
    env,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: child.pid!, exited, kill: (signal) => child.kill(signal) };
}

/** Waits until `path` exists; fails if the process ends first (it then never will). */
export async function waitForFile(path: string, proc: NetsecProcess): Promise<void> {
  let ended: Exit | undefined;
  void proc.exited.then((e) => (ended = e));
  while (!existsSync(path)) {
    if (ended) throw new Error(`netsec ended (code ${ended.code}, signal ${ended.signal}) before ${path} appeared:\n${ended.stderr}`);
    await sleep(20);
  }
}

/** A small netsec.yaml: one Cilium target `name` blocking `cidr`. */
export function configText(name: string, cidr: string): string {
  return `targets:\n  - { name: ${name}, kubernetes: "1.30", cilium: "1.18" }\negressBlocking:\n  - name: geo\n    cidrs: [${cidr}]\n`;
}

/** `chown -R uid:gid dir` (without following links). */
export function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  if (!lstatSync(dir).isDirectory()) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (lstatSync(path).isDirectory()) chownTree(path, uid, gid);
    else if (!lstatSync(path).isSymbolicLink()) chownSync(path, uid, gid);
  }
}
