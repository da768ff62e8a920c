import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every entry under `dir`, byte for byte: `path/` -> '' for a folder, `path` -> content for a file (the marker too),
 * `path@` -> link target for a symbolic link. Two equal snapshots mean the tree did not change.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[`${path}/`] = '';
        walk(path);
      } else if (entry.isSymbolicLink()) out[`${path}@`] = readFileSync(join(dir, path), 'utf8');
      else out[path] = readFileSync(join(dir, path), 'latin1');
    }
  };
  walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
