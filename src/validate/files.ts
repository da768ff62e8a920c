import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NetsecError, echo } from '../core/errors.js';
import { readFailureReason } from '../core/system-error.js';

/** The marker file `netsec synth` leaves in its output folder (not a manifest). */
export const OUTPUT_MARKER = '.netsec-output';

/** The path that names standard input (`kubectl get -o yaml ... | netsec validate -`). */
export const STDIN_PATH = '-';

/** What `collectManifestFiles` found. */
export interface CollectedFiles {
  /** Files to read, in the order given; inside a folder sorted by name, so every run reports in the same order. */
  readonly files: string[];
  /** Symbolic links inside folders that were not followed, as the user would name them. */
  readonly skippedLinks: string[];
}

/**
 * The YAML files named by `paths`: a file as given (whatever its extension: the user named it; `-` is stdin), a folder walked
 * recursively for `.yaml`/`.yml` files. Inside a folder, symbolic links are not followed (a link can leave the folder
 * or loop) and are listed so the user knows they were not checked. A path that cannot be read is a usage error.
 */
export function collectManifestFiles(paths: readonly string[]): CollectedFiles {
  const files: string[] = [];
  const skippedLinks: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isSymbolicLink()) skippedLinks.push(path);
      else if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name !== OUTPUT_MARKER && /\.ya?ml$/i.test(e.name)) files.push(path);
    }
  };
  for (const path of paths) {
    if (path === STDIN_PATH) {
      files.push(path);
      continue;
    }
    try {
      // A symbolic link named on the command line is followed: the user chose it.
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    } catch (err) {
      throw new NetsecError('USAGE', `cannot read this ${isDirectory(path) ? 'folder' : 'file'} (${readFailureReason(err, { folderToo: true })}); expected a readable YAML file or a folder of them`, { file: echo(path) }, { cause: err });
    }
  }
  return { files, skippedLinks };
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
