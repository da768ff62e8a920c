import { isIP } from 'node:net';
import { RE2JS } from 're2js';
import { isValidLabelKey, isValidLabelValue } from '../core/validation/metadata.js';
import { VersionLine } from '../core/versions.js';

// What the agent accepts in each FlowFilter field when it builds a flow log's filters (cilium pkg/hubble/filters/*.go,
// BuildFilterList; read at v1.16.6, v1.17.5, v1.18.6 and v1.19.4). A value it refuses fails that flow log, which then
// never starts (before 1.16.4 the agent stored a nil exporter and would crash on the first flow). The constructs
// refuse such a value where it is written, and `hubble/invalid-filter-value` reports it in a flowlogs.yaml: both call
// `filterValueProblem` and `filterProblems`, so both judge alike.

/** What a value must be, what the agent does with it, and how to write it right. */
interface ValueGrammar {
  accepts(value: string, cilium?: VersionLine): boolean;
  /** 'a port number from 0 to 65535', read after "is not". */
  readonly what: string;
  /** How the agent reads it, with the upstream function. */
  readonly how: string;
  readonly fix: string;
}

/** Go's net.ParseIP / net.ParseCIDR (1.16), netip.ParseAddr / ParsePrefix (1.17+, which accept a zone on an address). */
export function isFilterAddress(v: string, cilium?: VersionLine): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) {
    const zone = v.indexOf('%');
    if (zone < 0) return isIP(v) !== 0;
    return cilium !== undefined && cilium.compare('1.17') >= 0 && isIP(v.slice(0, zone)) === 6 && zone < v.length - 1;
  }
  // Neither net.ParseCIDR nor netip.ParsePrefix takes a zone (node's isIP does).
  if (v.slice(0, slash).includes('%')) return false;
  const family = isIP(v.slice(0, slash));
  const length = v.slice(slash + 1);
  return family !== 0 && /^\d{1,3}$/.test(length) && Number(length) <= (family === 4 ? 32 : 128);
}

const ADDRESS: ValueGrammar = {
  accepts: isFilterAddress,
  what: 'an IP address or CIDR range',
  how: "parses it with Go's net.ParseIP or net.ParseCIDR (netip from 1.17; pkg/hubble/filters/ip.go)",
  fix: 'Write e.g. "10.0.0.1" or "10.0.0.0/24".',
};

const PORT: ValueGrammar = {
  accepts: (v) => /^\d+$/.test(v) && Number(v) <= 65535,
  what: 'a port number from 0 to 65535',
  how: "parses it with Go's strconv.ParseUint(v, 10, 16) (pkg/hubble/filters/port.go)",
  fix: 'Write one port in decimal, e.g. "443"; ranges and names are not filters.',
};

const PROTOCOLS = ['icmp', 'icmpv4', 'icmpv6', 'tcp', 'udp', 'sctp', 'dns', 'http', 'kafka'];
/** protocol.go at v1.19.4 adds vrrp and igmp. */
const PROTOCOLS_1_19 = ['vrrp', 'igmp'];
function protocolsOf(cilium?: VersionLine): string[] {
  return cilium === undefined || cilium.compare('1.19') >= 0 ? [...PROTOCOLS, ...PROTOCOLS_1_19] : PROTOCOLS;
}

const STATUS = /^[1-5][0-9]{2}$/;
const STATUS_PREFIX = /^[1-5][0-9]?\+$/;

function compilesAsRe2(v: string): boolean {
  try {
    RE2JS.compile(v);
    return true;
  } catch {
    return false;
  }
}

const REGEX: ValueGrammar = {
  accepts: compilesAsRe2,
  what: 'a regular expression in RE2 syntax',
  how: "compiles it with Go's regexp.Compile (pkg/hubble/filters/http.go, fqdn.go)",
  fix: 'Fix the expression (RE2 has no lookaround or backreferences; escape literal characters such as "(" with "\\\\").',
};

/** pkg/hubble/filters/patterns.go: trim, one trailing dot off, lower case; then only `.*-_0-9a-z`, and not empty. */
function isFqdnPattern(v: string): boolean {
  let p = v.trim();
  if (p.endsWith('.')) p = p.slice(0, -1);
  p = p.toLowerCase();
  return p !== '' && !p.endsWith('.') && /^[-.*_0-9a-z]+$/.test(p);
}

