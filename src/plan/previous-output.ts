import { Dirent, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSystemError, systemErrorText } from '../core/system-error.js';
import { NetsecError } from '../core/errors.js';
import { OUTPUT_MARKER } from '../core/output.js';

/** One entry of the previous output tree. */
export type PreviousEntry =
  | { readonly type: 'file'; readonly text: string }
  /** A symbolic link: never followed (it may point anywhere, even at a folder above). synth replaces it. */
  | { readonly type: 'symlink'; readonly target: string }
  /** A FIFO, socket or device: never opened (reading a FIFO would block). */
  | { readonly type: 'other' };

/**
 * Reads the output folder `synth` would replace, as `plan` compares with it: path (relative, '/'-separated) -> entry.
 * A missing folder is an empty tree. Refuses, as `synth` does, a path that is not a folder and a non-empty folder
 * netsec did not write (no marker), so `plan --out /` never walks a whole disk. File-system errors are ENVIRONMENT
 * errors (exit 2) naming the path and the OS reason, never "a bug in netsec".
 *
 * Written here rather than reusing `readOutput` (core/output.ts), which follows symlinks, opens FIFOs and reports
 * these cases as internal errors.
 */
export function readPreviousOutput(out: string): Map<string, PreviousEntry> {
  const entries = new Map<string, PreviousEntry>();
  let isDir: boolean;
  try {
    // stat, not lstat: a symlinked --out is read where it points, as synth writes there.
    isDir = statSync(out).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return entries;
    throw cannotRead(out, out, err);
  }
  if (!isDir) {
    throw new NetsecError('USAGE', `--out ${out}: exists and is not a folder; expected the output folder 'netsec synth' writes (default dist). Pass that folder with --out.`);
  }
  const top = list(out, out);
  if (top.length > 0 && !top.some((e) => e.name === OUTPUT_MARKER && e.isFile())) {
    throw new NetsecError(
      'USAGE',
      `--out ${out}: the folder is not empty and was not written by netsec (no ${OUTPUT_MARKER}), so 'netsec synth' would refuse to replace it; expected the output folder synth writes. Pass that folder with --out, or an empty or new one.`,
    );
  }
  const walk = (dir: string, rel: string, dirents: Dirent[]): void => {
    for (const entry of dirents) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (path === OUTPUT_MARKER) continue;
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target = '';
        try {
          target = readlinkSync(full);
        } catch {
          // the target is shown only as information
        }
        entries.set(path, { type: 'symlink', target });
      } else if (entry.isDirectory()) {
        walk(full, path, list(full, `${out}/${path}`));
      } else if (entry.isFile()) {
        try {
          entries.set(path, { type: 'file', text: readFileSync(full, 'utf8') });
        } catch (err) {
          throw cannotRead(`${out}/${path}`, out, err);
        }
      } else {
        entries.set(path, { type: 'other' });
      }
    }
  };
  walk(out, '', top);
  return entries;
}

function list(dir: string, shown: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw cannotRead(shown, shown, err);
  }
}

function cannotRead(shown: string, out: string, err: unknown): NetsecError {
  return new NetsecError(
    'ENVIRONMENT',
    `${shown}: cannot read (${isSystemError(err) ? systemErrorText(err) : String(err)}); expected a readable output folder, since plan compares all of --out ${out} with what synth would write. Fix the permissions or pass another --out.`,
  );
}
