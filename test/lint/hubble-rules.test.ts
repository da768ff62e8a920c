import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { Manifest, ManifestIndex, Target, lint } from '../../src/index.js';

/** A fixed clock: rules never read the wall clock in tests. */
const NOW = new Date('2026-06-01T00:00:00Z');

function of(id: string, objects: Record<string, unknown>[], options: { cilium?: string; helmValues?: Map<string, Record<string, unknown>> } = {}) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  const index = new ManifestIndex(new Target({ name: 't', kubernetes: '1.30', cilium: options.cilium ?? '1.17' }), manifests, { now: NOW, ...(options.helmValues ? { helmValues: options.helmValues } : {}) });
  return lint(index).findings.filter((f) => f.ruleId === id).map((f) => [f.severity, f.path, f.message]);
}

const cm = (flowLogs: unknown[], name = 'cilium-flowlog-config', key = 'flowlogs.yaml') => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data: { [key]: stringify({ flowLogs }) },
});
const CM = "ConfigMap 'kube-system/cilium-flowlog-config'";

describe('hubble/subtype-without-match-flag', () => {
  test('sub_type without match_sub_type matches every drop', () => {
    expect(of('hubble/subtype-without-match-flag', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ event_type: [{ type: 1, sub_type: 181 }] }] }])])).toEqual([
      ['error', 'data.flowlogs.yaml#flowLogs[0].includeFilters[0].event_type[0]', `${CM} at data.flowlogs.yaml#flowLogs[0].includeFilters[0].event_type[0]: sets sub_type 181 without match_sub_type: true, so the filter ignores the sub-type and matches every event of type 1 (every drop, for type 1). Add match_sub_type: true.`],
    ]);
    expect(of('hubble/subtype-without-match-flag', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ eventType: [{ type: 1, matchSubType: true, subType: 181 }] }] }])])).toEqual([]);
  });
});

