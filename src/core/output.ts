import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { NetsecError } from './errors.js';
import { OutputFile } from './synth.js';

/** The marker that says a folder is netsec's output, so `synth` may replace it as a whole. */
export const OUTPUT_MARKER = '.netsec-output';
const MARKER_TEXT = 'This folder is written by `netsec synth`, which replaces it as a whole on every run. Do not edit files here.\n';

/**
 * Replaces `outdir` with exactly `files`, atomically as far as the file system allows: the new tree is written
 * beside it, then swapped in with two renames. If anything fails before the swap, the previous output is untouched.
 * Refuses to replace a non-empty folder that netsec did not write (no marker), so `--out .` cannot wipe a repository.
 */
export function writeOutput(files: readonly OutputFile[], outdir: string): void {
  const target = resolve(outdir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new NetsecError('USAGE', `--out ${outdir}: exists and is not a folder.`);
    const entries = readdirSync(target);
    if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
      throw new NetsecError('USAGE', `--out ${outdir}: the folder is not empty and was not written by netsec (no ${OUTPUT_MARKER}); pick an empty or new folder.`);
    }
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.netsec-new-${process.pid}`);
  const previous = join(parent, `.${basename(target)}.netsec-old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
    writeFileSync(join(staging, OUTPUT_MARKER), MARKER_TEXT);
    for (const file of files) {
      const dest = join(staging, file.path);
      if (relative(staging, dest).startsWith('..')) throw new Error(`refusing to write outside the output folder: ${file.path}`);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, file.content);
    }
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(target) && existsSync(previous)) renameSync(previous, target);
    throw err;
  }
  rmSync(previous, { recursive: true, force: true });
}

/** Reads a previous output tree (for `plan`): path -> content, without the marker. Missing folder = empty. */
export function readOutput(outdir: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = resolve(outdir);
  if (!existsSync(root)) return out;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== OUTPUT_MARKER) out.set(relative(root, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}
