import { posix } from 'node:path';
import { parse } from 'yaml';
import { Product, VersionLine } from '../../core/versions.js';
import { FLOW_FILTER_MESSAGES, FLOW_LOG_CONFIG_KEYS } from '../../hubble/generated/cilium-flow-data.js';
import { ENUM_TABLES, MESSAGE_OF_TYPE } from '../../hubble/_line-data.js';
import { filterProblems, filterValueProblem } from '../../hubble/filter-values.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';

/*
 * The Hubble dynamic flow-log exporter file (`flowlogs.yaml` in ConfigMap `cilium-flowlog-config`; domain-notes §A.6,
 * §B.9). The agent reads it with sigs.k8s.io/yaml into Go structs (unknown flow-log keys silently ignored, keys matched
 * case-insensitively) and the filters with protojson (an unknown key fails the whole file). `HubbleFlowLogs` runs
 * `checkFlowLogsFile` on every flow log it adds, so the construct and lint share one implementation.
 */

/** The data key the agent reads (`hubble-flowlogs-config-path` = /flowlog-config/flowlogs.yaml). */
export const FLOW_LOGS_KEY = 'flowlogs.yaml';
/** The Helm default of `hubble.export.dynamic.config.configMapName`. */
export const DEFAULT_FLOWLOG_CONFIGMAP = 'cilium-flowlog-config';

/** One problem in a flowlogs.yaml file; `path` is inside the file (`flowLogs[1].filePath`). */
export interface FlowLogProblem {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
  /** Set when it differs from the rule's severity. */
  readonly severity?: Severity;
}

/** What the file is judged against: the agent's Cilium line (when known) and the time for `end`. */
export interface FlowLogCheckContext {
  readonly cilium?: VersionLine;
  readonly now?: Date;
}

