import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DROP_REASONS, DropReason, EventTypeMatch, FlowFilter, HubbleFlowLogs, IP_VERSION_VALUES, IpVersion, MONITOR_EVENT_TYPES, MonitorEventType, TRAFFIC_DIRECTION_VALUES, TrafficDirection, VERDICT_VALUES, Verdict } from '../../src/index.js';
import { CILIUM_ENUM_LINES } from '../../src/hubble/generated/cilium-flow-data.js';
import { findOne, synthValid, targetChart } from '../util.js';

/** The vendored upstream data of one line, read directly (independently of the generated TypeScript). */
function upstream(line: string) {
  const dir = join(__dirname, '..', '..', 'upstream', 'reference', 'cilium-enums', line);
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const filter = read('flow-filter.json').messages;
  const enums = read('flow-enums.json').enums;
  return {
    fields: new Map<string, { type: string; repeated: boolean }>(filter.FlowFilter.fields.map((f: any) => [f.name, f])),
    eventTypeFields: new Set<string>(filter.EventTypeFilter.fields.map((f: any) => f.name)),
    enumNames: (name: string) => new Set<string>(enums[name].values.map((v: any) => v.name)),
    dropCodes: new Map<number, string | null>(read('drop-reasons.json').reasons.filter((r: any) => r.isDrop).map((r: any) => [r.code, r.name])),
    monitorValues: new Set<number>(read('monitor-message-types.json').messageTypeNames.map((m: any) => m.value)),
    flowLogKeys: new Set<string>(read('hubble-flowlog-config.json').structs.FlowLogConfig.fields.map((f: any) => f.yaml)),
  };
}

const ofLine = <T extends string>(table: Record<T, { lines: readonly string[] }>, line: string): T[] =>
  (Object.keys(table) as T[]).filter((k) => table[k].lines.includes(line));

describe.each(CILIUM_ENUM_LINES)('Cilium %s: flowlogs.yaml parses back to filters that exist in the line', (line) => {
  test('every drop reason, event type, verdict, direction and IP version of the line', () => {
    const { app, chart } = targetChart({ name: 't', cilium: line });
    const reasons = ofLine<DropReason>(DROP_REASONS, line);
    new HubbleFlowLogs(chart, 'FlowLogs', {
      flowLogs: [
        {
          name: 'everything',
          includeFilters: [
            FlowFilter.egressPolicyDrops(),
            FlowFilter.match({ eventType: reasons.map((r) => EventTypeMatch.drop(r)) }),
            FlowFilter.match({ eventType: ofLine<MonitorEventType>(MONITOR_EVENT_TYPES, line).map((t) => EventTypeMatch.of(t)) }),
            FlowFilter.match({
              dropReasonDesc: reasons,
              verdict: ofLine<Verdict>(VERDICT_VALUES, line),
              trafficDirection: ofLine<TrafficDirection>(TRAFFIC_DIRECTION_VALUES, line),
              ipVersion: ofLine<IpVersion>(IP_VERSION_VALUES, line),
              sourcePod: ['shop/'],
              destinationFqdn: ['api.example.com'],
              destinationIp: ['217.160.0.92/32'],
            }),
          ],
          excludeFilters: [FlowFilter.egressDroppedByDefaultDeny()],
        },
      ],
    });
    const cm = findOne(synthValid(app).objects, 'ConfigMap');
    const data = upstream(line);
    const { flowLogs } = parse(cm.data['flowlogs.yaml']) as { flowLogs: Record<string, any>[] };
    let checked = 0;
    for (const entry of flowLogs) {
      for (const key of Object.keys(entry)) expect(data.flowLogKeys, `flow-log key ${key}`).toContain(key);
      for (const filter of [...entry.includeFilters, ...entry.excludeFilters]) {
        for (const [field, values] of Object.entries(filter as Record<string, unknown[]>)) {
          const spec = data.fields.get(field);
          expect(spec, `field ${field}`).toBeDefined();
          expect(Array.isArray(values)).toBe(spec!.repeated);
          for (const value of values) {
            checked++;
            if (field === 'event_type') {
              const et = value as Record<string, number | boolean>;
              for (const k of Object.keys(et)) expect(data.eventTypeFields).toContain(k);
              expect(data.monitorValues).toContain(et.type);
              if ('sub_type' in et) {
                expect(et.match_sub_type, 'sub_type is always paired with match_sub_type: true').toBe(true);
                if (et.type === 1) expect(data.dropCodes.get(et.sub_type as number), `drop code ${String(et.sub_type)}`).toBeTruthy();
              } else {
                expect(et).not.toHaveProperty('match_sub_type');
              }
            } else if (spec!.type === 'DropReason') {
              expect([...data.dropCodes.values()]).toContain(value);
            } else if (['Verdict', 'TrafficDirection', 'IPVersion'].includes(spec!.type)) {
              expect(data.enumNames(spec!.type)).toContain(value);
            } else {
              expect(spec!.type).toBe('string');
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
