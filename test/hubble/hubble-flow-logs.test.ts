import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DropReason, EventTypeMatch, FlowFilter, FlowFilterPreset, FlowLogOutput, HubbleFlowLogs, MonitorEventType, NetsecError, TargetProps, Verdict } from '../../src/index.js';
import { CILIUM_ENUM_LINES } from '../../src/hubble/generated/cilium-flow-data.js';
import { constructErrors, findOne, synthValid, targetChart } from '../util.js';

const CILIUM_117: TargetProps = { name: 'aks', kubernetes: '1.30', cilium: '1.17' };
const at = (cilium: string): TargetProps => ({ name: 't', kubernetes: '1.30', cilium });

/** Synthesizes one HubbleFlowLogs and returns its ConfigMap, flowlogs.yaml text and parsed content. */
function flowLogsOf(target: TargetProps, build: (f: HubbleFlowLogs) => void, props = {}) {
  const { app, chart } = targetChart(target);
  const flowLogs = new HubbleFlowLogs(chart, 'FlowLogs', props);
  build(flowLogs);
  const result = synthValid(app);
  const cm = findOne(result.objects, 'ConfigMap', flowLogs.name);
  const text = cm.data['flowlogs.yaml'] as string;
  return { result, cm, text, entries: (parse(text) as { flowLogs: Record<string, any>[] }).flowLogs };
}

/** The error a HubbleFlowLogs.addFlowLog call throws on a target. */
function addError(target: TargetProps, options: Parameters<HubbleFlowLogs['addFlowLog']>[0]): unknown {
  const { chart } = targetChart(target);
  const flowLogs = new HubbleFlowLogs(chart, 'FlowLogs');
  try {
    flowLogs.addFlowLog(options);
  } catch (err) {
    return err;
  }
  throw new Error('expected addFlowLog to throw');
}

const WHO = "HubbleFlowLogs 'kube-system/cilium-flowlog-config'";

describe('the deny-rule exporter of the bundled example (sub_type 181 with match_sub_type, to stdout)', () => {
  test('egress denied by a deny rule goes to stdout, and sub_type is paired with match_sub_type: true', () => {
    const { cm, text } = flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'egress-traffic-blocking', includeFilters: [FlowFilter.egressDeniedByDenyRule()] }));
    expect(cm.metadata).toEqual({ name: 'cilium-flowlog-config', namespace: 'kube-system' });
    expect(Object.keys(cm.data)).toEqual(['flowlogs.yaml']);
    expect(text).toBe(
      [
        'flowLogs:',
        '  - name: egress-traffic-blocking',
        '    filePath: stdout',
        '    fieldMask: []',
        '    includeFilters:',
        '      - traffic_direction:',
        '          - EGRESS',
        '        event_type:',
        '          - type: 1',
        '            match_sub_type: true',
        '            sub_type: 181',
        '    excludeFilters: []',
        '',
      ].join('\n'),
    );
  });

  test("the Helm default 'all' flow log to the agent's events file is expressible", () => {
    const { entries } = flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'all', output: FlowLogOutput.file('/var/run/cilium/hubble/events.log') }));
    expect(entries).toEqual([{ name: 'all', filePath: '/var/run/cilium/hubble/events.log', fieldMask: [], includeFilters: [], excludeFilters: [] }]);
  });

  test('the Helm values the agent needs land in cilium-values.yaml, naming the ConfigMap', () => {
    const { result } = flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'all' }), { name: 'flowlogs', namespace: 'cilium' });
    const values = result.files.find((f) => f.path === 'aks/cilium-values.yaml')!;
    expect(parse(values.content)).toEqual({
      hubble: { enabled: true, export: { dynamic: { enabled: true, config: { configMapName: 'flowlogs', createConfigMap: false } } } },
    });
    expect(findOne(result.objects, 'ConfigMap', 'flowlogs').metadata.namespace).toBe('cilium');
  });

  test('the output says where the agent reads the ConfigMap from', () => {
    const { result } = flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'all' }));
    expect(result.files.find((f) => f.path === 'aks/test.yaml')!.content).toContain(
      '# Note: ConfigMap kube-system/cilium-flowlog-config configures the Hubble flow-log exporter; the agent reads it only with the values in cilium-values.yaml, and picks up changes within about a minute.',
    );
  });

  test('shape of a ConfigMap with two flow logs', async () => {
    const { app, chart } = targetChart(at('1.19'));
    new HubbleFlowLogs(chart, 'FlowLogs', {
      flowLogs: [
        { name: 'egress-policy-drops', includeFilters: [FlowFilter.egressPolicyDrops()], fieldMask: ['time', 'source.namespace', 'destination', 'verdict', 'drop_reason_desc'] },
        {
          name: 'l7-denials',
          output: FlowLogOutput.file('l7-denials.log'),
          includeFilters: [FlowFilter.match({ eventType: [EventTypeMatch.of(MonitorEventType.L7)], verdict: [Verdict.DROPPED] })],
          excludeFilters: [FlowFilter.match({ sourcePod: ['kube-system/'] })],
          rotation: { maxSizeMb: 50, maxBackups: 3, compress: true },
          aggregation: { fields: ['source.namespace', 'verdict'], interval: Duration.seconds(30) },
          end: '2027-01-01T00:00:00Z',
        },
      ],
    });
    const cm = findOne(synthValid(app).objects, 'ConfigMap');
    await expect(cm.data['flowlogs.yaml']).toMatchFileSnapshot('__snapshots__/two-flow-logs.flowlogs.yaml');
  });
});

