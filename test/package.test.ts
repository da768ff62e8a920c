import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Whether a path inside the package (relative to its root) is shipped by the `files` field. */
function shipped(path: string): boolean {
  return pkg.files.some((f) => path === f || path.startsWith(`${f}/`));
}

describe('the npm package', () => {
  test('ships the compiled form of every module src/ imports (static and dynamic imports)', () => {
    const missing: string[] = [];
    for (const file of tsFiles(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from |import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        // src/x/y.ts is compiled to lib/src/x/y.js; an import of ../../imports/z.js to lib/imports/z.js.
        const target = relative(root, resolve(dirname(file), m[1]!));
        if (!shipped(`lib/${target}`)) missing.push(`${relative(root, file)} imports ${m[1]} (lib/${target})`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('ships what netsec reads at run time, and every files entry names something real or built', () => {
    for (const runtime of ['schemas/index.json', 'schemas/crd-formats.cjs', 'netsec.schema.validate.cjs', 'netsec.schema.json', pkg.bin.netsec!]) {
      expect(shipped(runtime), runtime).toBe(true);
    }
    for (const entry of pkg.files) {
      const exists = (() => {
        try {
          statSync(join(root, entry));
          return true;
        } catch {
          return false;
        }
      })();
      expect(exists || entry.startsWith('lib/'), entry).toBe(true);
    }
  });
});