describe('hubble/invalid-filter-value', () => {
  const IP = (v: string, field: string) => `"${v}" is not an IP address or CIDR range: the agent parses it with Go's net.ParseIP or net.ParseCIDR (netip from 1.17; pkg/hubble/filters/ip.go) and refuses the filter, so the flow log never starts. Write e.g. "10.0.0.1" or "10.0.0.0/24".`.replace('$field', field);
  test("an address filter value Go's net/netip parsing refuses fails the filter; addresses and CIDRs (host bits too) pass", () => {
    const at = (k: string) => `data.flowlogs.yaml#flowLogs[0].includeFilters[0].${k}`;
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ source_ip: ['1.2.3.4/33', '10.0.0.1', 'fe80::1%eth0'], destinationIp: ['example.com'] }] }])], { cilium: '1.16' })).toEqual([
      ['error', at('source_ip[0]'), `${CM} at ${at('source_ip[0]')}: ${IP('1.2.3.4/33', 'source_ip')}`],
      ['error', at('source_ip[2]'), `${CM} at ${at('source_ip[2]')}: ${IP('fe80::1%eth0', 'source_ip')}`],
      ['error', at('destinationIp[0]'), `${CM} at ${at('destinationIp[0]')}: ${IP('example.com', 'destination_ip')}`],
    ]);
    // netip.ParseAddr (1.17+) takes a zone on an address; ParsePrefix does not.
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ source_ip: ['10.0.0.1/8', '2001:db8::/32', '::1', 'fe80::1%eth0'] }] }])], { cilium: '1.17' })).toEqual([]);
  });

  // Values from cilium pkg/hubble/filters at v1.18.6 (port.go ParseUint(p, 10, 16); protocol.go's list; http.go's two
  // status patterns and the L7 event-type rule; regexp.Compile for http_path/http_url/dns_query; patterns.go for FQDN
  // and node names; labels.go + labelparser.go for selectors).
  const REFUSED: [string, string, string][] = [
    ['destination_port', '99999', 'is not a port number from 0 to 65535'],
    ['source_port', '80-90', 'is not a port number from 0 to 65535'],
    ['source_port', 'http', 'is not a port number from 0 to 65535'],
    ['protocol', 'bogus', 'is not a protocol the agent filters by'],
    ['protocol', 'vrrp', 'is not a protocol the agent filters by (vrrp from Cilium 1.19)'],
    ['http_status_code', '2xx', 'is not an HTTP status code or code prefix'],
    ['http_status_code', '600', 'is not an HTTP status code or code prefix'],
    ['http_status_code', '200+', 'is not an HTTP status code or code prefix'],
    ['http_path', '([', 'is not a regular expression in RE2 syntax'],
    ['dns_query', '(?=x)', 'is not a regular expression in RE2 syntax'],
    ['source_fqdn', 'api.example.com..', 'is not an FQDN pattern'],
    ['destination_fqdn', 'api example.com', 'is not an FQDN pattern'],
    ['node_name', 'a/b/c', 'is not a node name pattern ([cluster/]node)'],
    ['source_label', 'app in web', 'is not a label selector'],
    ['destination_label', 'k8s:Example.com/x=y', 'is not a label selector'],
    ['node_labels', 'a b c', 'is not a label selector'],
    // NewRequirement checks Gt/Lt values as label values too: no sign (selector.go).
    ['source_label', 'a>-1', 'is not a label selector'],
    // The lexer's whitespace is space, tab, CR and LF; a no-break space is part of a key.
    ['source_label', 'a\u00a0=b', 'is not a label selector'],
    ['source_ip', 'fe80::1%eth0/64', 'is not an IP address or CIDR range'],
    ['source_pod', '', 'is not a name'],
    ['destination_service', '', 'is not a name'],
  ];
  test.each(REFUSED)('%s: %s is refused', (field, value, what) => {
    const found = of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ [field]: [value] }] }])], { cilium: '1.18' });
    expect(found.map((f) => f[1])).toEqual([`data.flowlogs.yaml#flowLogs[0].includeFilters[0].${field}[0]`]);
    expect(found[0]![2]).toContain(`: ${JSON.stringify(value)} ${what}`);
  });

  const ACCEPTED: [string, string][] = [
    ['destination_port', '443'], ['source_port', '0'], ['source_port', '0080'],
    ['protocol', 'TCP'], ['protocol', 'icmpv6'], ['protocol', 'kafka'],
    ['http_status_code', '403'], ['http_status_code', '5+'], ['http_status_code', '40+'],
    ['http_path', '^/api/v[0-9]+/'], ['http_url', 'https?://.*'], ['dns_query', 'kube.*local'],
    ['source_fqdn', '*.example.com.'], ['destination_fqdn', 'API.Example.com'],
    ['node_name', 'worker-*'], ['node_name', 'prod/worker-*'], ['node_name', 'prod/'],
    ['source_label', 'app=web'], ['source_label', 'k8s:app in (web, api),!canary'], ['destination_label', 'tier!=db'],
    ['node_labels', 'kubernetes.io/os=linux'], ['source_label', 'k8s:app.kubernetes.io/name=x'],
    // ParseInt(v, 10, 64) takes more than JavaScript's safe integers; the empty selector matches everything.
    ['source_label', 'a>9007199254740993'], ['source_label', ''],
  ];
  test.each(ACCEPTED)('%s: %s is accepted', (field, value) => {
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ [field]: [value] }] }])], { cilium: '1.18' })).toEqual([]);
  });

  test('vrrp and igmp are protocols from Cilium 1.19', () => {
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ protocol: ['vrrp', 'IGMP'] }] }])], { cilium: '1.19' })).toEqual([]);
  });

  test('HTTP fields need an event_type with L7 events, or none', () => {
    const at = 'data.flowlogs.yaml#flowLogs[0].includeFilters[0].httpStatusCode';
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ httpStatusCode: ['403'], event_type: [{ type: 1 }] }] }])], { cilium: '1.18' })).toEqual([
      ['error', at, `${CM} at ${at}: filters by http_status_code but event_type matches no L7 events: the agent refuses the filter ("filtering by http ... requires the event type filter to only match 'l7' events", pkg/hubble/filters/http.go), so the flow log never starts. Add the L7 event type to event_type ({type: l7} in netsec.yaml, EventTypeMatch.of(MonitorEventType.L7) in TypeScript, {type: 129} in flowlogs.yaml), or remove http_status_code.`],
    ]);
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ http_method: ['GET'], event_type: [{ type: 1 }, { type: 129 }] }, { http_method: ['GET'] }] }])], { cilium: '1.18' })).toEqual([]);
    // protojson reads an int32 written as a string.
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ http_method: ['GET'], event_type: [{ type: '129' }] }] }])], { cilium: '1.18' })).toEqual([]);
  });
});

