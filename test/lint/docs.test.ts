import { App, Chart } from 'cdk8s';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { RULES, suppressRules } from '../../src/index.js';
import { NON_LINT_CHECKS, renderRulesMarkdown } from '../../src/lint/docs.js';

test('docs/rules.md is generated from the rule registry (run `npm run docs` after changing a rule)', () => {
  const committed = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8').split('\n');
  const expected = renderRulesMarkdown(RULES).split('\n');
  const first = expected.findIndex((line, i) => committed[i] !== line);
  expect(first === -1 ? null : { line: first + 1, committed: committed[first], expected: expected[first] }).toBeNull();
  expect(committed.length).toBe(expected.length);
});

test("the README's count of lint rules is the registry's", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(/(\d+) lint rules with stable ids/.exec(readme)?.[1]).toBe(String(RULES.length));
});

test('every rule is in the table and has a section', () => {
  const text = renderRulesMarkdown(RULES);
  for (const r of RULES) {
    expect(text).toContain(`| [\`${r.id}\`]`);
    expect(text).toContain(`### ${r.id}\n`);
  }
});

/** Rule ids as docs and TSDoc quote them: a product prefix, '/', and a kebab-case name. */
const QUOTED_RULE_ID = /[`'"]((?:cilium|calico|hubble|lrp|istio|k8s|dns)\/[a-z0-9]+(?:-[a-z0-9]+)*)[`'"]/g;
const BACKTICKED_RULE_ID = /`((?:cilium|calico|hubble|lrp|istio|k8s|dns)\/[a-z0-9]+(?:-[a-z0-9]+)*)`/g;

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f));
}

/** The rule ids a file quotes where users copy them from: backticked in Markdown and TSDoc, quoted in @example code. */
function quotedRuleIds(file: string): { file: string; line: number; id: string }[] {
  const found: { file: string; line: number; id: string }[] = [];
  let inExample = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      let pattern: RegExp | undefined;
      if (file.endsWith('.md')) pattern = BACKTICKED_RULE_ID;
      else {
        const comment = /^\s*(\/\*\*|\*|\/\/)/.test(text);
        if (!comment) inExample = false;
        else if (/@example\b/.test(text)) inExample = true;
        else if (/^\s*\*\s*@\w+|\*\//.test(text)) inExample = false;
        pattern = inExample || /@example\b/.test(text) ? QUOTED_RULE_ID : comment ? BACKTICKED_RULE_ID : undefined;
        if (/\*\//.test(text)) inExample = false;
      }
      if (!pattern) return;
      for (const m of text.matchAll(pattern)) found.push({ file: relative(root, file), line: i + 1, id: m[1]! });
    });
  return found;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every rule id quoted in docs/*.md, README.md and TSDoc (@example code included) is a rule or check netsec has', () => {
  const known = new Set([...RULES.map((r) => r.id), ...NON_LINT_CHECKS.map((c) => c.id)]);
  const files = [...filesUnder(join(root, 'docs'), '.md').filter((f) => !relative(join(root, 'docs'), f).includes('/')), join(root, 'README.md'), ...filesUnder(join(root, 'src'), '.ts')];
  const quoted = files.flatMap(quotedRuleIds);
  expect(quoted.length).toBeGreaterThan(50);
  expect(quoted.filter((q) => !known.has(q.id))).toEqual([]);
});

test('the rule-id scan finds ids in @example code and TSDoc, and reads other code as code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-rule-ids-'));
  try {
    const file = join(dir, 'a.ts');
    writeFileSync(
      file,
      [
        '/** The id, e.g. `cilium/one`. */',
        '/**',
        ' * @example suppressRules(x, [{ id: "calico/two", reason: "r" }])',
        ' * @example',
        " * suppressRules(x, [{ id: 'istio/three', reason: 'r' }])",
        " * @param y 'k8s/not-example'",
        ' */',
        "const s = 'dns/code-not-docs';",
      ].join('\n'),
    );
    expect(quotedRuleIds(file).map((q) => q.id)).toEqual(['cilium/one', 'calico/two', 'istio/three']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("suppressRules' refusal of a malformed id gives an example id that suppressRules takes", () => {
  const chart = new Chart(new App(), 'c');
  expect(() => suppressRules(chart, [{ id: 'cidr-identity-cost', reason: 'r' }])).toThrow(
    "[c] suppression id 'cidr-identity-cost' is not a rule id; expected '<area>/<rule>', e.g. 'cilium/cidr-identity-cost'.",
  );
  suppressRules(chart, [{ id: 'cilium/cidr-identity-cost', reason: 'Cilium 1.16 with a 200k-entry policy map (bpf-policy-map-max)' }]);
});