describe('presets render the wire format Cilium parses (snake_case proto names)', () => {
  const drop = (code: number) => ({ type: 1, match_sub_type: true, sub_type: code });
  test.each([
    [FlowFilterPreset.EGRESS_DENIED_BY_DENY_RULE, [drop(181)]],
    [FlowFilterPreset.EGRESS_DROPPED_BY_DEFAULT_DENY, [drop(133)]],
    [FlowFilterPreset.EGRESS_POLICY_DROPS, [drop(181), drop(133)]],
  ])('%s', (preset, eventType) => {
    const { entries } = flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'p', includeFilters: [FlowFilter.preset(preset)] }));
    expect(entries[0].includeFilters).toEqual([{ traffic_direction: ['EGRESS'], event_type: eventType }]);
  });

  test('the factories equal the presets', () => {
    const render = (filter: FlowFilter) => flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'p', includeFilters: [filter] })).entries[0].includeFilters;
    expect(render(FlowFilter.egressDeniedByDenyRule())).toEqual(render(FlowFilter.preset(FlowFilterPreset.EGRESS_DENIED_BY_DENY_RULE)));
    expect(render(FlowFilter.egressDroppedByDefaultDeny())).toEqual(render(FlowFilter.preset(FlowFilterPreset.EGRESS_DROPPED_BY_DEFAULT_DENY)));
  });

  test('typed fields render with proto names, in proto order, enums by name', () => {
    const { entries } = flowLogsOf(CILIUM_117, (f) =>
      f.addFlowLog({
        name: 'typed',
        includeFilters: [
          FlowFilter.match({
            verdict: [Verdict.DROPPED],
            dropReasonDesc: [DropReason.POLICY_DENY, DropReason.POLICY_DENIED],
            destinationFqdn: ['*.example.com'],
            sourceLabel: ['app=frontend'],
            sourcePod: ['shop/'],
            tcpFlags: [{ SYN: true }],
            sourceWorkload: [{ kind: 'Deployment', name: 'frontend' }],
          }),
        ],
      }),
    );
    const filter = entries[0].includeFilters[0];
    expect(Object.keys(filter)).toEqual(['source_pod', 'source_label', 'source_workload', 'destination_fqdn', 'verdict', 'drop_reason_desc', 'tcp_flags']);
    expect(filter).toEqual({
      source_pod: ['shop/'],
      source_label: ['app=frontend'],
      source_workload: [{ name: 'frontend', kind: 'Deployment' }],
      destination_fqdn: ['*.example.com'],
      verdict: ['DROPPED'],
      drop_reason_desc: ['POLICY_DENY', 'POLICY_DENIED'],
      tcp_flags: [{ SYN: true }],
    });
  });

  test('a raw filter is accepted in either spelling and still checked', () => {
    const { entries } = flowLogsOf(CILIUM_117, (f) =>
      f.addFlowLog({ name: 'raw', includeFilters: [FlowFilter.fromRaw({ eventType: [{ type: 1, matchSubType: true, subType: 133 }], traffic_direction: ['INGRESS'] })] }),
    );
    expect(entries[0].includeFilters).toEqual([{ traffic_direction: ['INGRESS'], event_type: [{ type: 1, match_sub_type: true, sub_type: 133 }] }]);
  });
});

