import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildConfigSchema } from '../../src/config/schema.js';
import { SECTIONS } from '../../src/config/sections/index.js';

test('the shipped netsec.schema.json is the schema the loader validates with (run `npm run schema` after changing a section)', () => {
  const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'netsec.schema.json'), 'utf8'));
  expect(shipped).toEqual(buildConfigSchema(SECTIONS));
});