/** A flow.Flow field path as fieldmaskpb accepts its syntax (the field list itself is not in netsec's upstream data). */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether `text` is a time Go's time.Parse(time.RFC3339, ...) takes, as the agent reads `end`: the layout, and each
 * field in its range (a February 30th or hour 24 is refused there, where JavaScript's Date.parse rolls it over).
 * `HubbleFlowLogs` checks its `end` with it too.
 */
export function isRfc3339Time(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHour <= 23 && offsetMinute <= 59;
}
/** Paths that name the agent's stdout but are not the literal `stdout`, so they go through the rotating file writer. */
const STDOUT_ALIASES = ['/dev/stdout', '/proc/self/fd/1', '/dev/fd/1'];

/** The hubble/filepath-stdout finding for a filePath, if any (FlowLogOutput.file refuses what this reports). */
export function stdoutAliasProblem(filePath: string): string | undefined {
  if (!STDOUT_ALIASES.includes(filePath)) return undefined;
  return `'${filePath}' goes through the rotating file writer; only the literal 'stdout' writes to the agent's stdout. Use filePath: stdout (in netsec.yaml, leave file out; in TypeScript, FlowLogOutput.stdout()).`;
}

const FILTER_FIELDS = new Map<string, (typeof FLOW_FILTER_MESSAGES)['FlowFilter'][number]>();
for (const f of FLOW_FILTER_MESSAGES.FlowFilter ?? []) {
  FILTER_FIELDS.set(f.name, f);
  FILTER_FIELDS.set(f.jsonName, f);
}

/**
 * Every problem of a parsed flowlogs.yaml (`{ flowLogs: [...] }`), in file order. Pure: the same input and context
 * always give the same problems.
 */
export function checkFlowLogsFile(doc: unknown, ctx: FlowLogCheckContext = {}): FlowLogProblem[] {
  const out: FlowLogProblem[] = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return [{ ruleId: 'hubble/unknown-keys', path: '', message: 'is not a mapping with a flowLogs list; the agent fails to parse the file and runs no dynamic exporter. Write flowLogs: [{name, filePath, ...}].' }];
  }
  const flowLogs = (doc as { flowLogs?: unknown }).flowLogs;
  if (flowLogs !== undefined && flowLogs !== null && !Array.isArray(flowLogs)) {
    return [{ ruleId: 'hubble/unknown-keys', path: 'flowLogs', message: `is ${describeJson(flowLogs)}, not a list of flow logs; the agent fails to parse the whole file and runs no dynamic exporter. Write flowLogs: [{name, filePath, ...}].` }];
  }
  if (!Array.isArray(flowLogs)) return out;
  const names = new Map<string, number>();
  const paths = new Map<string, string>();
  flowLogs.forEach((raw, i) => {
    const at = `flowLogs[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      out.push({ ruleId: 'hubble/unknown-keys', path: at, message: 'is not a mapping; the agent fails to parse the whole file. Write {name, filePath, ...}.' });
      return;
    }
    const entry = raw as Record<string, unknown>;
    const label = typeof entry.name === 'string' && entry.name ? `'${entry.name}'` : at;

    // hubble/name-and-path-unique: config.go Validate() refuses the whole file.
    if (typeof entry.name !== 'string' || entry.name.trim() === '') {
      out.push({ ruleId: 'hubble/name-and-path-unique', path: `${at}.name`, message: 'is missing or empty; Cilium refuses the whole file ("name is required") and keeps its previous exporters (none at start-up). Give each flow log a name.' });
    } else if (names.has(entry.name)) {
      out.push({ ruleId: 'hubble/name-and-path-unique', path: `${at}.name`, message: `the name '${entry.name}' is already used by an earlier flow log; Cilium rejects the whole file on a duplicated flow-log name. Give each flow log its own name.` });
    } else {
      names.set(entry.name, i);
    }
    if (typeof entry.filePath !== 'string' || entry.filePath.trim() === '') {
      out.push({ ruleId: 'hubble/name-and-path-unique', path: `${at}.filePath`, message: 'is missing or empty; Cilium refuses the whole file ("filePath is required"). Use filePath: stdout or a file under /var/run/cilium/hubble/.' });
    } else {
      const clash = paths.get(entry.filePath);
      if (clash !== undefined) {
        out.push({ ruleId: 'hubble/name-and-path-unique', path: `${at}.filePath`, message: `filePath '${entry.filePath}' is already used by flow log ${clash}; Cilium rejects the whole file on a duplicated flow-log path. Give each flow log its own file.` });
      } else {
        paths.set(entry.filePath, label);
      }
      const alias = stdoutAliasProblem(entry.filePath);
      if (alias) out.push({ ruleId: 'hubble/filepath-stdout', path: `${at}.filePath`, message: alias });
      else if (entry.filePath !== 'stdout' && !posix.normalize(entry.filePath).startsWith(`${AGENT_RUN_DIR}/`)) {
        out.push({ ruleId: 'hubble/filepath-location', path: `${at}.filePath`, message: `'${entry.filePath}' is outside ${AGENT_RUN_DIR}/ (the agent's cilium-run hostPath mount), so the file lands in the agent container's own filesystem: lost when the agent restarts, unseen by the node's log shippers, and perhaps not writable. Write it under ${AGENT_RUN_DIR}/hubble/ (Helm's default is ${AGENT_RUN_DIR}/hubble/events.log), or use filePath: stdout.` });
      }
    }

    // hubble/unknown-keys and hubble/schema-version: flow-log keys go through encoding/json (case-insensitive, unknown ignored).
    for (const key of Object.keys(entry)) {
      const known = Object.keys(FLOW_LOG_CONFIG_KEYS).find((k) => k.toLowerCase() === key.toLowerCase());
      if (!known) {
        out.push({ ruleId: 'hubble/unknown-keys', path: `${at}.${key}`, message: `'${key}' is not a flow-log key; the agent silently ignores it. Expected one of ${Object.keys(FLOW_LOG_CONFIG_KEYS).join(', ')}.` });
        continue;
      }
      const lines = FLOW_LOG_CONFIG_KEYS[known].lines;
      // An agent that ignores a key holding its zero value (the 1.19 chart's fieldAggregate: [] and aggregationInterval:
      // "0s") behaves as one that reads it: nothing is lost.
      if (ctx.cilium && !lines.includes(ctx.cilium.line) && !isZeroValue(entry[key])) {
        const since = ctx.cilium.compare(lines[0]) < 0;
        out.push({ ruleId: 'hubble/schema-version', path: `${at}.${key}`, message: `'${key}' exists ${since ? `from Cilium ${lines[0]}` : `only up to Cilium ${lines[lines.length - 1]}`}; the agent of Cilium ${ctx.cilium} silently ignores it. Remove it, or raise the target's Cilium version.` });
      }
    }

    // hubble/invalid-field-mask: fieldmaskpb.New refuses the path and that exporter never starts.
    for (const key of ['fieldMask', 'fieldAggregate']) {
      const list = entry[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        out.push({ ruleId: 'hubble/invalid-field-mask', path: `${at}.${key}`, message: `is not a list of flow field paths; expected e.g. [time, verdict, source.namespace].` });
        continue;
      }
      list.forEach((p, j) => {
        if (typeof p !== 'string' || !FIELD_PATH.test(p)) {
          out.push({ ruleId: 'hubble/invalid-field-mask', path: `${at}.${key}[${j}]`, message: `${JSON.stringify(p)} is not a flow field path; the exporter of flow log ${label} fails to start. Expected dot-separated field names such as 'source.namespace' or 'verdict'.` });
        } else if (list.indexOf(p) !== j) {
          out.push({ ruleId: 'hubble/invalid-field-mask', severity: Severity.WARNING, path: `${at}.${key}[${j}]`, message: `lists '${p}' a second time, which adds nothing. Remove it.` });
        }
      });
    }

    // hubble/end-in-past: IsActive() = End == nil || End.After(now); a malformed end fails the whole file. The message
    // names no time: it goes into the output header, and the same input must give the same bytes on every run.
    if (entry.end !== undefined) {
      const end = entry.end instanceof Date ? entry.end.toISOString() : String(entry.end);
      if (!isRfc3339Time(end)) {
        out.push({ ruleId: 'hubble/end-in-past', severity: Severity.ERROR, path: `${at}.end`, message: `${JSON.stringify(entry.end)} is not an RFC 3339 time; the agent fails to parse the whole file. Write e.g. '2026-01-31T00:00:00Z'.` });
      } else if (ctx.now && Date.parse(end) <= ctx.now.getTime()) {
        out.push({ ruleId: 'hubble/end-in-past', path: `${at}.end`, message: `${end} is not in the future, so flow log ${label} is inactive and exports nothing. Move end into the future, or remove it.` });
      }
    }

    for (const key of ['includeFilters', 'excludeFilters']) {
      const [written, filters] = Object.entries(entry).find(([k]) => k.toLowerCase() === key.toLowerCase()) ?? [key, undefined];
      if (filters === undefined || filters === null) continue;
      if (!Array.isArray(filters)) {
        out.push({ ruleId: 'hubble/unknown-keys', path: `${at}.${written}`, message: `is ${describeJson(filters)}, not a list of filters; the agent fails to parse the whole file. Write ${written}: [{...}], one filter per item.` });
        continue;
      }
      filters.forEach((f, j) => out.push(...checkFilter(f, `${at}.${written}[${j}]`, ctx, key === 'excludeFilters')));
    }
    out.push(...l7DenialsMissed(entry, at));
  });
  return out;
}

