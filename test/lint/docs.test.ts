import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { RULES } from '../../src/index.js';
import { renderRulesMarkdown } from '../../src/lint/docs.js';

test('docs/rules.md is generated from the rule registry (run `npm run docs` after changing a rule)', () => {
  const committed = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8').split('\n');
  const expected = renderRulesMarkdown(RULES).split('\n');
  const first = expected.findIndex((line, i) => committed[i] !== line);
  expect(first === -1 ? null : { line: first + 1, committed: committed[first], expected: expected[first] }).toBeNull();
  expect(committed.length).toBe(expected.length);
});

test('every rule is in the table and has a section', () => {
  const text = renderRulesMarkdown(RULES);
  for (const r of RULES) {
    expect(text).toContain(`| [\`${r.id}\`]`);
    expect(text).toContain(`### ${r.id}\n`);
  }
});