const FQDN: ValueGrammar = {
  accepts: isFqdnPattern,
  what: 'an FQDN pattern',
  how: "parses it as a pattern of letters, digits, '.', '-', '_' and '*' (pkg/hubble/filters/fqdn.go, patterns.go)",
  fix: 'Write e.g. "api.example.com" or "*.example.com".',
};

const NODE_NAME: ValueGrammar = {
  // [cluster/]node, each part an FQDN pattern or empty (any); nodename.go, patterns.go.
  accepts: (v) => {
    const parts = v.split('/');
    return v !== '' && parts.length <= 2 && parts.every((p) => p === '' || isFqdnPattern(p));
  },
  what: 'a node name pattern ([cluster/]node)',
  how: 'parses it as at most two FQDN patterns split by "/" (pkg/hubble/filters/nodename.go)',
  fix: 'Write e.g. "worker-*" or "prod/worker-*".',
};

/**
 * A Hubble label filter: a Kubernetes label selector (apimachinery's grammar, the slim copy in Cilium) whose keys get
 * Cilium's source: `app=x` is read as `any.app=x`, `k8s:app=x` as `k8s.app=x` (labelparser.go translateSelector), and
 * the translated key must be a qualified name.
 */
export function isLabelSelector(v: string): boolean {
  // The empty selector is accepted, and matches everything (selector.go Parse).
  if (v === '') return true;
  const requirements: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '(') depth++;
    else if (v[i] === ')') depth--;
    else if (v[i] === ',' && depth === 0) {
      requirements.push(v.slice(start, i));
      start = i + 1;
    }
  }
  requirements.push(v.slice(start));
  return requirements.every(isRequirement);
}

// The Kubernetes selector lexer's whitespace is space, tab, CR and LF only (selector.go isWhitespace), not JavaScript's \s.
const SET_REQUIREMENT = /^[ \t\r\n]*([^ \t\r\n=!<>(),]+)[ \t\r\n]+(in|notin)[ \t\r\n]*\(([^()]*)\)[ \t\r\n]*$/;
const VALUE_REQUIREMENT = /^[ \t\r\n]*([^ \t\r\n=!<>(),]+)[ \t\r\n]*(==|=|!=)[ \t\r\n]*([^ \t\r\n,()]*)[ \t\r\n]*$/;
const ORDER_REQUIREMENT = /^[ \t\r\n]*([^ \t\r\n=!<>(),]+)[ \t\r\n]*(<|>)[ \t\r\n]*([^ \t\r\n,()]+)[ \t\r\n]*$/;
const EXISTS_REQUIREMENT = /^[ \t\r\n]*(!?)[ \t\r\n]*([^ \t\r\n=!<>(),]+)[ \t\r\n]*$/;
/** The largest value strconv.ParseInt(v, 10, 64) takes. */
const INT64_MAX = 9223372036854775807n;

