import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder that holds netsec's package.json, found from this file's own location, so that the schemas and enum
 * data shipped with the package are found whether netsec runs from src/ (tests), lib/ (built) or node_modules/.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'netsec') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('netsec: cannot find the package root (package.json named netsec) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** netsec's own version, from package.json. */
export function netsecVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
