import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { OUTPUT, generate } from '../../scripts/generate-hubble-enums.mjs';
import { DROP_REASONS, DropReason, FEATURES, Feature, MONITOR_EVENT_TYPES, MonitorEventType } from '../../src/index.js';
import { FLOW_LOG_CONFIG_KEYS } from '../../src/hubble/generated/cilium-flow-data.js';

const root = join(__dirname, '..', '..');

describe('generated Hubble enum data', () => {
  test('src/hubble/generated/ is exactly what scripts/generate-hubble-enums.mjs writes from upstream/', () => {
    expect(readFileSync(join(root, OUTPUT as string), 'utf8') === (generate as (r: string) => string)(root)).toBe(true);
  });

  test('the numbers a hand-written filter has to dig out of Cilium source', () => {
    expect(MONITOR_EVENT_TYPES[MonitorEventType.DROP].value).toBe(1);
    expect(MONITOR_EVENT_TYPES[MonitorEventType.L7].value).toBe(129);
    expect(DROP_REASONS[DropReason.POLICY_DENY].code).toBe(181);
    expect(DROP_REASONS[DropReason.POLICY_DENIED].code).toBe(133);
  });

  test.each([
    [Feature.HUBBLE_FLOWLOG_ROTATION, ['fileMaxSizeMb', 'fileMaxBackups', 'fileCompress']],
    [Feature.HUBBLE_FLOWLOG_AGGREGATION, ['fieldAggregate', 'aggregationInterval']],
  ])('the gate %s agrees with the first line whose FlowLogConfig has the keys', (feature, keys) => {
    for (const key of keys) expect(FLOW_LOG_CONFIG_KEYS[key].lines[0]).toBe(FEATURES[feature].since);
  });
});