describe('hubble/filepath-stdout and hubble/name-and-path-unique', () => {
  test('/dev/stdout warns; the literal stdout does not', () => {
    expect(of('hubble/filepath-stdout', [cm([{ name: 'a', filePath: '/dev/stdout' }])])).toEqual([
      ['warning', 'data.flowlogs.yaml#flowLogs[0].filePath', `${CM} at data.flowlogs.yaml#flowLogs[0].filePath: '/dev/stdout' goes through the rotating file writer; only the literal 'stdout' writes to the agent's stdout. Use filePath: stdout (in netsec.yaml, leave file out; in TypeScript, FlowLogOutput.stdout()).`],
    ]);
    expect(of('hubble/filepath-stdout', [cm([{ name: 'a', filePath: 'stdout' }])])).toEqual([]);
  });
  test('missing and duplicated names and paths fail the whole file', () => {
    expect(of('hubble/name-and-path-unique', [cm([{ name: 'a', filePath: 'stdout' }, { name: 'a', filePath: 'stdout' }, { filePath: '' }])])).toEqual([
      ['error', 'data.flowlogs.yaml#flowLogs[1].name', `${CM} at data.flowlogs.yaml#flowLogs[1].name: the name 'a' is already used by an earlier flow log; Cilium rejects the whole file on a duplicated flow-log name. Give each flow log its own name.`],
      ['error', 'data.flowlogs.yaml#flowLogs[1].filePath', `${CM} at data.flowlogs.yaml#flowLogs[1].filePath: filePath 'stdout' is already used by flow log 'a'; Cilium rejects the whole file on a duplicated flow-log path. Give each flow log its own file.`],
      ['error', 'data.flowlogs.yaml#flowLogs[2].name', `${CM} at data.flowlogs.yaml#flowLogs[2].name: is missing or empty; Cilium refuses the whole file ("name is required") and keeps its previous exporters (none at start-up). Give each flow log a name.`],
      ['error', 'data.flowlogs.yaml#flowLogs[2].filePath', `${CM} at data.flowlogs.yaml#flowLogs[2].filePath: is missing or empty; Cilium refuses the whole file ("filePath is required"). Use filePath: stdout or a file under /var/run/cilium/hubble/.`],
    ]);
    expect(of('hubble/name-and-path-unique', [cm([{ name: 'a', filePath: 'stdout' }, { name: 'b', filePath: '/var/run/cilium/hubble/b.log' }])])).toEqual([]);
  });
});

describe('values of a shape the agent cannot parse fail the whole file (hubble/unknown-keys)', () => {
  const at = (p: string) => `data.flowlogs.yaml#flowLogs[0].${p}`;
  test('a number for a string, a scalar for a list, a number for event_type entries, a map for the filter list', () => {
    const found = of('hubble/unknown-keys', [cm([
      { name: 'a', filePath: 'stdout', includeFilters: [{ source_port: [80], destination_ip: '1.2.3.4', event_type: [1], verdict: ['BOGUS'] }], excludeFilters: { verdict: ['DROPPED'] } },
    ])], { cilium: '1.18' });
    expect(found.map((f) => [f[1], String(f[2]).split(': ').slice(1).join(': ')])).toEqual([
      [at('includeFilters[0].source_port'), "holds a number (80), but 'source_port' takes strings (quote it: \"80\"): protojson refuses it and the agent rejects the whole file."],
      [at('includeFilters[0].destination_ip'), "is a string (\"1.2.3.4\"), but 'destination_ip' is a list field: protojson refuses it and the agent rejects the whole file. Write destination_ip: [\"1.2.3.4\"]."],
      [at('includeFilters[0].event_type'), "holds a number (1), but 'event_type' takes EventTypeFilter objects: protojson refuses it and the agent rejects the whole file."],
      [at('includeFilters[0].verdict'), "holds a string (\"BOGUS\"), but 'verdict' takes Verdict names (FORWARDED, DROPPED, ERROR, AUDIT, ...): protojson refuses it and the agent rejects the whole file."],
      [at('excludeFilters'), 'is a map, not a list of filters; the agent fails to parse the whole file. Write excludeFilters: [{...}], one filter per item.'],
    ]);
  });
  test('flowLogs that is not a list; enum numbers, numeric strings for integers, and JSON names pass', () => {
    expect(of('hubble/unknown-keys', [cm(7 as unknown as unknown[])]).map((f) => f[1])).toEqual(['data.flowlogs.yaml#flowLogs']);
    expect(of('hubble/unknown-keys', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ verdict: [2], sourceIdentity: ['42'], eventType: [{ type: 1 }] }] }])], { cilium: '1.18' })).toEqual([]);
  });
});

