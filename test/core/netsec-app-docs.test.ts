import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { formatFinding, synthesize } from '../../src/index.js';

const docs = join(__dirname, '../../docs');

/** Every ```yaml netsec block of every page in docs/: a complete netsec.yaml. */
function examples(): { page: string; index: number; text: string }[] {
  return readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((page) => [...readFileSync(join(docs, page), 'utf8').matchAll(/^```yaml netsec\n([\s\S]*?)^```$/gm)].map((m, index) => ({ page, index, text: m[1]! })));
}

describe('the examples in docs/', () => {
  test('the section pages each have one', () => {
    const pages = new Set(examples().map((e) => e.page));
    for (const page of ['cilium-policies.md', 'node-local-dns.md', 'hubble-flow-logs.md']) expect(pages.has(page), page).toBe(true);
  });

  test.each(examples().map((e) => [`${e.page} #${e.index + 1}`, e] as const))('%s synthesizes without findings', async (_name, e) => {
    const result = synthesize(await buildApp(parseConfig(e.text, `docs/${e.page}`)));
    expect(result.constructErrors).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual([]);
    expect(result.files.length).toBeGreaterThan(0);
  });
});