function isRequirement(r: string): boolean {
  let m = SET_REQUIREMENT.exec(r);
  if (m) return isTranslatedKey(m[1]!) && m[3]!.split(',').every((x) => isValidLabelValue(x.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')));
  m = VALUE_REQUIREMENT.exec(r);
  if (m) return isTranslatedKey(m[1]!) && isValidLabelValue(m[3]!);
  m = ORDER_REQUIREMENT.exec(r);
  // NewRequirement checks every value as a label value (so no sign) and a Gt/Lt one with ParseInt(v, 10, 64).
  if (m) return isTranslatedKey(m[1]!) && isValidLabelValue(m[3]!) && /^\d+$/.test(m[3]!) && BigInt(m[3]!) <= INT64_MAX;
  m = EXISTS_REQUIREMENT.exec(r);
  return m !== null && isTranslatedKey(m[2]!);
}

function isTranslatedKey(key: string): boolean {
  const colon = key.indexOf(':');
  const translated = colon < 0 ? `any.${key}` : `${key.slice(0, colon)}.${key.slice(colon + 1)}`;
  return isValidLabelKey(translated);
}

const LABELS: ValueGrammar = {
  accepts: isLabelSelector,
  what: 'a label selector',
  how: 'parses it as a Kubernetes label selector after adding the label source ("app" is read as "any.app"; pkg/hubble/filters/labels.go)',
  fix: 'Write e.g. "app=web", "k8s:app in (web, api)" or "!canary".',
};

const NAME: ValueGrammar = {
  accepts: (v) => v !== '',
  what: 'a name',
  how: 'requires a non-empty one ("invalid filter, name must not be empty", pkg/hubble/filters/k8s.go, cluster_name.go)',
  fix: 'Write e.g. "shop/" (every pod of a namespace) or "shop/web".',
};

const GRAMMARS: Readonly<Record<string, ValueGrammar>> = {
  source_pod: NAME,
  destination_pod: NAME,
  source_service: NAME,
  destination_service: NAME,
  source_cluster_name: NAME,
  destination_cluster_name: NAME,
  source_ip: ADDRESS,
  destination_ip: ADDRESS,
  source_ip_xlated: ADDRESS,
  source_port: PORT,
  destination_port: PORT,
  http_path: REGEX,
  http_url: REGEX,
  dns_query: REGEX,
  source_fqdn: FQDN,
  destination_fqdn: FQDN,
  node_name: NODE_NAME,
  source_label: LABELS,
  destination_label: LABELS,
  node_labels: LABELS,
};

/**
 * Why the agent refuses `value` in FlowFilter field `field` (its proto name), as one sentence, or undefined when it
 * takes it. Values of other types are the decoder's business (and the constructs' type checks).
 */
export function filterValueProblem(field: string, value: string, cilium?: VersionLine): string | undefined {
  if (field === 'protocol') {
    const known = protocolsOf(cilium);
    if (known.includes(value.toLowerCase())) return undefined;
    const later = PROTOCOLS_1_19.includes(value.toLowerCase()) ? ` (${value} from Cilium 1.19)` : '';
    return `${JSON.stringify(value)} is not a protocol the agent filters by${later}: it refuses the filter ("unknown protocol", pkg/hubble/filters/protocol.go), so the flow log never starts. Expected one of: ${known.join(', ')}.`;
  }
  if (field === 'http_status_code') {
    if (STATUS.test(value) || STATUS_PREFIX.test(value)) return undefined;
    return `${JSON.stringify(value)} is not an HTTP status code or code prefix: the agent refuses the filter ("invalid status code prefix", pkg/hubble/filters/http.go), so the flow log never starts. Write a code such as "403", or a prefix such as "5+" or "40+".`;
  }
  const grammar = Object.hasOwn(GRAMMARS, field) ? GRAMMARS[field] : undefined;
  if (!grammar || grammar.accepts(value, cilium)) return undefined;
  return `${JSON.stringify(value)} is not ${grammar.what}: the agent ${grammar.how} and refuses the filter, so the flow log never starts. ${grammar.fix}`;
}

/** The HTTP fields of a FlowFilter, by proto name; each needs L7 events (http.go). */
const HTTP_FIELDS = ['http_status_code', 'http_method', 'http_path', 'http_url', 'http_header'];
/** The monitor message type of L7 access-log events (MessageTypeAccessLog, pkg/monitor/api/types.go). */
const L7_EVENT_TYPE = 129;

/**
 * Problems of a FlowFilter as a whole, in its wire form (proto names): HTTP fields with an event_type that matches no
 * L7 events, which the agent refuses ("filtering by http ... requires the event type filter to only match 'l7'
 * events"). Each with the proto name of the field to point at.
 */
export function filterProblems(filter: Readonly<Record<string, unknown>>): { field: string; message: string }[] {
  const eventTypes = Array.isArray(filter.event_type) ? filter.event_type : [];
  if (eventTypes.length === 0) return [];
  // protojson takes an int32 written as a string too ("129").
  const l7 = eventTypes.some((e) => e !== null && typeof e === 'object' && Number((e as { type?: unknown }).type) === L7_EVENT_TYPE);
  if (l7) return [];
  return HTTP_FIELDS.filter((f) => Array.isArray(filter[f]) && filter[f].length > 0).map((field) => ({
    field,
    message: `filters by ${field} but event_type matches no L7 events: the agent refuses the filter ("filtering by http ... requires the event type filter to only match 'l7' events", pkg/hubble/filters/http.go), so the flow log never starts. Add the L7 event type to event_type ({type: l7} in netsec.yaml, EventTypeMatch.of(MonitorEventType.L7) in TypeScript, {type: 129} in flowlogs.yaml), or remove ${field}.`,
  }));
}