/** The agent's run folder: the `cilium-run` hostPath mount (Helm chart daemonset.yaml), where Hubble's files survive. */
const AGENT_RUN_DIR = '/var/run/cilium';
/** Monitor event types (pkg/monitor/api/types.go): a packet drop, and an L7 access-log record. */
const DROP_EVENT = 1;
const ACCESS_LOG_EVENT = 129;

/**
 * hubble/l7-denials-are-not-drops: a flow log that includes every packet drop by `event_type: [{type: 1}]` misses the
 * L7 denials (HTTP 403, DNS REFUSED): those are access-log events (129) with verdict DROPPED, not drops. Include
 * filters are alternatives, so it is enough that another include filter may pass access-log events.
 */
function l7DenialsMissed(entry: Record<string, unknown>, at: string): FlowLogProblem[] {
  const [key, filters] = Object.entries(entry).find(([k]) => k.toLowerCase() === 'includefilters') ?? [];
  if (!Array.isArray(filters)) return [];
  const eventTypes = filters.map((f) => {
    if (!f || typeof f !== 'object' || Array.isArray(f)) return undefined;
    const [field, list] = Object.entries(f as Record<string, unknown>).find(([k]) => FILTER_FIELDS.get(k)?.name === 'event_type') ?? [];
    return field !== undefined && Array.isArray(list) && list.length > 0 ? { field, types: list.map(eventTypeOf) } : undefined;
  });
  // A filter without event_type (or with an entry netsec cannot read) may pass access-log events.
  if (eventTypes.some((e) => e === undefined || e.types.some((t) => t === undefined || t.type === ACCESS_LOG_EVENT))) return [];
  const j = eventTypes.findIndex((e) => e!.types.some((t) => t!.type === DROP_EVENT && !t!.subTypeMatched));
  if (j < 0) return [];
  return [{
    ruleId: 'hubble/l7-denials-are-not-drops',
    path: `${at}.${key}[${j}].${eventTypes[j]!.field}`,
    message: 'includes every packet drop (event type 1), but L7 policy denials (HTTP 403, DNS REFUSED) are not packet drops: they are access-log events (type 129) with verdict DROPPED, so this flow log never shows them. To log both, filter on verdict: [DROPPED] instead of event_type.',
  }];
}

