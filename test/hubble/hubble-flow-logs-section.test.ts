import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { findOne, synthValid } from '../util.js';

const TARGETS = 'targets:\n  - { name: cil, kubernetes: "1.30", cilium: "1.19" }\n  - { name: cal, kubernetes: "1.30", calico: "3.30" }\n';

async function build(section: string) {
  return buildApp(parseConfig(TARGETS + section, 'netsec.yaml'));
}

describe('netsec.yaml hubbleFlowLogs:', () => {
  test('builds the same filters a TypeScript user writes, on Cilium targets only', async () => {
    const app = await build(`
hubbleFlowLogs:
  - flowLogs:
      - name: drops
        file: drops.log
        includeFilters:
          - preset: egress-policy-drops
          - eventType: [{ type: drop, dropReason: DROP_PUNT_PROXY }, { type: trace, subType: 0 }, { type: l7 }]
            verdict: [DROPPED]
            sourcePod: [shop/]
        excludeFilters:
          - encrypted: [true]
        rotation: { maxSizeMb: 20 }
        aggregation: { fields: [verdict], intervalSeconds: 30 }
`);
    const result = synthValid(app);
    expect(result.files.map((f) => f.path).filter((p) => p.startsWith('cal/'))).toEqual([]);
    const cm = findOne(result.objects, 'ConfigMap', 'cilium-flowlog-config');
    expect((parse(cm.data['flowlogs.yaml']) as { flowLogs: unknown[] }).flowLogs).toEqual([
      {
        name: 'drops',
        filePath: '/var/run/cilium/hubble/drops.log',
        fieldMask: [],
        fieldAggregate: ['verdict'],
        aggregationInterval: '30s',
        includeFilters: [
          { traffic_direction: ['EGRESS'], event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }, { type: 1, match_sub_type: true, sub_type: 133 }] },
          {
            source_pod: ['shop/'],
            verdict: ['DROPPED'],
            event_type: [{ type: 1, match_sub_type: true, sub_type: 205 }, { type: 4, match_sub_type: true, sub_type: 0 }, { type: 129 }],
          },
        ],
        excludeFilters: [{ encrypted: [true] }],
        fileMaxSizeMb: 20,
      },
    ]);
    expect(result.files.find((f) => f.path === 'cil/hubble-flow-logs.yaml')).toBeDefined();
  });

  test('a typo in a filter is an unknown key with the known ones', async () => {
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - sourcepod: [a/]\n')).rejects.toThrow(
      /netsec\.yaml:8:13: unknown key 'sourcepod' in hubbleFlowLogs\[0\]\.flowLogs\[0\]\.includeFilters\[0\]; expected one of: preset, uuid, sourceIp, .*; did you mean 'sourcePod'\?$/,
    );
  });

  test('a drop reason with another type, or beside a subType, is refused (the type was written as drop, the subType dropped)', async () => {
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - eventType: [{ type: trace, dropReason: POLICY_DENY }]\n')).rejects.toThrow(
      "netsec.yaml:8:13: eventType[0] has dropReason 'POLICY_DENY' with type 'trace'; expected type: drop (a drop reason is the sub-type of drop events); write type: drop, or remove dropReason",
    );
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - eventType: [{ type: drop, subType: 133, dropReason: POLICY_DENY }]\n')).rejects.toThrow(
      "netsec.yaml:8:13: eventType[0] has both dropReason 'POLICY_DENY' and subType 133; expected one of them (a drop reason is the sub-type of drop events); remove one",
    );
  });

  test('an address filter value the agent cannot parse is refused where it is written (it was written as given)', async () => {
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - sourceIp: ["1.2.3.4/33"]\n')).rejects.toThrow(
      `'source_ip' "1.2.3.4/33" is not an IP address or CIDR range: the agent parses it with Go's net.ParseIP or net.ParseCIDR (netip from 1.17; pkg/hubble/filters/ip.go) and refuses the filter, so the flow log never starts. Write e.g. "10.0.0.1" or "10.0.0.0/24".`,
    );
  });

  test('values and HTTP fields the agent refuses are refused where they are written (they were written as given)', async () => {
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - destinationPort: ["99999"]\n')).rejects.toThrow(
      `'destination_port' "99999" is not a port number from 0 to 65535: the agent parses it with Go's strconv.ParseUint(v, 10, 16) (pkg/hubble/filters/port.go) and refuses the filter, so the flow log never starts. Write one port in decimal, e.g. "443"; ranges and names are not filters.`,
    );
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - { httpStatusCode: ["403"], eventType: [{ type: drop }] }\n')).rejects.toThrow(
      "filters by http_status_code but event_type matches no L7 events",
    );
  });

  test('a preset with other fields', async () => {
    await expect(build('hubbleFlowLogs:\n  - flowLogs:\n      - name: a\n        includeFilters:\n          - { preset: egress-policy-drops, sourcePod: [a/] }\n')).rejects.toThrow(
      "netsec.yaml:8:13: a filter with 'preset: egress-policy-drops' must not name other fields (found sourcePod); write the preset's fields out instead.",
    );
  });
});