describe('a filter that sets nothing matches every flow (hubble/invalid-filter-value)', () => {
  test('an exclude filter of empty lists is an error (nothing is written); an include one a warning (everything is)', () => {
    expect(of('hubble/invalid-filter-value', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ verdict: [] }], excludeFilters: [{ source_pod: [] }] }])], { cilium: '1.18' })).toEqual([
      ['warning', 'data.flowlogs.yaml#flowLogs[0].includeFilters[0]', `${CM} at data.flowlogs.yaml#flowLogs[0].includeFilters[0]: sets no field (an empty list is no value), so it matches every flow: the flow log exports everything, whatever its other include filters say. Name values, or remove the filter.`],
      ['error', 'data.flowlogs.yaml#flowLogs[0].excludeFilters[0]', `${CM} at data.flowlogs.yaml#flowLogs[0].excludeFilters[0]: sets no field (an empty list is no value), so it matches every flow: as an exclude filter it drops them all and the flow log writes nothing. Name values, or remove the filter.`],
    ]);
  });
});

describe('hubble/filepath-location', () => {
  const MSG = (path: string) => `'${path}' is outside /var/run/cilium/ (the agent's cilium-run hostPath mount), so the file lands in the agent container's own filesystem: lost when the agent restarts, unseen by the node's log shippers, and perhaps not writable. Write it under /var/run/cilium/hubble/ (Helm's default is /var/run/cilium/hubble/events.log), or use filePath: stdout.`;
  test('a file outside the hostPath mount is info; a path that climbs out of it with .. too; relative paths are outside', () => {
    const paths = ['/tmp/flows.log', '/var/run/cilium/../flows.log', 'flows.log', '/var/run/ciliumx/a.log'];
    expect(of('hubble/filepath-location', [cm(paths.map((filePath, i) => ({ name: `f${i}`, filePath })))])).toEqual(
      paths.map((p, i) => ['info', `data.flowlogs.yaml#flowLogs[${i}].filePath`, `${CM} at data.flowlogs.yaml#flowLogs[${i}].filePath: ${MSG(p)}`]),
    );
  });
  test("stdout, the Helm default and files under /var/run/cilium/ are where the agent's files survive; /dev/stdout is another rule's", () => {
    const paths = ['stdout', '/var/run/cilium/hubble/events.log', '/var/run/cilium/flows.log', '/dev/stdout'];
    expect(of('hubble/filepath-location', [cm(paths.map((filePath, i) => ({ name: `f${i}`, filePath })))])).toEqual([]);
  });
});

describe('hubble/l7-denials-are-not-drops', () => {
  const MSG = 'includes every packet drop (event type 1), but L7 policy denials (HTTP 403, DNS REFUSED) are not packet drops: they are access-log events (type 129) with verdict DROPPED, so this flow log never shows them. To log both, filter on verdict: [DROPPED] instead of event_type.';
  const found = (includeFilters: unknown[]) => of('hubble/l7-denials-are-not-drops', [cm([{ name: 'a', filePath: 'stdout', includeFilters }])]);
  test('event_type {type: 1} as the only way in warns, in proto or JSON names, with type as a number or a numeric string', () => {
    expect(found([{ event_type: [{ type: 1 }], verdict: ['DROPPED'] }])).toEqual([
      ['warning', 'data.flowlogs.yaml#flowLogs[0].includeFilters[0].event_type', `${CM} at data.flowlogs.yaml#flowLogs[0].includeFilters[0].event_type: ${MSG}`],
    ]);
    expect(found([{ source_pod: ['shop/'], event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }] }, { eventType: [{ type: '1' }] }])).toEqual([
      ['warning', 'data.flowlogs.yaml#flowLogs[0].includeFilters[1].eventType', `${CM} at data.flowlogs.yaml#flowLogs[0].includeFilters[1].eventType: ${MSG}`],
    ]);
  });
  test('a chosen drop reason, an access-log entry, or another filter that may pass L7 events is not the mistake', () => {
    expect(found([{ event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }] }])).toEqual([]);
    expect(found([{ event_type: [{ type: 1 }, { type: 129 }] }])).toEqual([]);
    expect(found([{ event_type: [{ type: 1 }] }, { verdict: ['DROPPED'] }])).toEqual([]);
    expect(found([{ verdict: ['DROPPED'] }])).toEqual([]);
    expect(of('hubble/l7-denials-are-not-drops', [cm([{ name: 'a', filePath: 'stdout', excludeFilters: [{ event_type: [{ type: 1 }] }] }])])).toEqual([]);
  });
});