/** An event_type entry as protojson reads it (numbers, or numbers written as strings); undefined if it is neither. */
function eventTypeOf(raw: unknown): { type: number; subTypeMatched: boolean } | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const e = raw as Record<string, unknown>;
  const type = typeof e.type === 'number' ? e.type : typeof e.type === 'string' && /^\d+$/.test(e.type) ? Number(e.type) : undefined;
  return type === undefined ? undefined : { type, subTypeMatched: (e.match_sub_type ?? e.matchSubType) === true };
}

/** Go's zero value as the YAML may spell it: null, [], {}, "", 0, false, or a zero duration ("0s", "0"). */
function isZeroValue(v: unknown): boolean {
  if (v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return typeof v === 'string' && /^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$/.test(v);
}

/** A JSON value as messages describe it: `a number (7)`, `a map`, `a string ("x")`. */
function describeJson(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v} (${JSON.stringify(v)})`;
}

/**
 * How protojson would refuse a value of a FlowFilter (or nested message) field, or undefined: a repeated field takes a
 * JSON list, strings take strings, enums their value names or numbers, integers numbers or numeric strings, bools
 * booleans, messages objects. Any refusal fails the whole file (flow.pb.json.go; protojson's decoder).
 */
function wireTypeProblem(spec: (typeof FLOW_FILTER_MESSAGES)['FlowFilter'][number], key: string, value: unknown): string | undefined {
  if (spec.repeated && !Array.isArray(value)) return `is ${describeJson(value)}, but '${key}' is a list field: protojson refuses it and the agent rejects the whole file. Write ${key}: [${JSON.stringify(value)}].`;
  for (const item of spec.repeated ? (value as unknown[]) : [value]) {
    const expected = wireItemExpectation(spec.type, item);
    if (expected) return `holds ${describeJson(item)}, but '${key}' takes ${expected}: protojson refuses it and the agent rejects the whole file.`;
  }
  return undefined;
}

function wireItemExpectation(type: string, item: unknown): string | undefined {
  const table = ENUM_TABLES[type];
  if (table) return (typeof item === 'string' && Object.hasOwn(table, item)) || Number.isInteger(item) ? undefined : `${type} names (${Object.keys(table).slice(0, 4).join(', ')}, ...)`;
  if (MESSAGE_OF_TYPE[type] || type === 'EventTypeFilter') return item !== null && typeof item === 'object' && !Array.isArray(item) ? undefined : `${type} objects`;
  switch (type) {
    case 'string':
      return typeof item === 'string' ? undefined : `strings (quote it: "${String(item)}")`;
    case 'bool':
      return typeof item === 'boolean' ? undefined : 'true or false';
    default:
      // int32, uint32, uint64: a number, or a number written as a string.
      return Number.isInteger(item) || (typeof item === 'string' && /^-?\d+$/.test(item)) ? undefined : 'whole numbers';
  }
}

function checkFilter(filter: unknown, at: string, ctx: FlowLogCheckContext, exclude: boolean): FlowLogProblem[] {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) {
    return [{ ruleId: 'hubble/unknown-keys', path: at, message: `is ${describeJson(filter)}, not a filter; the agent fails to parse the whole file. Write a map of FlowFilter fields, e.g. {verdict: [DROPPED]}.` }];
  }
  const out: FlowLogProblem[] = [];
  // protojson reads an empty list as an unset field: a filter of nothing but empty lists is {} and matches every flow.
  if (Object.values(filter as Record<string, unknown>).every((v) => v === null || (Array.isArray(v) && v.length === 0))) {
    out.push(exclude
      ? { ruleId: 'hubble/invalid-filter-value', path: at, message: 'sets no field (an empty list is no value), so it matches every flow: as an exclude filter it drops them all and the flow log writes nothing. Name values, or remove the filter.' }
      : { ruleId: 'hubble/invalid-filter-value', path: at, severity: Severity.WARNING, message: 'sets no field (an empty list is no value), so it matches every flow: the flow log exports everything, whatever its other include filters say. Name values, or remove the filter.' });
  }
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    const field = FILTER_FIELDS.get(key);
    if (!field) {
      // cel_expression belongs under experimental (flow.proto FlowFilter.Experimental); written at the top it is unknown.
      const experimental = FLOW_FILTER_MESSAGES['FlowFilter.Experimental']?.some((f) => f.name === key || f.jsonName === key);
      const hint = experimental ? `It is a field of FlowFilter.Experimental: write experimental: {${key}: [...]}.` : 'Use the proto name (source_pod) or its JSON name (sourcePod).';
      out.push({ ruleId: 'hubble/unknown-keys', path: `${at}.${key}`, message: `'${key}' is not a FlowFilter field; protojson refuses it and the agent rejects the whole file. ${hint}` });
      continue;
    }
    if (ctx.cilium && !field.lines.includes(ctx.cilium.line)) {
      out.push({ ruleId: 'hubble/unknown-keys', path: `${at}.${key}`, message: `'${key}' is a FlowFilter field from Cilium ${field.lines[0]}; the agent of Cilium ${ctx.cilium} does not know it and rejects the whole file. Remove it, or raise the target's Cilium version.` });
    }
    const typeProblem = value === null ? undefined : wireTypeProblem(field, key, value);
    if (typeProblem) {
      out.push({ ruleId: 'hubble/unknown-keys', path: `${at}.${key}`, message: typeProblem });
      continue;
    }
    if (field.type === 'string' && Array.isArray(value)) {
      value.forEach((v, k) => {
        const problem = typeof v === 'string' ? filterValueProblem(field.name, v, ctx.cilium) : undefined;
        if (problem) out.push({ ruleId: 'hubble/invalid-filter-value', path: `${at}.${key}[${k}]`, message: problem });
      });
    }
    if (field.name !== 'event_type' || !Array.isArray(value)) continue;
    value.forEach((e, k) => {
      if (!e || typeof e !== 'object') return;
      const et = e as Record<string, unknown>;
      const sub = et.sub_type ?? et.subType;
      const match = et.match_sub_type ?? et.matchSubType;
      if (sub !== undefined && match !== true) {
        out.push({ ruleId: 'hubble/subtype-without-match-flag', path: `${at}.${key}[${k}]`, message: `sets sub_type ${JSON.stringify(sub)} without match_sub_type: true, so the filter ignores the sub-type and matches every event of type ${JSON.stringify(et.type)} (every drop, for type 1). Add match_sub_type: true.` });
      }
    });
  }
  // Whole-filter rules read the wire form by proto names; a filter may use the JSON names.
  const wire = Object.fromEntries(Object.entries(filter as Record<string, unknown>).map(([k, v]) => [FILTER_FIELDS.get(k)?.name ?? k, v]));
  const keyOf = (name: string) => Object.keys(filter as Record<string, unknown>).find((k) => FILTER_FIELDS.get(k)?.name === name) ?? name;
  for (const p of filterProblems(wire)) out.push({ ruleId: 'hubble/invalid-filter-value', path: `${at}.${keyOf(p.field)}`, message: p.message });
  return out;
}

