#!/usr/bin/env node
// Generates src/hubble/generated/cilium-flow-data.ts from the Cilium enum data vendored in
// upstream/reference/cilium-enums/<line>/ (drop reasons, monitor message types, flow.proto enums, the FlowFilter
// message and the flow-log config keys of every supported line). The TypeScript enums, per-line tables and the
// FlowFilter field interfaces are therefore generated from upstream data, never typed by hand.
// A test (test/hubble/generated.test.ts) fails when the committed file differs from what this script would write.
//
//   node scripts/generate-hubble-enums.mjs            write the file
//   node scripts/generate-hubble-enums.mjs --check    exit 1 if the committed file is out of date
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = 'src/hubble/generated/cilium-flow-data.ts';

/** Enum names in flow.proto that FlowFilter fields use, and the TS enum each becomes. */
const FLOW_ENUMS = { Verdict: 'Verdict', TrafficDirection: 'TrafficDirection', IPVersion: 'IpVersion' };
/** Proto message name -> TS interface name for the messages FlowFilter references. */
const MESSAGE_TS = {
  FlowFilter: 'FlowFilterFields',
  'FlowFilter.Experimental': 'FlowFilterExperimental',
  Workload: 'FlowFilterWorkload',
  HTTPHeader: 'FlowFilterHttpHeader',
  TCPFlags: 'FlowFilterTcpFlags',
  NetworkInterface: 'FlowFilterNetworkInterface',
};