describe('hubble/unknown-keys and hubble/schema-version', () => {
  test('an unknown flow-log key is ignored (error), an unknown filter key fails the file; case-insensitive keys and JSON names work', () => {
    expect(of('hubble/unknown-keys', [cm([{ name: 'a', filePath: 'stdout', include_filters: [{}], excludeFilters: [{ source_pods: ['a/'] }] }])])).toEqual([
      ['error', 'data.flowlogs.yaml#flowLogs[0].include_filters', `${CM} at data.flowlogs.yaml#flowLogs[0].include_filters: 'include_filters' is not a flow-log key; the agent silently ignores it. Expected one of name, filePath, fieldMask, includeFilters, excludeFilters, end, fileMaxSizeMb, fileMaxBackups, fileCompress, fieldAggregate, aggregationInterval.`],
      ['error', 'data.flowlogs.yaml#flowLogs[0].excludeFilters[0].source_pods', `${CM} at data.flowlogs.yaml#flowLogs[0].excludeFilters[0].source_pods: 'source_pods' is not a FlowFilter field; protojson refuses it and the agent rejects the whole file. Use the proto name (source_pod) or its JSON name (sourcePod).`],
    ]);
    expect(of('hubble/unknown-keys', [cm([{ name: 'a', filePath: 'stdout', includefilters: [{ sourcePod: ['a/'], verdict: ['DROPPED'] }] }])])).toEqual([]);
  });
  test('per-flow-log rotation keys on a 1.17 agent are ignored; on 1.18 they exist', () => {
    const log = [{ name: 'a', filePath: '/var/run/cilium/hubble/a.log', fileMaxSizeMb: 5 }];
    expect(of('hubble/schema-version', [cm(log)])).toEqual([
      ['error', 'data.flowlogs.yaml#flowLogs[0].fileMaxSizeMb', `${CM} at data.flowlogs.yaml#flowLogs[0].fileMaxSizeMb: 'fileMaxSizeMb' exists from Cilium 1.18; the agent of Cilium 1.17 silently ignores it. Remove it, or raise the target's Cilium version.`],
    ]);
    expect(of('hubble/schema-version', [cm(log)], { cilium: '1.18' })).toEqual([]);
  });
  test("keys an older agent ignores but that hold their zero value (the 1.19 chart's defaults) lose nothing", () => {
    const log = [{ name: 'a', filePath: 'stdout', fieldAggregate: [], aggregationInterval: '0s', fileCompress: false }];
    expect(of('hubble/schema-version', [cm(log)], { cilium: '1.17' })).toEqual([]);
    expect(of('hubble/schema-version', [cm([{ ...log[0], aggregationInterval: '30s' }])], { cilium: '1.18' }).map((f) => f[1])).toEqual(['data.flowlogs.yaml#flowLogs[0].aggregationInterval']);
  });
});

