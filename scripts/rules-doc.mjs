// Writes docs/rules.md from the lint rule registry (run through `npm run docs`, after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderRulesMarkdown } from '../lib/src/lint/docs.js';
import { RULES } from '../lib/src/lint/rules/index.js';

writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRulesMarkdown(RULES));