/** `drop` -> `DROP`, `policy-verdict` -> `POLICY_VERDICT`, `IPv4` -> `IPV4`. */
function member(name) {
  return name.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

function lineKey(line) {
  return line.split('.').map(Number);
}

function sortLines(lines) {
  return [...lines].sort((a, b) => lineKey(a)[0] - lineKey(b)[0] || lineKey(a)[1] - lineKey(b)[1]);
}

/** A tsdoc block; `*\/` in upstream comments is neutralised. */
function doc(text, indent = '') {
  const lines = text.replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

function since(lines, all) {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (first === all[0] && last === all[all.length - 1]) return `Cilium ${first}+ (every vendored line)`;
  if (last === all[all.length - 1]) return `Cilium ${first}+`;
  return `Cilium ${first} to ${last}`;
}

/** Reads every vendored line and returns the generated file's content. */
export function generate(repoRoot = root) {
  const base = join(repoRoot, 'upstream', 'reference', 'cilium-enums');
  const lines = sortLines(readdirSync(base).filter((d) => /^\d+\.\d+$/.test(d)));
  const read = (line, file) => JSON.parse(readFileSync(join(base, line, file), 'utf8'));

  // Drop reasons: name -> {code, description, lines}. Only named packet-drop reasons (flow.proto DropReason values).
  const drops = new Map();
  for (const line of lines) {
    for (const r of read(line, 'drop-reasons.json').reasons) {
      if (!r.name || !r.isDrop) continue;
      const seen = drops.get(r.name);
      if (seen && seen.code !== r.code) throw new Error(`drop reason ${r.name} changes code between lines (${seen.code} vs ${r.code} in ${line})`);
      const entry = seen ?? { code: r.code, description: r.description, unused: r.unusedInDatapath, lines: [] };
      entry.description = r.description;
      entry.unused = r.unusedInDatapath;
      entry.lines.push(line);
      drops.set(r.name, entry);
    }
  }

  // Monitor message types (EventTypeFilter.type): hubble name -> {value, const, lines}.
  const monitor = new Map();
  for (const line of lines) {
    const data = read(line, 'monitor-message-types.json');
    const comments = new Map(data.messageTypes.map((m) => [m.const, m.comment]));
    for (const m of data.messageTypeNames) {
      const seen = monitor.get(m.name);
      if (seen && seen.value !== m.value) throw new Error(`monitor type ${m.name} changes value between lines`);
      const entry = seen ?? { value: m.value, goConst: m.messageTypeConst, comment: comments.get(m.messageTypeConst) ?? '', lines: [] };
      entry.lines.push(line);
      monitor.set(m.name, entry);
    }
  }

  // flow.proto enums used by FlowFilter fields (0 = proto3 "unset" value, left out: filtering on it means nothing).
  const enums = {};
  for (const protoName of Object.keys(FLOW_ENUMS)) {
    const values = new Map();
    for (const line of lines) {
      const e = read(line, 'flow-enums.json').enums[protoName];
      for (const v of e.values) {
        if (v.number === 0) continue;
        const entry = values.get(v.name) ?? { number: v.number, comment: v.comment, lines: [] };
        entry.lines.push(line);
        values.set(v.name, entry);
      }
    }
    enums[protoName] = values;
  }

  // FlowFilter and the messages it references: per field, the lines that have it.
  const messages = {};
  for (const line of lines) {
    for (const [name, msg] of Object.entries(read(line, 'flow-filter.json').messages)) {
      const m = (messages[name] ??= { comment: msg.comment ?? '', fields: new Map() });
      for (const f of msg.fields) {
        const entry = m.fields.get(f.name) ?? { ...f, lines: [] };
        Object.assign(entry, { jsonName: f.jsonName, type: f.type, repeated: f.repeated, comment: f.comment, deprecated: f.deprecated });
        entry.lines.push(line);
        m.fields.set(f.name, entry);
      }
    }
  }

  // Flow-log config keys (FlowLogConfig yaml tags) per line.
  const flowLogKeys = new Map();
  for (const line of lines) {
    for (const f of read(line, 'hubble-flowlog-config.json').structs.FlowLogConfig.fields) {
      const entry = flowLogKeys.get(f.yaml) ?? { goType: f.goType, lines: [] };
      entry.lines.push(line);
      flowLogKeys.set(f.yaml, entry);
    }
  }

  let out = '';
  out += `// GENERATED by scripts/generate-hubble-enums.mjs from upstream/reference/cilium-enums/<line>/ (Cilium ${lines[0]} to ${lines[lines.length - 1]}).\n`;
  out += '// Do not edit: run `node scripts/generate-hubble-enums.mjs`. test/hubble/generated.test.ts fails when this file is stale.\n';
  out += "import type { EventTypeMatch } from '../event-type-match.js';\n\n";
  out += doc('The Cilium lines the tables below cover, oldest first.');
  out += `export const CILIUM_ENUM_LINES: readonly string[] = ${JSON.stringify(lines)};\n\n`;
  out += doc('When an enum value or a field exists: the vendored Cilium lines that have it, oldest first.');
  out += 'export interface PerLine {\n  readonly lines: readonly string[];\n}\n\n';

  // DropReason
  const dropNames = [...drops.keys()].sort((a, b) => drops.get(a).code - drops.get(b).code);
  out += doc(
    'Why the datapath dropped a packet (Cilium `pkg/monitor/api/drop.go` codes with their `flow.proto` DropReason names).\n' +
      'The member holds the name `drop_reason_desc` takes; `DROP_REASONS[reason].code` is the number a drop event carries\n' +
      'as `event_type[].sub_type` (e.g. `POLICY_DENY` = 181: an explicit deny rule; `POLICY_DENIED` = 133: no allow rule under default deny).',
  );
  out += 'export enum DropReason {\n';
  for (const name of dropNames) {
    const d = drops.get(name);
    out += doc(`${d.code}: ${d.description}.${d.unused ? ' Marked unused in the datapath.' : ''} ${since(d.lines, lines)}.`, '  ');
    out += `  ${member(name)} = '${name}',\n`;
  }
  out += '}\n\n';
  out += doc('Code, description and lines of every drop reason.');
  out += 'export const DROP_REASONS: Record<DropReason, PerLine & { readonly code: number; readonly description: string }> = {\n';
  for (const name of dropNames) {
    const d = drops.get(name);
    out += `  [DropReason.${member(name)}]: { code: ${d.code}, description: ${JSON.stringify(d.description)}, lines: ${JSON.stringify(d.lines)} },\n`;
  }
  out += '};\n\n';

  // MonitorEventType
  const monitorNames = [...monitor.keys()].sort((a, b) => monitor.get(a).value - monitor.get(b).value);
  out += doc(
    "Monitor message types (`pkg/monitor/api/types.go`), by the names `hubble observe --type` uses. A flow's\n" +
      '`event_type.type` is the number in `MONITOR_EVENT_TYPES` (drop = 1, l7 = 129).',
  );
  out += 'export enum MonitorEventType {\n';
  for (const name of monitorNames) {
    const m = monitor.get(name);
    out += doc(`${m.value} (\`${m.goConst}\`). ${since(m.lines, lines)}.`, '  ');
    out += `  ${member(name)} = '${name}',\n`;
  }
  out += '}\n\n';
  out += doc('Number, Go constant and lines of every monitor message type.');
  out += 'export const MONITOR_EVENT_TYPES: Record<MonitorEventType, PerLine & { readonly value: number; readonly goConst: string }> = {\n';
  for (const name of monitorNames) {
    const m = monitor.get(name);
    out += `  [MonitorEventType.${member(name)}]: { value: ${m.value}, goConst: '${m.goConst}', lines: ${JSON.stringify(m.lines)} },\n`;
  }
  out += '};\n\n';

  // flow.proto enums
  for (const [protoName, tsName] of Object.entries(FLOW_ENUMS)) {
    const values = enums[protoName];
    const names = [...values.keys()].sort((a, b) => values.get(a).number - values.get(b).number);
    out += doc(`\`flow.proto\` enum \`${protoName}\` (the zero "unknown" value left out). Members hold the wire names.`);
    out += `export enum ${tsName} {\n`;
    for (const name of names) {
      const v = values.get(name);
      out += doc(`${v.comment ? `${v.comment} ` : ''}${since(v.lines, lines)}.`, '  ');
      out += `  ${member(name)} = '${name}',\n`;
    }
    out += '}\n\n';
    out += doc(`Lines that have each \`${protoName}\` value.`);
    out += `export const ${tsName.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_VALUES: Record<${tsName}, PerLine> = {\n`;
    for (const name of names) out += `  [${tsName}.${member(name)}]: { lines: ${JSON.stringify(values.get(name).lines)} },\n`;
    out += '};\n\n';
  }

  // FlowFilter message tables
  out += doc('One field of a FlowFilter message: proto (snake_case) name, proto3 JSON name, type, and the lines that have it.');
  out += 'export interface FlowFilterFieldSpec extends PerLine {\n  readonly name: string;\n  readonly jsonName: string;\n  readonly type: string;\n  readonly repeated: boolean;\n}\n\n';
  out += doc(
    'FlowFilter (`flow.proto`) and the messages it references, field by field in declaration order. Cilium decodes filters\n' +
      'with protojson: it accepts the proto or the JSON name and fails the whole flowlogs.yaml on an unknown field.',
  );
  out += 'export const FLOW_FILTER_MESSAGES: Record<string, readonly FlowFilterFieldSpec[]> = {\n';
  for (const [name, m] of Object.entries(messages)) {
    out += `  ${JSON.stringify(name)}: [\n`;
    for (const f of m.fields.values()) {
      out += `    { name: '${f.name}', jsonName: '${f.jsonName}', type: '${f.type}', repeated: ${f.repeated}, lines: ${JSON.stringify(f.lines)} },\n`;
    }
    out += '  ],\n';
  }
  out += '};\n\n';

  // FlowFilter interfaces
  const tsType = (f) => {
    const scalar = {
      string: 'string',
      bool: 'boolean',
      int32: 'number',
      uint32: 'number',
      uint64: 'number | string',
      DropReason: 'DropReason',
      TrafficDirection: 'TrafficDirection',
      Verdict: 'Verdict',
      IPVersion: 'IpVersion',
      EventTypeFilter: 'EventTypeMatch',
      Experimental: 'FlowFilterExperimental',
      Workload: 'FlowFilterWorkload',
      HTTPHeader: 'FlowFilterHttpHeader',
      TCPFlags: 'FlowFilterTcpFlags',
      NetworkInterface: 'FlowFilterNetworkInterface',
    }[f.type];
    if (!scalar) throw new Error(`no TypeScript type for FlowFilter field type ${f.type}`);
    return f.repeated ? `readonly (${scalar})[]` : scalar;
  };
  for (const [name, tsName] of Object.entries(MESSAGE_TS)) {
    const m = messages[name];
    if (!m) throw new Error(`message ${name} missing from flow-filter.json`);
    if (name === 'EventTypeFilter') continue;
    const summary =
      name === 'FlowFilter'
        ? 'The fields of one Hubble FlowFilter, by their proto3 JSON names (rendered with the snake_case proto names Cilium\nprints). All set fields must match (AND); the values of one field are alternatives (OR).'
        : `\`flow.proto\` message \`${name}\`${m.comment ? `: ${m.comment}` : '.'}`;
    out += doc(summary);
    out += `export interface ${tsName} {\n`;
    for (const f of m.fields.values()) {
      out += doc(`${f.comment ? `${f.comment}\n\n` : ''}Proto field \`${f.name}\`. ${since(f.lines, lines)}.\n@default - not filtered on`, '  ');
      out += `  readonly ${f.jsonName}?: ${tsType(f)};\n`;
    }
    out += '}\n\n';
  }

  // Flow-log config keys
  out += doc('Keys of one flow-log entry in flowlogs.yaml (`FlowLogConfig` yaml tags) and the lines whose agent reads them.');
  out += 'export const FLOW_LOG_CONFIG_KEYS: Record<string, PerLine & { readonly goType: string }> = {\n';
  for (const [key, k] of flowLogKeys) out += `  ${key}: { goType: ${JSON.stringify(k.goType)}, lines: ${JSON.stringify(k.lines)} },\n`;
  out += '};\n';
  return out;
}

if (process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  const content = generate();
  const file = join(root, OUTPUT);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== content) {
      console.error(`${OUTPUT} is out of date: run node scripts/generate-hubble-enums.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(file, content);
    console.log(`generate-hubble-enums: wrote ${OUTPUT}`);
  }
}