describe('hubble/invalid-field-mask and hubble/end-in-past', () => {
  test('a field path with a space is refused; a repeated one warns', () => {
    expect(of('hubble/invalid-field-mask', [cm([{ name: 'a', filePath: 'stdout', fieldMask: ['source namespace', 'time', 'time'] }])])).toEqual([
      ['error', 'data.flowlogs.yaml#flowLogs[0].fieldMask[0]', `${CM} at data.flowlogs.yaml#flowLogs[0].fieldMask[0]: "source namespace" is not a flow field path; the exporter of flow log 'a' fails to start. Expected dot-separated field names such as 'source.namespace' or 'verdict'.`],
      ['warning', 'data.flowlogs.yaml#flowLogs[0].fieldMask[2]', `${CM} at data.flowlogs.yaml#flowLogs[0].fieldMask[2]: lists 'time' a second time, which adds nothing. Remove it.`],
    ]);
    expect(of('hubble/invalid-field-mask', [cm([{ name: 'a', filePath: 'stdout', fieldMask: ['time', 'source.namespace'] }])])).toEqual([]);
  });
  test('an end at or before the clock is inactive; a malformed end is an error; a later end is fine', () => {
    expect(of('hubble/end-in-past', [cm([{ name: 'a', filePath: 'stdout', end: '2026-06-01T00:00:00Z' }, { name: 'b', filePath: '/var/run/cilium/hubble/b.log', end: '2026-13-01' }])])).toEqual([
      ['warning', 'data.flowlogs.yaml#flowLogs[0].end', `${CM} at data.flowlogs.yaml#flowLogs[0].end: 2026-06-01T00:00:00Z is not in the future, so flow log 'a' is inactive and exports nothing. Move end into the future, or remove it.`],
      ['error', 'data.flowlogs.yaml#flowLogs[1].end', `${CM} at data.flowlogs.yaml#flowLogs[1].end: "2026-13-01" is not an RFC 3339 time; the agent fails to parse the whole file. Write e.g. '2026-01-31T00:00:00Z'.`],
    ]);
    expect(of('hubble/end-in-past', [cm([{ name: 'a', filePath: 'stdout', end: '2026-06-01T00:00:01Z' }])])).toEqual([]);
  });
  // Go's time.Parse refuses fields out of range ("day out of range"); Date.parse rolled 2030-02-30 over to March 2nd.
  test.each(['2030-02-30T00:00:00Z', '2029-02-29T00:00:00Z', '2030-04-31T00:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01T00:60:00Z', '2030-01-01T00:00:00+25:00'])('%s is out of range for the agent', (end) => {
    expect(of('hubble/end-in-past', [cm([{ name: 'a', filePath: 'stdout', end }])]).map((f) => f[0])).toEqual(['error']);
  });
  test.each(['2028-02-29T00:00:00Z', '2030-12-31t23:59:59.5z', '2030-01-01T00:00:00-23:59'])('%s is a time the agent takes', (end) => {
    expect(of('hubble/end-in-past', [cm([{ name: 'a', filePath: 'stdout', end }])])).toEqual([]);
  });
});

describe('hubble/configmap-wiring', () => {
  const wired = { hubble: { export: { dynamic: { enabled: true, config: { configMapName: 'cilium-flowlog-config', createConfigMap: false } } } } };
  test('a ConfigMap with the name the agent reads but another key', () => {
    expect(of('hubble/configmap-wiring', [cm([{ name: 'a', filePath: 'stdout' }], 'cilium-flowlog-config', 'flowlogs.yml')])).toEqual([
      ['error', 'data', `${CM} at data: has no key flowlogs.yaml, the only key the agent reads (/flowlog-config/flowlogs.yaml). Put the flow logs under data.flowlogs.yaml.`],
    ]);
  });
  test('Helm values that do not enable the exporter, name another ConfigMap and leave createConfigMap on', () => {
    const values = new Map([['cilium', { hubble: { export: { dynamic: { config: { configMapName: 'flows' } } } } }]]);
    expect(of('hubble/configmap-wiring', [cm([{ name: 'a', filePath: 'stdout' }])], { helmValues: values })).toEqual([
      ['error', 'data.flowlogs.yaml', `${CM} at data.flowlogs.yaml: is read by the agent only with hubble.export.dynamic.enabled: true, which the cilium Helm values do not set. Set it in cilium-values.yaml.`],
      ['error', 'metadata.name', `${CM} at metadata.name: is 'cilium-flowlog-config', but the cilium Helm values point the agent at ConfigMap 'flows' (hubble.export.dynamic.config.configMapName). Make them agree.`],
      ['error', 'metadata.name', `${CM} at metadata.name: is written by netsec while the cilium Helm values leave hubble.export.dynamic.config.createConfigMap true: Helm writes a ConfigMap of the same name and the two owners overwrite each other. Set createConfigMap: false.`],
    ]);
    expect(of('hubble/configmap-wiring', [cm([{ name: 'a', filePath: 'stdout' }])], { helmValues: new Map([['cilium', wired]]) })).toEqual([]);
  });
});

test('a cel_expression written at the top of a filter is unknown there; the message says it goes under experimental', () => {
  expect(of('hubble/unknown-keys', [cm([{ name: 'a', filePath: 'stdout', includeFilters: [{ cel_expression: ['true'] }] }])]).map((f) => f[2])).toEqual([
    `${CM} at data.flowlogs.yaml#flowLogs[0].includeFilters[0].cel_expression: 'cel_expression' is not a FlowFilter field; protojson refuses it and the agent rejects the whole file. It is a field of FlowFilter.Experimental: write experimental: {cel_expression: [...]}.`,
  ]);
});