/** ConfigMaps that hold a flowlogs.yaml, or that carry the name the agent reads. */
function flowLogConfigMaps(index: ManifestIndex): { m: Manifest; text?: string }[] {
  return index.ofKind('ConfigMap').flatMap((m) => {
    if (String(m.object.apiVersion ?? '') !== 'v1') return [];
    const data = (m.object.data ?? {}) as Record<string, unknown>;
    const text = data[FLOW_LOGS_KEY];
    if (typeof text === 'string') return [{ m, text }];
    return identityOf(m.object).name === configMapName(index) ? [{ m }] : [];
  });
}

/** The Helm values at `path` in the cilium release, when netsec knows them. */
function ciliumValue(index: ManifestIndex, path: string[]): unknown {
  let v: unknown = index.helmValues.get('cilium');
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}
function configMapName(index: ManifestIndex): string {
  const v = ciliumValue(index, ['hubble', 'export', 'dynamic', 'config', 'configMapName']);
  return typeof v === 'string' && v ? v : DEFAULT_FLOWLOG_CONFIGMAP;
}

const DATA_PATH = `data.${FLOW_LOGS_KEY}`;

/**
 * YAML as the agent reads it: sigs.k8s.io/yaml goes through go-yaml v2 into interface{}, which applies YAML 1.1
 * scalars but keeps timestamps as strings (so `end` is judged as written, not as a parsed Date).
 */