describe('version-gated data: refused with the first line that has it', () => {
  test('a drop reason the line lacks', () => {
    const err = addError(at('1.17'), { name: 'punt', includeFilters: [FlowFilter.match({ eventType: [EventTypeMatch.drop(DropReason.DROP_PUNT_PROXY)] })] });
    expect(err).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'punt' includeFilters[0]: drop reason 'DROP_PUNT_PROXY' (205) exists from Cilium 1.18; target 't' runs Cilium 1.17.`),
    );
  });

  test('the same drop reason in drop_reason_desc', () => {
    expect(addError(at('1.17'), { name: 'punt', excludeFilters: [FlowFilter.match({ dropReasonDesc: [DropReason.DROP_PUNT_PROXY] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'punt' excludeFilters[0]: DropReason 'DROP_PUNT_PROXY' exists from Cilium 1.18; target 't' runs Cilium 1.17.`),
    );
    expect(flowLogsOf(at('1.18'), (f) => f.addFlowLog({ name: 'punt', includeFilters: [FlowFilter.match({ dropReasonDesc: [DropReason.DROP_PUNT_PROXY] })] })).entries[0].includeFilters).toEqual([
      { drop_reason_desc: ['DROP_PUNT_PROXY'] },
    ]);
  });

  test('a filter field the line lacks', () => {
    expect(addError(at('1.18'), { name: 'enc', includeFilters: [FlowFilter.match({ encrypted: [true] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'enc' includeFilters[0]: FlowFilter field 'encrypted' exists from Cilium 1.19; target 't' runs Cilium 1.18.`),
    );
    expect(addError(at('1.16'), { name: 'mc', includeFilters: [FlowFilter.match({ sourceClusterName: ['east'] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'mc' includeFilters[0]: FlowFilter field 'source_cluster_name' exists from Cilium 1.17; target 't' runs Cilium 1.16.`),
    );
  });

  test('a monitor event type a newer line dropped', () => {
    expect(addError(at('1.19'), { name: 'rec', includeFilters: [FlowFilter.match({ eventType: [EventTypeMatch.of(MonitorEventType.RECORDER)] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'rec' includeFilters[0]: monitor event type 'recorder' exists only up to Cilium 1.18; target 't' runs Cilium 1.19.`),
    );
  });

  test('per-flow-log rotation flips at 1.18', () => {
    const options = { name: 'file', output: FlowLogOutput.file('egress.log'), rotation: { maxSizeMb: 20 } };
    expect(addError(at('1.17'), options)).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'file': per-flow-log 'rotation' (fileMaxSizeMb, fileMaxBackups, fileCompress) needs Cilium 1.18 or later; target 't' runs Cilium 1.17.`),
    );
    expect(flowLogsOf(at('1.18'), (f) => f.addFlowLog(options)).entries[0]).toEqual({
      name: 'file',
      filePath: '/var/run/cilium/hubble/egress.log',
      fieldMask: [],
      includeFilters: [],
      excludeFilters: [],
      fileMaxSizeMb: 20,
    });
  });

  test('aggregation flips at 1.19', () => {
    const options = { name: 'agg', aggregation: { fields: ['verdict'], interval: Duration.minutes(1) } };
    expect(addError(at('1.18'), options)).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'agg': per-flow-log 'aggregation' (fieldAggregate, aggregationInterval) needs Cilium 1.19 or later; target 't' runs Cilium 1.18.`),
    );
    const entry = flowLogsOf(at('1.19'), (f) => f.addFlowLog(options)).entries[0];
    expect(entry.fieldAggregate).toEqual(['verdict']);
    expect(entry.aggregationInterval).toBe('60s');
  });
});

describe('mistakes the agent would punish', () => {
  test.each([
    ['/dev/stdout', "FlowLogOutput.file('/dev/stdout'): hubble/filepath-stdout: '/dev/stdout' goes through the rotating file writer; only the literal 'stdout' writes to the agent's stdout. Use filePath: stdout (in netsec.yaml, leave file out; in TypeScript, FlowLogOutput.stdout())."],
    ['stdout', "FlowLogOutput.file('stdout'): 'stdout' is not a file; the agent's stdout is the default output: in netsec.yaml leave file out, in TypeScript use FlowLogOutput.stdout()."],
    ['/tmp/flows.log', "FlowLogOutput.file('/tmp/flows.log'): the path must be a file under /var/run/cilium/hubble/ (the agent's hostPath mount; files elsewhere are lost on restart), e.g. 'egress.log' or '/var/run/cilium/hubble/egress.log'."],
    ['../escape.log', "FlowLogOutput.file('../escape.log'): the path must be a file under /var/run/cilium/hubble/ (the agent's hostPath mount; files elsewhere are lost on restart), e.g. 'egress.log' or '/var/run/cilium/hubble/egress.log'."],
  ])('file path %s is refused', (path, message) => {
    expect(() => FlowLogOutput.file(path)).toThrow(new NetsecError('INVALID', message));
  });

  test('a duplicated name', () => {
    const { chart } = targetChart(CILIUM_117);
    const f = new HubbleFlowLogs(chart, 'FlowLogs', { flowLogs: [{ name: 'a' }] });
    expect(() => f.addFlowLog({ name: 'a', output: FlowLogOutput.file('a.log') })).toThrow(
      new NetsecError('INVALID', `${WHO}: flow log 'a' name: hubble/name-and-path-unique: the name 'a' is already used by an earlier flow log; Cilium rejects the whole file on a duplicated flow-log name. Give each flow log its own name.`),
    );
  });

  test('a duplicated path', () => {
    const { chart } = targetChart(CILIUM_117);
    const f = new HubbleFlowLogs(chart, 'FlowLogs', { flowLogs: [{ name: 'a' }] });
    expect(() => f.addFlowLog({ name: 'b' })).toThrow(
      new NetsecError(
        'INVALID',
        `${WHO}: flow log 'b' filePath: hubble/name-and-path-unique: filePath 'stdout' is already used by flow log 'a'; Cilium rejects the whole file on a duplicated flow-log path. Give each flow log its own file.`,
      ),
    );
  });

  test('an empty name', () => {
    expect(addError(CILIUM_117, { name: ' ' })).toEqual(new NetsecError('INVALID', `${WHO}: flow log 'name' must be a non-empty string without surrounding spaces (got " ").`));
  });

  test('rotation on stdout', () => {
    expect(addError(at('1.18'), { name: 's', rotation: { maxBackups: 1 } })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 's': 'rotation' applies to file outputs only; 'stdout' is never rotated. Drop 'rotation' or use FlowLogOutput.file(...).`),
    );
  });

  test('rotation numbers', () => {
    expect(addError(at('1.18'), { name: 's', output: FlowLogOutput.file('s.log'), rotation: { maxSizeMb: 0 } })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 's' rotation.maxSizeMb must be an integer of 1 or more (got 0).`),
    );
  });

  test('aggregation without fields, or with a zero interval', () => {
    expect(addError(at('1.19'), { name: 'a', aggregation: { fields: [], interval: Duration.seconds(5) } })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'a': 'aggregation.fields' must name at least one flow field; the agent aggregates only when fields are given.`),
    );
    expect(addError(at('1.19'), { name: 'a', aggregation: { fields: ['verdict'], interval: Duration.millis(500) } })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'a': 'aggregation.interval' must be a whole number of seconds above 0 (got 500 millis).`),
    );
  });

  test('a field mask that is not a field path', () => {
    expect(addError(CILIUM_117, { name: 'm', fieldMask: ['source namespace'] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'm' fieldMask[0]: hubble/invalid-field-mask: "source namespace" is not a flow field path; the exporter of flow log 'm' fails to start. Expected dot-separated field names such as 'source.namespace' or 'verdict'.`),
    );
    // A repeated path is harmless to the agent: lint warns (hubble/invalid-field-mask), the construct accepts it.
  });

  test('an end that is not RFC 3339', () => {
    expect(addError(CILIUM_117, { name: 'e', end: '2026-01-01' })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'e' end: "2026-01-01" is not an RFC 3339 time; expected e.g. '2026-01-31T00:00:00Z'.`),
    );
    expect(flowLogsOf(CILIUM_117, (f) => f.addFlowLog({ name: 'e', end: new Date(Date.UTC(2027, 0, 1)) })).entries[0].end).toBe('2027-01-01T00:00:00Z');
  });

  test('an empty filter, which would match every flow', () => {
    expect(() => FlowFilter.match({})).toThrow(
      new NetsecError('INVALID', "FlowFilter.match({}): an empty filter matches every flow; leave 'includeFilters' empty to export everything, or name a field."),
    );
  });

  test('a raw sub_type without match_sub_type, which matches every drop', () => {
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ event_type: [{ type: 1, sub_type: 181 }] })] })).toEqual(
      new NetsecError(
        'INVALID',
        `${WHO}: flow log 'r' includeFilters[0]: event_type {type: 1, sub_type: 181} without 'match_sub_type: true' matches every sub-type (Cilium ignores 'sub_type' unless the flag is set). Add match_sub_type: true.`,
      ),
    );
  });

  test('raw event types and drop codes that do not exist', () => {
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ event_type: [{ type: 99 }] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: event_type 'type' 99 is not a monitor message type; expected one of: 1, 2, 3, 4, 5, 6, 7, 129, 130.`),
    );
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ event_type: [{ type: 1, match_sub_type: true, sub_type: 7 }] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: event_type sub_type 7 is not a named drop reason code; expected a code from DropReason, e.g. 181 (POLICY_DENY).`),
    );
  });

  test('an unknown raw field, which would fail the whole file', () => {
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ sourcepod: ['a/'] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: 'sourcepod' is not a field of FlowFilter; Cilium would reject the whole flowlogs.yaml. Did you mean 'source_pod'?`),
    );
  });

  test('a wrong value type or enum name', () => {
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ verdict: ['DENIED'] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: 'verdict' takes Verdict names: FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED (got "DENIED").`),
    );
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ source_pod: 'shop/' })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: 'source_pod' must be a list (got "shop/").`),
    );
  });

  test('an empty list is refused under the key as written: the agent reads it as unset, and a filter of empty lists matches every flow', () => {
    expect(addError(CILIUM_117, { name: 'r', excludeFilters: [FlowFilter.match({ sourcePod: [] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' excludeFilters[0]: 'sourcePod' is an empty list, which the agent reads as no filter on that field (a filter of nothing but empty lists matches every flow); name values, or leave 'sourcePod' out.`),
    );
    expect(addError(CILIUM_117, { name: 'r', includeFilters: [FlowFilter.fromRaw({ verdict: [], source_pod: ['shop/'] })] })).toEqual(
      new NetsecError('INVALID', `${WHO}: flow log 'r' includeFilters[0]: 'verdict' is an empty list, which the agent reads as no filter on that field (a filter of nothing but empty lists matches every flow); name values, or leave 'verdict' out.`),
    );
  });

  test('EventTypeMatch factories check their input', () => {
    expect(() => EventTypeMatch.withSubType(MonitorEventType.TRACE, 300)).toThrow(
      new NetsecError('INVALID', "EventTypeMatch.withSubType('trace', 300): 'subType' must be an integer 0-255 (got 300)."),
    );
    expect(() => EventTypeMatch.drop('NOPE' as DropReason)).toThrow(
      new NetsecError('INVALID', "EventTypeMatch.drop('NOPE'): not a Cilium drop reason; expected one of the DropReason names, e.g. 'POLICY_DENY'."),
    );
    expect(() => EventTypeMatch.of('nope' as MonitorEventType)).toThrow(
      new NetsecError('INVALID', "EventTypeMatch.of('nope'): not a monitor event type; expected one of: drop, debug, capture, trace, policy-verdict, recorder, trace-sock, l7, agent."),
    );
    expect(EventTypeMatch.withSubType(MonitorEventType.DROP, 181).dropReason).toBe(DropReason.POLICY_DENY);
    expect(String(EventTypeMatch.drop(DropReason.POLICY_DENIED))).toBe('drop/POLICY_DENIED');
  });

  test('at least one flow log before synthesis', () => {
    const { app, chart } = targetChart(CILIUM_117);
    new HubbleFlowLogs(chart, 'FlowLogs');
    expect(constructErrors(app)).toEqual(['[test/FlowLogs] HubbleFlowLogs needs at least one flow log; call addFlowLog().']);
  });

  test('a target without Cilium', () => {
    const { chart } = targetChart({ name: 'c', calico: '3.30' });
    expect(() => new HubbleFlowLogs(chart, 'FlowLogs')).toThrow(new NetsecError('INVALID', "HubbleFlowLogs 'test/FlowLogs': needs Cilium, but target 'c' names no Cilium version."));
  });

  test('an unknown preset', () => {
    expect(() => FlowFilter.preset('everything' as FlowFilterPreset)).toThrow(
      new NetsecError('INVALID', "FlowFilter.preset('everything'): unknown preset; expected one of: egress-denied-by-deny-rule, egress-dropped-by-default-deny, egress-policy-drops."),
    );
  });
});

test('escape hatch: the L1 ConfigMap takes JSON patches', () => {
  const { app, chart } = targetChart(CILIUM_117);
  const flowLogs = new HubbleFlowLogs(chart, 'FlowLogs', { flowLogs: [{ name: 'all' }] });
  ApiObject.of(flowLogs).addJsonPatch(JsonPatch.add('/metadata/labels', { team: 'platform' }));
  expect(findOne(synthValid(app).objects, 'ConfigMap').metadata.labels).toEqual({ team: 'platform' });
  expect(flowLogs.flowLogNames).toEqual(['all']);
});

describe('the Helm keys netsec sets exist in every vendored Cilium chart', () => {
  test.each(CILIUM_ENUM_LINES)('Cilium %s values.yaml', (line) => {
    const { app, chart } = targetChart(at(line));
    const flowLogs = new HubbleFlowLogs(chart, 'FlowLogs', { flowLogs: [{ name: 'all' }] });
    synthValid(app);
    const chartValues = parse(readFileSync(join(__dirname, '..', '..', 'upstream', 'reference', 'cilium-helm-values', `${line}.yaml`), 'utf8'));
    const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
    const get = (o: any, path: string) => path.split('.').reduce((x, k) => (x === undefined ? undefined : x[k]), o);
    const keys = leaves(flowLogs.helmValues.values);
    expect(keys).toEqual(['hubble.enabled', 'hubble.export.dynamic.enabled', 'hubble.export.dynamic.config.configMapName', 'hubble.export.dynamic.config.createConfigMap']);
    for (const key of keys) expect(get(chartValues, key), key).toBeDefined();
  });
});

describe('metadata (labels and annotations)', () => {
  test('reach the ConfigMap; flowLogs.metadata adds more later', () => {
    const { cm } = flowLogsOf(
      CILIUM_117,
      (f) => {
        f.addFlowLog({ name: 'all' });
        f.metadata.addLabel('example.com/owner', 'net');
      },
      { metadata: { labels: { team: 'net' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } },
    );
    expect(cm.metadata).toEqual({
      name: 'cilium-flowlog-config',
      namespace: 'kube-system',
      labels: { team: 'net', 'example.com/owner': 'net' },
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    });
  });

  test('a bad key is refused, naming the construct', () => {
    const { chart } = targetChart(CILIUM_117);
    expect(() => new HubbleFlowLogs(chart, 'FlowLogs', { metadata: { annotations: { '-bad': 'x' } } })).toThrow(
      `${WHO}: metadata.annotations key '-bad' is not a valid annotation key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    );
  });
});