function parseAsAgent(text: string): unknown {
  return parse(text, { version: '1.1', customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp') });
}

function fileRule(id: string, severity: Severity, summary: string, explanation: string): LintRule {
  return {
    id,
    severity,
    summary,
    explanation,
    check(index) {
      const cilium = index.target.version(Product.CILIUM);
      const out: RuleViolation[] = [];
      for (const { m, text } of flowLogConfigMaps(index)) {
        if (text === undefined) continue;
        let doc: unknown;
        try {
          doc = parseAsAgent(text);
        } catch (e) {
          if (id === 'hubble/unknown-keys') out.push({ manifest: m, path: DATA_PATH, message: `is not YAML (${(e as Error).message.split('\n')[0]}); the agent runs no dynamic exporter. Fix the syntax.` });
          continue;
        }
        for (const p of checkFlowLogsFile(doc, { ...(cilium ? { cilium } : {}), now: index.now })) {
          if (p.ruleId !== id) continue;
          out.push({ manifest: m, path: p.path ? `${DATA_PATH}#${p.path}` : DATA_PATH, message: p.message, ...(p.severity ? { severity: p.severity } : {}) });
        }
      }
      return out;
    },
  };
}

const SRC = 'CIL pkg/hubble/exporter/config.go';

export const subtypeWithoutMatchFlag = fileRule(
  'hubble/subtype-without-match-flag', Severity.ERROR,
  'An event_type filter sets sub_type without match_sub_type: true, so it matches every sub-type.',
  'The filter compares sub_type only when match_sub_type is true, because 0 is a valid sub-type: {type: 1, sub_type: 181} matches all drops, not only POLICY_DENY (CIL pkg/hubble/filters/event_type.go; flow.proto EventTypeFilter).',
);
export const filepathStdout = fileRule(
  'hubble/filepath-stdout', Severity.WARNING,
  "A flow log writes to /dev/stdout (or another alias) instead of the literal 'stdout'.",
  `Only filePath: stdout skips the rotating (lumberjack) file writer; /dev/stdout goes through it, and rotating a device file is untested upstream (${SRC}; PR #31422).`,
);
export const filepathLocation = fileRule(
  'hubble/filepath-location', Severity.INFO,
  'A flow log writes a file outside /var/run/cilium/, in the agent container\'s own filesystem.',
  `Helm mounts the node's /var/run/cilium into the agent (cilium-run hostPath) and writes flow logs to /var/run/cilium/hubble/events.log by default; a file elsewhere is lost when the agent restarts and is not seen by node log shippers (CIL install/kubernetes/cilium/values.yaml hubble.export.dynamic.config.content, templates/cilium-agent/daemonset.yaml).`,
);
export const l7DenialsAreNotDrops = fileRule(
  'hubble/l7-denials-are-not-drops', Severity.WARNING,
  'A flow log includes packet drops by event_type {type: 1}, which leaves out L7 denials (HTTP 403, DNS REFUSED).',
  'Violations of L7 rules do not drop packets: the proxy answers 403 or REFUSED and Hubble records an access-log flow (monitor type 129) with verdict DROPPED and no drop reason, so an event_type: [{type: 1}] export misses them; verdict: [DROPPED] catches both kinds (CIL Documentation/security/policy/layer7.rst: "violation of layer 7 rules does not result in packet drops"; pkg/hubble/parser/seven/parser.go; pkg/monitor/api/types.go).',
);
export const nameAndPathUnique = fileRule(
  'hubble/name-and-path-unique', Severity.ERROR,
  'A flow log has no name or filePath, or repeats another flow log\'s.',
  `Validate() refuses the whole file on a missing or duplicated name or filePath; the watcher logs "Failed to parse dynamic exporter config" and keeps the previous configuration, which at start-up means no exporters (${SRC}, config_watcher.go).`,
);
export const unknownKeys = fileRule(
  'hubble/unknown-keys', Severity.ERROR,
  'flowlogs.yaml has a key the agent does not know (ignored at flow-log level, fatal inside a filter), or a value of a shape it cannot parse (a scalar for a list, a number for a string), which fails the whole file.',
  `Flow-log keys are decoded by encoding/json: unknown keys are silently ignored (include_filters drops the filters). Filter keys are decoded by protojson: an unknown field fails the whole file (${SRC}; api/v1/flow/flow.pb.json.go). Checked against the FlowFilter fields of the target's Cilium line, with each value's JSON type as protojson reads it (a list for a repeated field, strings, enum names or numbers, whole numbers, objects for messages); flowLogs, includeFilters and excludeFilters must be lists.`,
);
export const invalidFieldMask = fileRule(
  'hubble/invalid-field-mask', Severity.ERROR,
  'A fieldMask or fieldAggregate entry is not a field path.',
  'fieldMask entries must be flow.Flow field paths (fieldmaskpb.New); otherwise that exporter fails to start and the flow log never writes (CIL pkg/hubble/exporter/option.go, dynamic_exporter.go). netsec checks the path syntax and duplicates; that each field exists is left to the agent.',
);
export const invalidFilterValue = fileRule(
  'hubble/invalid-filter-value', Severity.ERROR,
  'A flow filter value the agent refuses when it builds the filter: an address, port, protocol, HTTP status code, regular expression, FQDN or node pattern, or label selector it cannot parse, or HTTP fields without L7 events.',
  'Hubble builds each flow log\'s filters with BuildFilterList and fails the flow log on the first error, so that exporter never starts ' +
    '(before Cilium 1.16.4 it stored no exporter and would crash on the first flow): addresses go through net.ParseIP/ParseCIDR (netip from 1.17, ip.go), ' +
    'ports through strconv.ParseUint(v, 10, 16) (port.go), protocols must be known (protocol.go), status codes are "403" or a prefix such as "5+", ' +
    'http_* fields need an event_type with L7 events (http.go), http_path, http_url and dns_query compile as Go regexps, FQDN and node ' +
    'names are patterns of [-.*_0-9a-z] (patterns.go), labels are Kubernetes selectors with the source added (labels.go). Read at cilium v1.16.6, ' +
    'v1.17.5, v1.18.6 and v1.19.4 (pkg/hubble/filters).',
);
export const endInPast = fileRule(
  'hubble/end-in-past', Severity.WARNING,
  "A flow log's end is in the past (inactive), or not an RFC 3339 time (the whole file fails).",
  `An exporter is active while End == nil || End.After(now) (${SRC}); end is an RFC 3339 time, and a malformed one fails the whole file (an error then).`,
);
export const schemaVersion = fileRule(
  'hubble/schema-version', Severity.ERROR,
  "A flow-log key does not exist in the target's Cilium line, so that agent ignores it.",
  'Per-flow-log fileMaxSizeMb, fileMaxBackups and fileCompress exist from Cilium 1.18, fieldAggregate and aggregationInterval from 1.19; older agents silently ignore them (CIL config.go FlowLogConfig per line; 1.18 upgrade notes).',
);

export const configmapWiring: LintRule = {
  id: 'hubble/configmap-wiring',
  severity: Severity.ERROR,
  summary: 'The flow-log ConfigMap is not where, or not under the key, the agent reads; or the Helm values do not make the agent read it.',
  explanation:
    'The agent reads /flowlog-config/flowlogs.yaml only with hubble.export.dynamic.enabled=true, from the ConfigMap named ' +
    `hubble.export.dynamic.config.configMapName (default ${DEFAULT_FLOWLOG_CONFIGMAP}) under the key ${FLOW_LOGS_KEY}; with createConfigMap left true Helm ` +
    'writes a ConfigMap of its own and two owners fight over it (CIL templates/cilium-flowlog-configmap.yaml, values.yaml hubble.export.dynamic). ' +
    'The Helm values are judged when netsec writes them for the target (cilium-values.yaml).',
  check(index) {
    const out: RuleViolation[] = [];
    const values = index.helmValues.get('cilium');
    const name = configMapName(index);
    for (const { m, text } of flowLogConfigMaps(index)) {
      const id = identityOf(m.object);
      if (text === undefined) {
        out.push({ manifest: m, path: 'data', message: `has no key ${FLOW_LOGS_KEY}, the only key the agent reads (/flowlog-config/${FLOW_LOGS_KEY}). Put the flow logs under data.${FLOW_LOGS_KEY}.` });
        continue;
      }
      if (!values) continue;
      if (ciliumValue(index, ['hubble', 'export', 'dynamic', 'enabled']) !== true) {
        out.push({ manifest: m, path: DATA_PATH, message: `is read by the agent only with hubble.export.dynamic.enabled: true, which the cilium Helm values do not set. Set it in cilium-values.yaml.` });
      }
      if (id.name !== name) {
        out.push({ manifest: m, path: 'metadata.name', message: `is '${id.name}', but the cilium Helm values point the agent at ConfigMap '${name}' (hubble.export.dynamic.config.configMapName). Make them agree.` });
      }
      if (ciliumValue(index, ['hubble', 'export', 'dynamic', 'config', 'createConfigMap']) !== false) {
        out.push({ manifest: m, path: 'metadata.name', message: `is written by netsec while the cilium Helm values leave hubble.export.dynamic.config.createConfigMap true: Helm writes a ConfigMap of the same name and the two owners overwrite each other. Set createConfigMap: false.` });
      }
    }
    return out;
  },
};

export const HUBBLE_RULES: readonly LintRule[] = [subtypeWithoutMatchFlag, filepathStdout, filepathLocation, l7DenialsAreNotDrops, nameAndPathUnique, unknownKeys, invalidFieldMask, invalidFilterValue, endInPast, configmapWiring, schemaVersion];
