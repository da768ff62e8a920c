import { RE2JS } from 're2js';
import { Cidr } from '../../cidr/cidr.js';
import { NetsecError } from '../../core/errors.js';
import { Feature } from '../../core/features.js';
import { FqdnSelector } from '../../cilium/fqdn.js';
import { EndpointSelector, LabelExpression } from '../../cilium/selectors.js';
import { LintRule, Severity } from '../rule.js';
import { WireSelector, withoutSource } from '../selectors.js';
import {
  EntryCheck, EntryContext, Problem, RuleCheck, RuleContext, RuleDoc, WireEntry, WireRule, SECTIONS, allRules, directionOf, isDeny,
  coveringRules, isObject, list, namesNamespace, quote, ruleFromCheck, ruleFromEntryCheck,
} from './cilium-wire.js';
import { DNS_SUBDOMAIN } from '../../core/names.js';

// A port of Cilium's agent-side rule validation (`Rule.Sanitize()`, cilium/cilium pkg/policy/api/rule_validation.go,
// http.go, fqdn.go, selector.go), read at the release tags of every supported line: v1.16.15 (75130674), v1.17.14
// (6fc7f972), v1.18.3 (c1601689), v1.19.0-pre.4 (f12299b2; no 1.19 release tag was in the mirrors that could be read,
// so the newest 1.19 pre-release stands in) and v1.20.0-pre.3 (b0ac676c). The API server stores a policy these checks
// refuse; the agent then refuses to import it and the policy is silently absent (domain-notes finding 6). Where the
// lines differ, a check asks the target (`Feature`). Each check is a pure function over one wire rule or one entry,
// shared by the lint rule and by the constructs (`CiliumPolicyBase`), which throw the message at the moment the bad
// rule is added.

/** The CRD enum of entities, identical in 1.16-1.20 (pkg/policy/api/entity.go; domain-notes §B.5). */
export const CILIUM_ENTITIES = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'] as const;
/** rule_validation.go `maxPorts` and `maxICMPFields`. */
export const MAX_PORTS = 40;
export const MAX_ICMP_FIELDS = 40;
/** Protocols without ports (VRRP, IGMP from 1.19; the rest from 1.20): rule_validation.go `isExtendedIPProtocol`. */
const PORTLESS_PROTOCOLS = new Set(['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH']);
/** pkg/iana/svcname.go. */
const IANA_SVC_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;
/** The well-known labels of cluster DNS pods; a CNP peer with them and no namespace selects nothing outside kube-system. */
const DNS_POD_APPS = new Set(['kube-dns', 'coredns', 'node-local-dns', 'nodelocaldns']);
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';

const EGRESS_L3 = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'];
const INGRESS_L3 = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'];

function l3Keys(ctx: EntryContext): string[] {
  return directionOf(ctx.section) === 'egress' ? EGRESS_L3 : INGRESS_L3;
}

/** `toCIDRSet` → `ToCIDRSet`, as the agent names fields in its messages. */
function goName(key: string): string {
  return key[0]!.toUpperCase() + key.slice(1);
}

type PortRule = { ports?: unknown; rules?: unknown; serverNames?: unknown; terminatingTLS?: unknown; originatingTLS?: unknown; listener?: unknown };
type PortProtocol = { port?: unknown; endPort?: unknown; protocol?: unknown };
type L7Rules = { http?: unknown; kafka?: unknown; dns?: unknown; l7proto?: unknown; l7?: unknown };

function portRules(entry: WireEntry): PortRule[] {
  return list<unknown>(entry.toPorts).filter(isObject) as PortRule[];
}

function l7Of(pr: PortRule): L7Rules | undefined {
  return isObject(pr.rules) ? (pr.rules as L7Rules) : undefined;
}

/** pkg/policy/api/l4.go `L7Rules.IsEmpty`: no HTTP, Kafka, DNS or generic L7 rule. */
function l7Empty(rules: L7Rules | undefined): boolean {
  return !rules || list(rules.http).length + list(rules.kafka).length + list(rules.dns).length + list(rules.l7).length === 0;
}

/** The L7 protocols a port rule names (a present list counts even when empty, as `nTypes` in rule_validation.go). */
function l7Types(rules: L7Rules | undefined): string[] {
  if (!rules) return [];
  const out: string[] = [];
  if (rules.http !== undefined && rules.http !== null) out.push('http');
  if (rules.kafka !== undefined && rules.kafka !== null) out.push('kafka');
  if (rules.dns !== undefined && rules.dns !== null) out.push('dns');
  if (typeof rules.l7proto === 'string' && rules.l7proto) out.push(`l7proto ${rules.l7proto}`);
  return out;
}

function hasDns(rules: L7Rules | undefined): boolean {
  return list(rules?.dns).length > 0;
}

/** utils.go `ParseL4Proto`: '' is ANY, case-insensitive. */
function protocolOf(p: PortProtocol): string {
  return typeof p.protocol === 'string' && p.protocol ? p.protocol.toUpperCase() : 'ANY';
}

/** The port as a number when it is one (`strconv.ParseUint` after the IANA name test), a name, or unparsable. */
function parsePort(p: PortProtocol): { kind: 'number'; value: number } | { kind: 'name' } | { kind: 'empty' } | { kind: 'bad' } {
  const text = p.port === undefined || p.port === null ? '' : String(p.port);
  if (text === '') return { kind: 'empty' };
  if (text.length <= 15 && IANA_SVC_NAME.test(text)) return { kind: 'name' };
  if (/^\d+$/.test(text) && Number(text) <= 65535) return { kind: 'number', value: Number(text) };
  return { kind: 'bad' };
}

function endPortOf(p: PortProtocol): number {
  return typeof p.endPort === 'number' ? p.endPort : 0;
}

// ---------------------------------------------------------------------------------------------------------------------

export const L3_SELECTOR_KINDS_MIXED: RuleDoc = {
  id: 'cilium/l3-selector-kinds-mixed',
  severity: Severity.ERROR,
  summary: 'One rule combines two kinds of peer (toEndpoints and toCIDRSet, ...), or ICMP with toPorts: the agent refuses the policy.',
  explanation:
    'Cilium accepts one kind of L3 peer per rule: toEndpoints, toCIDR, toCIDRSet, toEntities, toServices, toGroups, toNodes or toFQDNs ' +
    '(from* likewise). The API server stores a rule that combines two, but the agent refuses it ("combining X and Y is not supported ' +
    'yet") and the whole policy is silently not enforced; the same holds for icmps together with toPorts, and before 1.17 for toServices ' +
    'together with toPorts. Source: cilium pkg/policy/api/rule_validation.go (EgressCommonRule.sanitize, errUnsupportedICMPWithToPorts), ' +
    'v1.16.15-v1.20.0-pre.3; domain-notes §A.1.',
};

export const checkL3SelectorKinds: EntryCheck = (entry, ctx) => {
  const out: Problem[] = [];
  const keys = l3Keys(ctx).filter((k) => !(isDeny(ctx.section) && k === 'toFQDNs'));
  const kinds = keys.filter((k) => list(entry[k]).length > 0);
  if (kinds.length > 1) {
    out.push({
      ruleId: L3_SELECTOR_KINDS_MIXED.id,
      path: `.${kinds[1]}`,
      message: `combines ${kinds.join(' and ')} in one rule; Cilium's agent refuses that ("combining ${goName(kinds[0]!)} and ${goName(kinds[1]!)} is not supported yet"), and the whole policy is then not enforced although the API server stored it. Split it into one rule per peer kind.`,
    });
  }
  if (list(entry.icmps).length > 0 && list(entry.toPorts).length > 0) {
    out.push({
      ruleId: L3_SELECTOR_KINDS_MIXED.id,
      path: '.icmps',
      message: 'is combined with toPorts in one rule; Cilium\'s agent refuses that ("the ICMPs block may only be present without ToPorts"), and the whole policy is then not enforced. Put the ICMP types and the ports into two rules.',
    });
  }
  if (list(entry.toServices).length > 0 && list(entry.toPorts).length > 0 && !ctx.target.has(Feature.CILIUM_TO_SERVICES_WITH_TO_PORTS)) {
    out.push({
      ruleId: L3_SELECTOR_KINDS_MIXED.id,
      path: '.toPorts',
      message: 'is combined with toServices; Cilium before 1.17 refuses that ("combining ToServices and ToPorts is not supported yet", cilium#20067), and the whole policy is then not enforced. Select the Service\'s pods with toEndpoints to limit the ports, or leave toPorts out.',
    });
  }
  return out;
};

export const EMPTY_PEER_LIST: RuleDoc = {
  id: 'cilium/empty-peer-list-selects-nothing',
  severity: Severity.ERROR,
  summary: 'A peer list is present but empty (toEndpoints: []): since Cilium 1.16 it selects nothing.',
  explanation:
    'Since 1.16 an empty, non-nil toEndpoints, toCIDR, toCIDRSet, toEntities (and the from* lists) selects no identity: an allow rule ' +
    'allows nothing, a deny rule denies nothing, and either still switches the selected pods to default-deny. A missing list is a ' +
    'wildcard instead. Generators that emit `[]` "for completeness" change the meaning. Source: cilium Documentation/operations/upgrade.rst ' +
    '(1.16 notes), pkg/policy/api/egress.go; domain-notes §A.1.',
};

export const checkEmptyPeerLists: EntryCheck = (entry, ctx) =>
  l3Keys(ctx)
    .filter((k) => Array.isArray(entry[k]) && (entry[k] as unknown[]).length === 0)
    .map((k) => ({
      ruleId: EMPTY_PEER_LIST.id,
      path: `.${k}`,
      message: `is an empty list, which Cilium (1.16+) reads as "no peer": the rule ${isDeny(ctx.section) ? 'denies' : 'allows'} nothing, yet still switches the selected pods to ${directionOf(ctx.section)} default-deny. Leave ${k} out to match every peer on the rule's ports, or list the peers.`,
    }));

export const EGRESS_EMPTY_RULE: RuleDoc = {
  id: 'cilium/egress-empty-rule-denies-all',
  severity: Severity.WARNING,
  summary: 'A rule with no peer, no port and no ICMP type (`egress: [{}]`) is Cilium deny-all, not the Kubernetes allow-all.',
  explanation:
    'In Cilium `egress: [{}]` (or `ingress: [{}]`) selects nothing: the pods go into default-deny for that direction and nothing is ' +
    "allowed; Cilium's own default-deny example is exactly this. In a Kubernetes NetworkPolicy the same YAML means \"allow all\", so " +
    'rules translated from NetworkPolicies break all traffic. Allow-all is `toEntities: [all]`. An empty deny rule denies nothing and ' +
    'still switches to default-deny. Source: cilium examples/policies/l3/egress-default-deny, cilium-cli all_egress_deny.go; domain-notes §A.1.',
};

export const checkEmptyRule: EntryCheck = (entry, ctx) => {
  const keys = [...l3Keys(ctx), 'toRequires', 'fromRequires', 'toPorts', 'icmps'];
  if (keys.some((k) => entry[k] !== undefined && entry[k] !== null)) return [];
  const direction = directionOf(ctx.section);
  const allowAll = `${direction === 'egress' ? 'toEntities' : 'fromEntities'}: [all]`;
  return [{
    ruleId: EGRESS_EMPTY_RULE.id,
    path: '',
    message: isDeny(ctx.section)
      ? `is an empty ${ctx.section} rule: it denies nothing, yet still switches the selected pods to ${direction} default-deny. Name the peers or ports to deny, or remove it.`
      : `is an empty ${direction} rule: in Cilium it allows nothing and switches the selected pods to ${direction} default-deny, so all their ${direction} traffic that no other rule allows is dropped (in a Kubernetes NetworkPolicy the same YAML means "allow all"). Keep it only if deny-all is intended; allow-all is ${allowAll}.`,
  }];
};

export const DENY_UNSUPPORTED_FIELDS: RuleDoc = {
  id: 'cilium/deny-unsupported-fields',
  severity: Severity.ERROR,
  summary: 'A deny rule uses toFQDNs or L7 fields, which deny rules do not have.',
  explanation:
    'Deny rules have no toFQDNs and their port rules only `ports` (PortDenyRule): no L7 `rules`, serverNames, TLS or listener. The API ' +
    'server prunes those fields, and what is left denies something else than written: every peer on the ports, or nothing while still ' +
    'switching the pods to default-deny. Source: cilium Documentation/security/policy/deny.rst, pkg/policy/api/egress.go, l4.go; ' +
    'domain-notes §A.2.',
};

export const checkDenyFields: EntryCheck = (entry, ctx) => {
  if (!isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  const direction = directionOf(ctx.section);
  if (entry.toFQDNs !== undefined && entry.toFQDNs !== null) {
    out.push({
      ruleId: DENY_UNSUPPORTED_FIELDS.id,
      path: '.toFQDNs',
      message: `is not a field of deny rules (Cilium has no FQDN deny): the API server drops it, and the rest of the rule then denies every peer on its ports, or nothing while still switching the pods to ${direction} default-deny. Deny the addresses with toCIDRSet (or a CiliumCIDRGroup), or allow only the names wanted.`,
    });
  }
  portRules(entry).forEach((pr, i) => {
    for (const field of ['rules', 'serverNames', 'terminatingTLS', 'originatingTLS', 'listener'] as const) {
      if (pr[field] === undefined || pr[field] === null) continue;
      out.push({
        ruleId: DENY_UNSUPPORTED_FIELDS.id,
        path: `.toPorts[${i}].${field}`,
        message: `is not a field of deny port rules, which have only 'ports': the API server drops it, and the rule then denies all traffic on those ports. Use an allow rule${field === 'rules' ? ' with L7 rules' : ''} instead.`,
      });
    }
  });
  if (entry.authentication !== undefined) {
    out.push({ ruleId: DENY_UNSUPPORTED_FIELDS.id, path: '.authentication', message: 'is not a field of deny rules: the API server drops it. Move it to an allow rule.' });
  }
  return out;
};

export const L7_HTTP_REQUIRES_TCP: RuleDoc = {
  id: 'cilium/l7-http-requires-tcp',
  severity: Severity.ERROR,
  summary: 'HTTP (or other non-DNS L7) rules on a port whose protocol is not TCP; an omitted protocol is ANY.',
  explanation:
    'L7 rules other than DNS need `protocol: TCP` on every port of their port rule, written out: an omitted protocol is ANY, and the agent ' +
    'refuses the policy ("L7 rules can only apply to TCP (not ANY) except for DNS rules"). Source: cilium pkg/policy/api/utils.go ' +
    '(ParseL4Proto), rule_validation.go (PortRule.sanitize), rule_validation_test.go TestL7RulesWithNonTCPProtocols; domain-notes §A.4.',
};

export const checkL7Tcp: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  portRules(entry).forEach((pr, i) => {
    const rules = l7Of(pr);
    if (l7Empty(rules) || hasDns(rules)) return;
    const ports = list<PortProtocol>(pr.ports).filter(isObject);
    if (list(rules!.http).length > 0 && ports.length === 0) {
      out.push({ ruleId: L7_HTTP_REQUIRES_TCP.id, path: `.toPorts[${i}]`, message: "has HTTP rules but no ports; HTTP rules need the TCP ports they apply to (ports: [{port: '80', protocol: TCP}])." });
    }
    ports.forEach((p, j) => {
      const proto = protocolOf(p);
      if (proto === 'TCP') return;
      const written = typeof p.protocol === 'string' && p.protocol;
      out.push({
        ruleId: L7_HTTP_REQUIRES_TCP.id,
        path: `.toPorts[${i}].ports[${j}]${written ? '.protocol' : ''}`,
        message: `${written ? `has protocol ${String(p.protocol)}` : 'has no protocol, which Cilium reads as ANY'}, but the port rule has ${l7Types(rules).join(' and ')} rules, which need protocol TCP on every port; Cilium's agent refuses that ("L7 rules can only apply to TCP (not ${proto}) except for DNS rules"), and the whole policy is then not enforced. Set protocol: TCP.`,
      });
    });
  });
  return out;
};

export const L7_PORT_RULE_SHAPE: RuleDoc = {
  id: 'cilium/l7-port-rule-shape',
  severity: Severity.ERROR,
  summary: 'A port rule with L7 rules that the agent refuses: two L7 protocols, port 0, server names without TLS termination, a listener.',
  explanation:
    'Each port rule carries one L7 protocol ("multiple L7 protocol rule types specified in single rule"); L7 rules need named ports, not ' +
    'port 0; serverNames together with L7 rules need terminatingTLS; server names must not be empty; a listener is allowed only on ' +
    'egress and never with L7 rules; `l7` needs `l7proto`; before 1.17 no L7 rule takes a port range. The agent refuses such policies. ' +
    'Source: cilium pkg/policy/api/rule_validation.go (PortRule.sanitize, L7Rules.sanitize) v1.16.15-v1.20.0-pre.3; domain-notes §A.4.',
};

export const checkL7PortRule: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  const problem = (path: string, message: string) => out.push({ ruleId: L7_PORT_RULE_SHAPE.id, path, message });
  portRules(entry).forEach((pr, i) => {
    const at = `.toPorts[${i}]`;
    const rules = l7Of(pr);
    const empty = l7Empty(rules);
    const types = l7Types(rules);
    if (!empty && types.length > 1) {
      problem(`${at}.rules`, `has ${types.join(' and ')} rules; a port rule carries one L7 protocol, and Cilium's agent refuses more ("multiple L7 protocol rule types specified in single rule"). Use one port rule per L7 protocol.`);
    }
    if (rules && rules.l7 !== undefined && rules.l7 !== null && !(typeof rules.l7proto === 'string' && rules.l7proto)) {
      problem(`${at}.rules.l7`, "needs l7proto; Cilium's agent refuses 'l7' alone (\"'l7' may only be specified when a 'l7proto' is also specified\"). Name the parser in l7proto.");
    }
    list<unknown>(rules?.l7).forEach((r, k) => {
      if (isObject(r) && Object.keys(r).includes('')) problem(`${at}.rules.l7[${k}]`, 'has an empty key; Cilium\'s agent refuses that ("Empty key not allowed"). Name every field of the generic L7 rule.');
    });
    const serverNames = list(pr.serverNames);
    if (serverNames.length > 0 && !empty && (pr.terminatingTLS === undefined || pr.terminatingTLS === null)) {
      problem(`${at}.serverNames`, 'are combined with L7 rules without terminatingTLS; Cilium\'s agent refuses that ("ServerNames are not allowed with L7 rules without TLS termination"). Add terminatingTLS, or match the server names in a port rule without L7 rules.');
    }
    serverNames.forEach((sn, k) => {
      if (sn === '') problem(`${at}.serverNames[${k}]`, 'is empty; Cilium\'s agent refuses empty server names ("empty server name is not allowed"). Remove it.');
    });
    if (isObject(pr.listener)) {
      const name = String((pr.listener as { name?: unknown }).name ?? '');
      if (directionOf(ctx.section) === 'ingress') problem(`${at}.listener`, `is on ingress; Cilium allows a listener only on egress ("Listener is not allowed on ingress (${name})").`);
      if (!empty) problem(`${at}.listener`, `is combined with L7 rules; Cilium refuses that ("Listener is not allowed with L7 rules (${name})"). Use a listener or L7 rules.`);
    }
    if (empty) return;
    list<PortProtocol>(pr.ports).filter(isObject).forEach((p, j) => {
      const port = parsePort(p);
      if (port.kind === 'number' && port.value === 0) {
        problem(`${at}.ports[${j}].port`, "is '0' (every port), but the port rule has L7 rules; Cilium's agent refuses that (\"L7 rules can not be used when a port is 0\"). Name the ports the L7 rules apply to.");
      }
      if (port.kind === 'number' && endPortOf(p) > port.value && !hasDns(rules) && !ctx.target.has(Feature.CILIUM_L7_PORT_RANGES)) {
        problem(`${at}.ports[${j}].endPort`, `makes a port range on a port rule with ${types.join(' and ')} rules; Cilium before 1.17 refuses that ("L7 rules do not support port ranges"). List single ports.`);
      }
    });
  });
  return out;
};

export const DNS_RULE_SHAPE: RuleDoc = {
  id: 'cilium/dns-rule-shape',
  severity: Severity.ERROR,
  summary: 'A DNS L7 rule without a port, with a port range, on SCTP, or on ingress.',
  explanation:
    'DNS rules (`toPorts[].rules.dns`) go to the DNS proxy on the ports they name: the agent refuses them without a port ("port 53 must ' +
    'be specified for DNS rules"), with a port range ("DNS rules do not support port ranges") and on ingress ("DNS rules are not allowed ' +
    'on ingress"). DNS runs over UDP and TCP; netsec also refuses SCTP. Source: cilium pkg/policy/api/rule_validation.go, ' +
    'rule_validation_test.go (TestPortRangesNotAllowedWithDNSRules, TestL7RuleDirectionalitySupport); domain-notes §A.2, §B.4.',
};

export const checkDnsRuleShape: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  portRules(entry).forEach((pr, i) => {
    const rules = l7Of(pr);
    if (!hasDns(rules)) return;
    const at = `.toPorts[${i}]`;
    if (directionOf(ctx.section) === 'ingress') {
      out.push({ ruleId: DNS_RULE_SHAPE.id, path: `${at}.rules.dns`, message: 'is on ingress; DNS rules filter the queries a pod sends, so Cilium allows them on egress only ("DNS rules are not allowed on ingress"). Move them to the egress rule towards the DNS server.' });
    }
    const ports = list<PortProtocol>(pr.ports).filter(isObject);
    if (ports.length === 0) {
      out.push({ ruleId: DNS_RULE_SHAPE.id, path: at, message: "has DNS rules but no ports; Cilium's agent refuses that (\"port 53 must be specified for DNS rules\"). Add ports: [{port: '53', protocol: ANY}]." });
    }
    ports.forEach((p, j) => {
      const port = parsePort(p);
      if (port.kind === 'number' && endPortOf(p) > port.value) {
        out.push({ ruleId: DNS_RULE_SHAPE.id, path: `${at}.ports[${j}].endPort`, message: `makes ${port.value}-${endPortOf(p)} a port range; Cilium's agent refuses ranges with DNS rules ("DNS rules do not support port ranges"). Name port 53 alone.` });
      }
      if (protocolOf(p) === 'SCTP') {
        out.push({ ruleId: DNS_RULE_SHAPE.id, path: `${at}.ports[${j}].protocol`, message: 'is SCTP, but DNS runs over UDP and TCP. Use protocol ANY, or one port each for UDP and TCP.' });
      }
    });
  });
  return out;
};

export const HOST_POLICY_L7: RuleDoc = {
  id: 'cilium/host-policy-l7',
  severity: Severity.ERROR,
  summary: 'A host policy (nodeSelector) with L7 rules the agent refuses: any on ingress, HTTP on egress, DNS before 1.17.',
  explanation:
    'Host policies cannot carry L7 rules on ingress ("L7 policy is not supported on host ingress yet") nor HTTP on egress ("L7 protocol ' +
    'HTTP is not supported on host egress yet"); DNS rules on host egress are accepted from 1.17 (beta), refused before ("host policies ' +
    'do not support L7 rules yet"). Source: cilium pkg/policy/api/rule_validation.go, TestL7RulesWithNodeSelector at v1.16.15 and ' +
    'v1.17.14; Documentation/security/policy/host.rst; domain-notes §A.4.',
};

export const checkHostPolicyL7: EntryCheck = (entry, ctx) => {
  if (!ctx.hostPolicy || isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  portRules(entry).forEach((pr, i) => {
    const rules = l7Of(pr);
    if (l7Empty(rules)) return;
    const types = l7Types(rules);
    const dnsOnly = types.length === 1 && types[0] === 'dns';
    if (directionOf(ctx.section) === 'egress' && dnsOnly && ctx.target.has(Feature.CILIUM_HOST_POLICY_DNS_L7)) return;
    const quoteMsg = !ctx.target.has(Feature.CILIUM_HOST_POLICY_DNS_L7)
      ? 'host policies do not support L7 rules yet'
      : directionOf(ctx.section) === 'ingress' ? 'L7 policy is not supported on host ingress yet' : `L7 protocol ${types.filter((t) => t !== 'dns').join(', ').toUpperCase()} is not supported on host egress yet`;
    out.push({
      ruleId: HOST_POLICY_L7.id,
      path: `.toPorts[${i}].rules`,
      message: `has ${types.join(' and ')} rules in a host policy (nodeSelector); Cilium's agent refuses that on this line ("${quoteMsg}"), and the whole policy is then not enforced. Remove the L7 rules, or select pods with an endpointSelector instead.`,
    });
  });
  return out;
};

export const PORT_RULE_SHAPE: RuleDoc = {
  id: 'cilium/port-rule-shape',
  severity: Severity.ERROR,
  summary: 'Ports and ICMP types the agent refuses: more than 40, unparsable, a port on a portless protocol, a wrong ICMP family.',
  explanation:
    'A port rule takes at most 40 ports and an ICMP rule at most 40 fields (the agent refuses more; from 1.16 the API server too). A port ' +
    'is a number 0-65535 or an IANA service name ("unable to parse port"); VRRP, IGMP and the other portless protocols take port 0 or none; ' +
    'an ICMP family is IPv4 or IPv6. netsec also refuses an endPort below its port. Source: cilium pkg/policy/api/rule_validation.go ' +
    '(maxPorts, maxICMPFields, PortProtocol.sanitize, ICMPRule.verify), pkg/iana/svcname.go; domain-notes §B.4.',
};

export const checkPortRuleShape: EntryCheck = (entry) => {
  const out: Problem[] = [];
  const problem = (path: string, message: string) => out.push({ ruleId: PORT_RULE_SHAPE.id, path, message });
  portRules(entry).forEach((pr, i) => {
    const ports = list<PortProtocol>(pr.ports);
    if (ports.length > MAX_PORTS) {
      problem(`.toPorts[${i}].ports`, `has ${ports.length} ports; Cilium accepts at most ${MAX_PORTS} per port rule ("too many ports, the max is ${MAX_PORTS}"; the API server refuses more from 1.16 on). Split the ports over several port rules.`);
    }
    ports.forEach((p, j) => {
      if (!isObject(p)) return;
      const at = `.toPorts[${i}].ports[${j}]`;
      const proto = protocolOf(p);
      const port = parsePort(p);
      if (PORTLESS_PROTOCOLS.has(proto)) {
        if (!(port.kind === 'empty' || (port.kind === 'number' && port.value === 0))) {
          problem(`${at}.port`, `is ${quote(p.port)}, but protocol ${proto} has no ports; Cilium's agent refuses that ("port must be empty or 0"). Use port '0' or leave it out.`);
        }
        return;
      }
      if (port.kind === 'empty') problem(at, "has no port; Cilium's agent refuses that (\"port must be specified\"). Use '0' for every port.");
      if (port.kind === 'bad') {
        problem(`${at}.port`, `${quote(p.port)} is neither a port number (0-65535) nor a port name (an IANA service name: at most 15 letters, digits and '-', with at least one letter); Cilium's agent refuses it ("unable to parse port").`);
      }
      const end = endPortOf(p);
      if (port.kind === 'number' && end > 0 && end < port.value) {
        problem(`${at}.endPort`, `is ${end}, below port ${port.value}, so it is no range. Did you mean port ${end} with endPort ${port.value}?`);
      }
    });
  });
  list<unknown>(entry.icmps).forEach((icmp, k) => {
    if (!isObject(icmp)) return;
    const fields = list<unknown>(icmp.fields);
    if (fields.length > MAX_ICMP_FIELDS) {
      problem(`.icmps[${k}].fields`, `has ${fields.length} ICMP fields; Cilium accepts at most ${MAX_ICMP_FIELDS} ("too many types, the max is ${MAX_ICMP_FIELDS}"). Split them over several ICMP rules.`);
    }
    fields.forEach((f, l) => {
      const family = isObject(f) ? f.family : undefined;
      if (family !== undefined && family !== '' && family !== 'IPv4' && family !== 'IPv6') {
        problem(`.icmps[${k}].fields[${l}].family`, `${quote(family)} is not an ICMP family; expected IPv4 or IPv6 (Cilium's agent: "wrong family: ${String(family)}").`);
      }
    });
  });
  return out;
};

export const CIDR_RULE_SHAPE: RuleDoc = {
  id: 'cilium/cidr-rule-shape',
  severity: Severity.ERROR,
  summary: 'A CIDR peer the agent refuses: not a prefix, not exactly one of cidr/cidrGroupRef/cidrGroupSelector, an except outside the cidr.',
  explanation:
    'toCIDR items are IP addresses or prefixes. A toCIDRSet entry takes exactly one of cidr (a prefix: address/length), cidrGroupRef (a ' +
    'CiliumCIDRGroup name) and cidrGroupSelector; each except prefix must lie inside cidr, in the same family and at least as long ' +
    '(1.20 refuses a shorter one; earlier lines accept it and the rule then matches nothing). Source: cilium pkg/policy/api/rule_validation.go ' +
    '(CIDR.sanitize, CIDRRule.sanitize), TestCIDRsanitize at v1.17.14 and v1.20.0-pre.3, cidr.go; domain-notes §A.3, §B.6.',
};

function parseCidrText(text: string): Cidr | undefined {
  try {
    return Cidr.parse(text.trim(), { lenient: true });
  } catch {
    return undefined;
  }
}

/**
 * The problems of one `toCIDRSet`/`fromCIDRSet` entry, at paths relative to it. Exported for `Peer.cidr()` and
 * `Peer.cidrGroup()`, which build such entries.
 */
export function cidrRuleProblems(rule: Record<string, unknown>, target: RuleContext['target']): Problem[] {
  const out: Problem[] = [];
  const problem = (path: string, message: string, ruleId = CIDR_RULE_SHAPE.id) => out.push({ ruleId, path, message });
  const set = (['cidr', 'cidrGroupRef', 'cidrGroupSelector'] as const).filter((k) => (k === 'cidrGroupSelector' ? isObject(rule[k]) : typeof rule[k] === 'string' && rule[k] !== ''));
  if (set.length === 0) problem('', 'names none of cidr, cidrGroupRef and cidrGroupSelector; Cilium\'s agent refuses such a CIDR rule ("one of cidr, cidrGroupRef, or cidrGroupSelector is required"). Add one.');
  if (set.length > 1) problem(`.${set[1]}`, `is set together with ${set[0]}; a CIDR rule takes exactly one of cidr, cidrGroupRef and cidrGroupSelector ("more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set"). Use one entry for each.`);
  const except = list<unknown>(rule.except);
  if (typeof rule.cidrGroupRef === 'string' && rule.cidrGroupRef !== '' && (rule.cidrGroupRef.length > 253 || !DNS_SUBDOMAIN.test(rule.cidrGroupRef))) {
    problem('.cidrGroupRef', `${quote(rule.cidrGroupRef)} is not a CiliumCIDRGroup name; expected a DNS-1123 subdomain of at most 253 characters (lower-case letters, digits, '-' and '.').`);
  }
  if ((set.includes('cidrGroupRef') || set.includes('cidrGroupSelector')) && except.length > 0 && !target.has(Feature.CILIUM_CIDR_GROUP_REF_EXCEPT)) {
    problem('.except', `is combined with ${set.includes('cidrGroupRef') ? 'cidrGroupRef' : 'cidrGroupSelector'}; Cilium before 1.17 refuses that ("ExceptCIDRs cannot be used in combination with CIDRGroupRef"; earlier patches crashed the agent, cilium#36494). Deny the holes with a separate rule, or run Cilium 1.17 or later.`, CIDRGROUP_EXCEPT_VERSION.id);
  }
  if (typeof rule.cidr !== 'string' || rule.cidr === '') return out;
  const outer = rule.cidr.includes('/') ? parseCidrText(rule.cidr) : undefined;
  if (!outer) {
    problem('.cidr', `${quote(rule.cidr)} is not a prefix; a CIDR rule needs address/length such as '10.0.0.0/8' (Cilium's agent: "unable to parse CIDRRule"). For one address write /32 (IPv4) or /128 (IPv6).`);
    return out;
  }
  except.forEach((e, n) => {
    const inner = typeof e === 'string' && e.includes('/') ? parseCidrText(e) : undefined;
    if (!inner) {
      problem(`.except[${n}]`, `${quote(e)} is not a prefix; expected address/length such as '10.96.0.0/12' inside ${String(rule.cidr)}.`);
    } else if (!outer.contains(inner)) {
      const wider = inner.family === outer.family && inner.length < outer.length && inner.contains(outer);
      problem(`.except[${n}]`, wider
        ? `${quote(e)} is wider than cidr '${String(rule.cidr)}', so it removes the whole cidr and the rule matches nothing (Cilium 1.20 refuses it: "allow CIDR prefix ${String(rule.cidr)} does not contain exclude CIDR prefix ${String(e)}"). Except only parts of the cidr.`
        : `${quote(e)} is not inside cidr '${String(rule.cidr)}'; an except prefix must be part of the cidr, in the same family (Cilium's agent: "allow CIDR prefix ${String(rule.cidr)} does not contain exclude CIDR prefix ${String(e)}"). Remove it, or fix the cidr.`);
    }
  });
  return out;
}

export const CIDRGROUP_EXCEPT_VERSION: RuleDoc = {
  id: 'cilium/cidrgroup-except-version',
  severity: Severity.ERROR,
  summary: 'except together with cidrGroupRef before Cilium 1.17.',
  explanation:
    '`except` together with `cidrGroupRef` crashed the agent on 1.16 and older; the backports refuse it ("ExceptCIDRs cannot be used in ' +
    'combination with CIDRGroupRef"). From 1.17 it works (cilium-cli runs client-egress-to-cidrgroup-deny only from 1.17). Source: ' +
    'cilium#36494, PRs #36559-#36561; cilium pkg/policy/k8s/cilium_cidr_group.go at v1.16.15; domain-notes §A.3.',
};

function cidrEntryProblems(entry: WireEntry, ctx: EntryContext): Problem[] {
  const prefix = directionOf(ctx.section) === 'egress' ? 'to' : 'from';
  const out: Problem[] = [];
  list<unknown>(entry[`${prefix}CIDR`]).forEach((c, k) => {
    if (typeof c !== 'string' || !parseCidrText(c)) {
      out.push({ ruleId: CIDR_RULE_SHAPE.id, path: `.${prefix}CIDR[${k}]`, message: `${quote(c)} is not an IP address or prefix; Cilium's agent refuses it ("unable to parse CIDR"). Write a prefix such as '192.0.2.0/24'.` });
    }
  });
  list<unknown>(entry[`${prefix}CIDRSet`]).forEach((r, k) => {
    if (!isObject(r)) return;
    for (const p of cidrRuleProblems(r, ctx.target)) out.push({ ...p, path: `.${prefix}CIDRSet[${k}]${p.path}` });
  });
  return out;
}

export const checkCidrRuleShape: EntryCheck = (entry, ctx) => cidrEntryProblems(entry, ctx).filter((p) => p.ruleId === CIDR_RULE_SHAPE.id);
export const checkCidrGroupExcept: EntryCheck = (entry, ctx) => cidrEntryProblems(entry, ctx).filter((p) => p.ruleId === CIDRGROUP_EXCEPT_VERSION.id);

export const UNKNOWN_ENTITY: RuleDoc = {
  id: 'cilium/unknown-entity',
  severity: Severity.ERROR,
  summary: 'toEntities/fromEntities names something that is not a Cilium entity.',
  explanation:
    `Entities are ${CILIUM_ENTITIES.join(', ')} (the CRD enum, the same in 1.16-1.20). world-ipv4 and world-ipv6 exist inside Cilium, but ` +
    'the API server refuses them. Source: cilium pkg/policy/api/entity.go; domain-notes §A.1, §B.5.',
};

/** Why `entity` is not a Cilium entity, or undefined when it is one. Exported for `Peer.entity()`. */
export function unknownEntityMessage(entity: unknown): string | undefined {
  if (typeof entity === 'string' && (CILIUM_ENTITIES as readonly string[]).includes(entity)) return undefined;
  const hint = entity === 'world-ipv4' || entity === 'world-ipv6' ? ' (it exists inside Cilium, but the API server refuses it; use world, or toCIDR 0.0.0.0/0 or ::/0)' : '';
  return `${quote(entity)} is not a Cilium entity${hint}; expected one of ${CILIUM_ENTITIES.join(', ')}.`;
}

export const checkEntities: EntryCheck = (entry, ctx) => {
  const key = `${directionOf(ctx.section) === 'egress' ? 'to' : 'from'}Entities`;
  return list<unknown>(entry[key]).flatMap((e, k) => {
    const message = unknownEntityMessage(e);
    return message ? [{ ruleId: UNKNOWN_ENTITY.id, path: `.${key}[${k}]`, message }] : [];
  });
};

export const REMOVED_FIELDS: RuleDoc = {
  id: 'cilium/removed-fields',
  severity: Severity.ERROR,
  summary: "Fields the target's Cilium line no longer has: toRequires/fromRequires (removed in 1.19), Kafka and generic L7 rules (removed in 1.20).",
  explanation:
    'toRequires and fromRequires were deprecated in 1.17 and removed in 1.19 (the CRD refuses any entry; a warning on 1.17 and 1.18). ' +
    'rules.kafka, rules.l7 and rules.l7proto were removed in 1.20: the API server drops them, and the port rule then allows every request ' +
    'on its ports. Source: cilium Documentation/security/policy/layer3.rst, pkg/policy/api/egress.go (ToRequires MaxItems=0), ' +
    'Documentation/operations/upgrade.rst 1.19 and 1.20 notes, rule_validation.go at v1.20.0-pre.3; domain-notes §A.1.',
};

export const checkRemovedFields: EntryCheck = (entry, ctx) => {
  const out: Problem[] = [];
  const key = directionOf(ctx.section) === 'egress' ? 'toRequires' : 'fromRequires';
  if (entry[key] !== undefined && entry[key] !== null) {
    const removed = !ctx.target.has(Feature.CILIUM_REQUIRES_SELECTORS);
    out.push({
      ruleId: REMOVED_FIELDS.id,
      path: `.${key}`,
      ...(removed ? {} : { severity: Severity.WARNING }),
      message: removed
        ? `was removed in Cilium 1.19: the API server refuses the policy. Express the requirement in the rule's peers (every selector of ${key} added to each peer selector) instead.`
        : `is deprecated since Cilium 1.17 and removed in 1.19, where the API server refuses the policy. Express the requirement in the rule's peers instead.`,
    });
  }
  if (!isDeny(ctx.section) && !ctx.target.has(Feature.CILIUM_L7_KAFKA_AND_GENERIC)) {
    portRules(entry).forEach((pr, i) => {
      const rules = l7Of(pr);
      for (const field of ['kafka', 'l7proto', 'l7'] as const) {
        if (rules?.[field] === undefined || rules[field] === null) continue;
        out.push({
          ruleId: REMOVED_FIELDS.id,
          path: `.toPorts[${i}].rules.${field}`,
          message: `was removed in Cilium 1.20: the API server drops it, and the port rule then allows every request on its ports. Remove it, and enforce the protocol another way.`,
        });
      }
    });
  }
  return out;
};

export const FQDN_SELECTOR_SHAPE: RuleDoc = {
  id: 'cilium/fqdn-selector-shape',
  severity: Severity.ERROR,
  summary: 'A toFQDNs or rules.dns selector that is not exactly one valid matchName or matchPattern.',
  explanation:
    'An FQDN selector takes exactly one of matchName (letters, digits, "-", "_" and dots) and matchPattern (the same and "*"), at most 255 ' +
    'characters; no scheme, port or path. netsec also refuses "**" anywhere but a leading "**.", where Cilium reads it as "*". Source: ' +
    'cilium pkg/policy/api/fqdn.go (FQDNSelector.sanitize, PortRuleDNS.Sanitize), pkg/fqdn/matchpattern/matchpattern.go; domain-notes §B.3.',
};

/** The FQDN selectors of an entry (toFQDNs and every rules.dns), with paths relative to the entry. */
export function fqdnSelectorsOf(entry: WireEntry): { selector: Record<string, unknown>; path: string; where: 'toFQDNs' | 'dns' }[] {
  const out: { selector: Record<string, unknown>; path: string; where: 'toFQDNs' | 'dns' }[] = [];
  list<unknown>(entry.toFQDNs).forEach((s, k) => isObject(s) && out.push({ selector: s, path: `.toFQDNs[${k}]`, where: 'toFQDNs' }));
  portRules(entry).forEach((pr, i) => {
    list<unknown>(l7Of(pr)?.dns).forEach((s, k) => isObject(s) && out.push({ selector: s, path: `.toPorts[${i}].rules.dns[${k}]`, where: 'dns' }));
  });
  return out;
}

/** The selector as a `FqdnSelector`, or why it is not one (the construct factories are the one grammar). */
export function parseFqdnSelector(s: Record<string, unknown>): { selector: FqdnSelector } | { path: string; message: string } {
  const name = s.matchName;
  const pattern = s.matchPattern;
  const has = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (has(name) && has(pattern)) return { path: '', message: "sets both matchName and matchPattern; Cilium's agent refuses that (\"only one of MatchName or MatchPattern is allowed in an FQDNSelector\"). Use one selector for each." };
  if (!has(name) && !has(pattern)) return { path: '', message: 'sets neither matchName nor matchPattern; add the name or pattern to match.' };
  const field = has(name) ? 'matchName' : 'matchPattern';
  const value = has(name) ? name : pattern;
  if (typeof value !== 'string') return { path: `.${field}`, message: `${quote(value)} is not a string.` };
  try {
    return { selector: field === 'matchName' ? FqdnSelector.matchName(value) : FqdnSelector.matchPattern(value) };
  } catch (err) {
    if (!(err instanceof NetsecError)) throw err;
    return { path: `.${field}`, message: err.message.replace(/^FqdnSelector\.match(Name|Pattern)\('.*?'\): /s, '') };
  }
}

export const checkFqdnSelectors: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  return fqdnSelectorsOf(entry).flatMap(({ selector, path }) => {
    const parsed = parseFqdnSelector(selector);
    return 'message' in parsed ? [{ ruleId: FQDN_SELECTOR_SHAPE.id, path: `${path}${parsed.path}`, message: parsed.message }] : [];
  });
};

export const FQDN_MULTILEVEL_WILDCARD_VERSION: RuleDoc = {
  id: 'cilium/fqdn-multilevel-wildcard-version',
  severity: Severity.ERROR,
  summary: "An FQDN pattern that means something else before Cilium 1.19: '**.' (any number of labels), '*.', '**' (match-all).",
  explanation:
    'Cilium 1.19 (PRs #43420, #43913) made a leading "**." match one or more whole labels and every pattern of only "*" (with an optional ' +
    'final dot) match every name. Before 1.19 only "*" matches every name; "**.cilium.io" matches one label like "*.cilium.io", and "*.", ' +
    '"**" and "**." match single-label names only. Source: cilium pkg/fqdn/matchpattern/matchpattern.go at v1.18.3 and v1.19.0-pre.4, ' +
    'matchpattern_test.go; domain-notes §A.2, §B.3.',
};

/** Why a pattern means something else on the target's line than from 1.19, or undefined. Exported for the constructs. */
export function multilevelWildcardMessage(selector: FqdnSelector, target: RuleContext['target']): string | undefined {
  if (!selector.usesMultilevelWildcard || target.has(Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD)) return undefined;
  const value = selector.value.trim();
  if (/^\*+\.?$/.test(value)) {
    return `'${value}' matches every name only from Cilium 1.19; on the target's line only '*' does, and '${value}' matches single-label names only. Use '*'.`;
  }
  const single = value.replace(/^\*+\./, '*.');
  return `'${value}' matches any number of subdomain levels only from Cilium 1.19; on the target's line it matches exactly one label, like '${single}'. Use '${single}' and list deeper names separately, or run Cilium 1.19 or later.`;
}

export const checkMultilevelWildcard: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  return fqdnSelectorsOf(entry).flatMap(({ selector, path }) => {
    const parsed = parseFqdnSelector(selector);
    if (!('selector' in parsed)) return [];
    const message = multilevelWildcardMessage(parsed.selector, ctx.target);
    return message ? [{ ruleId: FQDN_MULTILEVEL_WILDCARD_VERSION.id, path: `${path}.matchPattern`, message }] : [];
  });
};

export const FQDN_MATCH_ALL: RuleDoc = {
  id: 'cilium/fqdn-match-all',
  severity: Severity.WARNING,
  summary: 'A toFQDNs pattern of only "*" allows every address the pods have resolved: in effect, world.',
  explanation:
    'A matchPattern of only "*" characters (with an optional final dot) "inserts all cached DNS IPs into this rule": every destination ' +
    "the pod managed to resolve is allowed, which for resolvable hosts is toEntities: world by another name. AKS Advanced Container " +
    'Networking refuses a universal "*". In rules.dns the same pattern is the usual way to keep DNS visible and is not flagged. Source: ' +
    'cilium Documentation/security/policy/language.rst (layer 3, DNS based), pkg/fqdn/matchpattern/matchpattern.go; domain-notes §A.2.',
};

export const FQDN_IN_CLUSTER_NAME: RuleDoc = {
  id: 'cilium/fqdn-in-cluster-name',
  severity: Severity.WARNING,
  summary: 'A toFQDNs name of a Service inside the cluster (*.svc.cluster.local): toFQDNs does not apply to in-cluster IPs.',
  explanation:
    '"If the resolved IPs are IPs within the Kubernetes cluster, the ToFQDN rule will not apply to that IP", so a toFQDNs rule for a ' +
    'Service name (name.namespace.svc.cluster.local, or .svc. under another cluster domain) allows nothing for the addresses of pods ' +
    'Cilium manages. Only a Service whose endpoints lie outside the cluster (an ExternalName or a headless Service over outside or ' +
    'unmanaged addresses, as cilium-cli\'s echo-external-node) is reached this way. Select the pods with toEndpoints (or the Service ' +
    'with toServices). Source: cilium pkg/policy/api/egress.go (ToFQDNs), Documentation/security/policy ' +
    '(DNS based rules are meant for external connections); domain-notes §A.2.',
};

/** A toFQDNs selector that reaches further, or elsewhere, than its author meant. */
export const checkFqdnReach: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  return fqdnSelectorsOf(entry).filter((f) => f.where === 'toFQDNs').flatMap(({ selector, path }): Problem[] => {
    const parsed = parseFqdnSelector(selector);
    if (!('selector' in parsed)) return [];
    const field = selector.matchName !== undefined && selector.matchName !== '' ? 'matchName' : 'matchPattern';
    const value = parsed.selector.value.trim().toLowerCase();
    if (field === 'matchPattern' && /^\*+\.?$/.test(value)) {
      return [{ ruleId: FQDN_MATCH_ALL.id, path: `${path}.matchPattern`, message: `'${value}' matches every name, so the rule allows every address these pods have resolved: in effect the whole world. List the names (matchName) or a domain (matchPattern: '*.example.com'), or write toEntities: [world] if that is meant.` }];
    }
    if (/\.svc(\.|$)/.test(value.replace(/\.$/, '')) || /(^|\.)cluster\.local\.?$/.test(value)) {
      return [{ ruleId: FQDN_IN_CLUSTER_NAME.id, path: `${path}.${field}`, message: `'${value}' is a name inside the cluster; toFQDNs does not apply to in-cluster addresses, so this allows nothing towards pods Cilium manages (only towards endpoints outside the cluster, such as a headless Service over outside addresses). Select the pods with toEndpoints (or the Service with toServices).` }];
    }
    return [];
  });
};

export const CNP_PEER_IMPLICIT_NAMESPACE: RuleDoc = {
  id: 'cilium/cnp-peer-implicit-namespace',
  severity: Severity.ERROR,
  summary: 'A CiliumNetworkPolicy selects DNS pods (k8s-app: kube-dns, ...) without a namespace, so it matches them only in its own namespace.',
  explanation:
    'In a CiliumNetworkPolicy a toEndpoints/fromEndpoints selector without io.kubernetes.pod.namespace (or io.cilium.k8s.namespace.labels.*) ' +
    "matches only pods in the policy's own namespace: Cilium adds the namespace. A kube-dns or node-local-dns peer written that way in an " +
    'application namespace selects nothing, and DNS fails. Source: cilium pkg/k8s/apis/cilium.io/utils/utils.go (getEndpointSelector), ' +
    'Documentation/security/policy/layer3.rst; domain-notes finding 2, §A.1.',
};

/**
 * Why a pod selector in a CiliumNetworkPolicy of `namespace` cannot reach the DNS pods it names, or undefined. Exported
 * for `Peer`, which checks a policy-namespace peer the same way.
 */
export function implicitNamespaceDnsPeerMessage(selector: WireSelector, namespace: string | undefined): string | undefined {
  if (namespace === 'kube-system' || namesNamespace(selector)) return undefined;
  // The DNS app may be named by a label (`k8s-app: kube-dns`) or by a set (`k8s-app In (kube-dns, coredns)`, the form of
  // cilium-cli's client-egress-only-dns.yaml).
  const app = Object.entries(selector.matchLabels ?? {}).find(([k]) => withoutSource(k) === 'k8s-app')?.[1];
  const set = (selector.matchExpressions ?? []).find((e) => withoutSource(e.key) === 'k8s-app' && e.operator === 'In' && (e.values ?? []).some((v) => DNS_POD_APPS.has(String(v))));
  const byLabel = app !== undefined && DNS_POD_APPS.has(String(app));
  if (!byLabel && !set) return undefined;
  const what = byLabel ? `k8s-app: ${String(app)}` : `k8s-app In (${(set?.values ?? []).join(', ')})`;
  const where = namespace ? `'${namespace}'` : '';
  return `selects ${what} without a namespace, so in a CiliumNetworkPolicy it matches only pods in the policy's own namespace ${where}${where ? ' ' : ''}and no DNS pod (they run in kube-system). Add 'k8s:io.kubernetes.pod.namespace: kube-system' to matchLabels.`;
}

export const checkImplicitNamespacePeers: EntryCheck = (entry, ctx) => {
  if (ctx.clusterwide) return [];
  const key = directionOf(ctx.section) === 'egress' ? 'toEndpoints' : 'fromEndpoints';
  return list<unknown>(entry[key]).flatMap((s, k) => {
    if (!isObject(s)) return [];
    const message = implicitNamespaceDnsPeerMessage(s as WireSelector, ctx.namespace);
    return message ? [{ ruleId: CNP_PEER_IMPLICIT_NAMESPACE.id, path: `.${key}[${k}]`, message }] : [];
  });
};

export const L7_HTTP_RULE_SHAPE: RuleDoc = {
  id: 'cilium/l7-http-rule-shape',
  severity: Severity.ERROR,
  summary: 'An HTTP rule whose path, method or host is not an RE2 regular expression, or whose headerMatches Cilium refuses.',
  explanation:
    "HTTP rule paths and methods are Go regular expressions (RE2 syntax): the agent compiles them with Go's regexp and refuses the policy when " +
    'one does not compile, so lookarounds such as `/(?!admin).*` and backreferences fail, while `(?i)GET` works. Envoy matches path, method ' +
    'and host as RE2 safe_regex on the whole value. headerMatches need a name, a mismatch action of LOG, ADD, DELETE or REPLACE, and a secret ' +
    'name when they use a secret. `headers` are literal "Name" or "Name value" strings, not regexes. Source: cilium pkg/policy/api/http.go ' +
    '(PortRuleHTTP.Sanitize), pkg/envoy/xds_server.go (getHTTPRule) at v1.16.15; domain-notes §B.7.',
};

/** Text RE2 reads as itself: printable ASCII without `\ . + * ? ( ) | [ ] { } ^ $`. */
const RE2_LITERAL = /^[^\\.+*?()|[\]{}^$\x00-\x1f\x7f-\uffff]*$/;

/**
 * Why `value` is not an RE2 regular expression as Go's regexp parses it, or undefined. re2js is a port of Go's regexp
 * syntax; its messages are Go's ("error parsing regexp: invalid or unsupported Perl syntax: `(?!`").
 */
export function re2Error(value: string): string | undefined {
  // Printable ASCII without a metacharacter is a literal, which every RE2 accepts: most HTTP paths and methods
  // (`/discount`, `GET`) are, and they then need no regexp engine (loading re2js cost ~10 ms of a synth, by a require hook).
  if (RE2_LITERAL.test(value)) return undefined;
  try {
    RE2JS.compile(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The problems of one HTTP rule (`toPorts[].rules.http[]`), at paths relative to it. Exported for `HttpRule.of()`. */
export function httpRuleProblems(rule: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  const problem = (path: string, message: string) => out.push({ ruleId: L7_HTTP_RULE_SHAPE.id, path, message });
  for (const field of ['path', 'method', 'host'] as const) {
    const value = rule[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      problem(`.${field}`, `${quote(value)} is not a string; expected an RE2 regular expression.`);
      continue;
    }
    const error = re2Error(value);
    if (error) {
      const who = field === 'host' ? "Envoy, which matches the host as an RE2 regex, refuses it" : "Cilium's agent compiles it with Go's regexp (RE2 syntax) and refuses the whole policy";
      const example = { path: "'/public/.*'", method: "'GET|HEAD'", host: "'api\\.example\\.com'" }[field];
      problem(`.${field}`, `${quote(value)} is not an RE2 regular expression (${error}); ${who}. RE2 has no lookarounds or backreferences: match the allowed ${field === 'method' ? 'methods' : `${field}s`} instead (e.g. ${example}).`);
    }
  }
  list<unknown>(rule.headerMatches).forEach((m, k) => {
    if (!isObject(m)) return;
    const at = `.headerMatches[${k}]`;
    if (typeof m.name !== 'string' || m.name === '') problem(at, 'has no name; Cilium\'s agent refuses that ("Header name missing"). Name the header to match.');
    if (m.mismatch !== undefined && m.mismatch !== '' && !['LOG', 'ADD', 'DELETE', 'REPLACE'].includes(String(m.mismatch))) {
      problem(`${at}.mismatch`, `${quote(m.mismatch)} is not a mismatch action; expected LOG, ADD, DELETE or REPLACE (Cilium's agent: "Invalid header action: ${String(m.mismatch)}").`);
    }
    if (isObject(m.secret) && (typeof m.secret.name !== 'string' || m.secret.name === '')) {
      problem(`${at}.secret`, 'has no name; Cilium\'s agent refuses that ("Secret name missing"). Name the Secret.');
    }
  });
  return out;
}

export const checkHttpRules: EntryCheck = (entry, ctx) => {
  if (isDeny(ctx.section)) return [];
  const out: Problem[] = [];
  portRules(entry).forEach((pr, i) => {
    list<unknown>(l7Of(pr)?.http).forEach((h, k) => {
      if (!isObject(h)) return;
      for (const p of httpRuleProblems(h)) out.push({ ...p, path: `.toPorts[${i}].rules.http[${k}]${p.path}` });
    });
  });
  return out;
};

export const INVALID_LABEL_SELECTOR: RuleDoc = {
  id: 'cilium/invalid-label-selector',
  severity: Severity.ERROR,
  summary: 'A label selector (endpointSelector, toEndpoints, cidrGroupSelector, ...) with an unknown operator, missing values or bad keys.',
  explanation:
    'Cilium validates every selector as a Kubernetes label selector: operators In, NotIn, Exists and DoesNotExist; values required for In ' +
    'and NotIn and forbidden otherwise; keys are label keys with an optional Cilium source prefix (k8s:, any:, reserved:, ...); values are ' +
    'label values. The agent refuses a policy with a bad one ("invalid label selector"). Source: cilium pkg/policy/api/selector.go ' +
    '(EndpointSelector.sanitize), pkg/labels/validation.go, TestInvalidEndpointSelectors; domain-notes §B.2.',
};

/** Why a wire selector is not a valid Cilium label selector (the `EndpointSelector` grammar), or undefined. */
export function labelSelectorMessage(selector: unknown): string | undefined {
  if (!isObject(selector)) return `${quote(selector)} is not a label selector; expected matchLabels and/or matchExpressions.`;
  const s = selector as WireSelector;
  try {
    EndpointSelector._parse({ labels: { ...(s.matchLabels ?? {}) }, expressions: (s.matchExpressions ?? []).map((e) => ({ ...e }) as LabelExpression) });
    return undefined;
  } catch (err) {
    if (!(err instanceof NetsecError)) throw err;
    return err.message.replace(/^EndpointSelector \{.*?\}: /s, '');
  }
}

const SELECTOR_LISTS = ['toEndpoints', 'fromEndpoints', 'toNodes', 'fromNodes', 'toRequires', 'fromRequires'];

export const checkLabelSelectors: RuleCheck = (rule, ctx) => {
  const out: Problem[] = [];
  const problem = (path: string, selector: unknown) => {
    const message = labelSelectorMessage(selector);
    if (message) out.push({ ruleId: INVALID_LABEL_SELECTOR.id, path, message });
  };
  for (const key of ['endpointSelector', 'nodeSelector'] as const) if (rule[key] !== undefined && rule[key] !== null) problem(`.${key}`, rule[key]);
  for (const section of SECTIONS) {
    list<unknown>(rule[section]).forEach((entry, i) => {
      if (!isObject(entry)) return;
      for (const key of SELECTOR_LISTS) list<unknown>(entry[key]).forEach((s, k) => problem(`.${section}[${i}].${key}[${k}]`, s));
      for (const key of ['toCIDRSet', 'fromCIDRSet']) {
        list<unknown>(entry[key]).forEach((c, k) => isObject(c) && isObject(c.cidrGroupSelector) && problem(`.${section}[${i}].${key}[${k}].cidrGroupSelector`, c.cidrGroupSelector));
      }
    });
  }
  void ctx;
  return out;
};

export const RULE_SHAPE: RuleDoc = {
  id: 'cilium/rule-shape',
  severity: Severity.ERROR,
  summary: 'A rule without exactly one of endpointSelector and nodeSelector, or without any of ingress, ingressDeny, egress, egressDeny.',
  explanation:
    'A rule selects pods (endpointSelector) or, in a CiliumClusterwideNetworkPolicy, nodes (nodeSelector): exactly one. From 1.17 the agent ' +
    'refuses a rule without ingress, ingressDeny, egress or egressDeny ("rule must have at least one of Ingress, IngressDeny, Egress, ' +
    'EgressDeny"); on 1.16 such a rule does nothing. Source: cilium pkg/policy/api/rule_validation.go (Rule.Sanitize) at v1.16.15 and ' +
    'v1.17.14, rule.go; domain-notes §B.7.',
};

export const checkRuleShape: RuleCheck = (rule, ctx) => {
  const out: Problem[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(rule.endpointSelector) && has(rule.nodeSelector)) {
    out.push({ ruleId: RULE_SHAPE.id, path: '.nodeSelector', message: 'is set together with endpointSelector; Cilium\'s agent refuses that ("rule cannot have both EndpointSelector and NodeSelector"). Select pods or nodes, in two rules if both are meant.' });
  }
  if (!has(rule.endpointSelector) && !has(rule.nodeSelector)) {
    out.push({ ruleId: RULE_SHAPE.id, path: '', message: 'has neither endpointSelector nor nodeSelector; Cilium\'s agent refuses that ("rule must have one of EndpointSelector or NodeSelector"). Add endpointSelector: {} for every pod the policy may select.' });
  }
  if (has(rule.nodeSelector) && !ctx.clusterwide) {
    out.push({ ruleId: RULE_SHAPE.id, path: '.nodeSelector', message: 'selects nodes, which only a CiliumClusterwideNetworkPolicy can; move the rule into one.' });
  }
  if (SECTIONS.every((s) => list(rule[s]).length === 0)) {
    const refused = ctx.target.has(Feature.CILIUM_RULE_NEEDS_SECTION);
    out.push({
      ruleId: RULE_SHAPE.id,
      path: '',
      ...(refused ? {} : { severity: Severity.WARNING }),
      message: refused
        ? 'has none of ingress, ingressDeny, egress and egressDeny; Cilium\'s agent refuses such a rule ("rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny"), and the whole policy is then not enforced. Add a rule, or remove it.'
        : 'has none of ingress, ingressDeny, egress and egressDeny, so it does nothing (Cilium 1.17 and later refuse it). Add a rule, or remove it.',
    });
  }
  return out;
};

export const CNP_ENDPOINT_SELECTOR_NAMESPACE_IGNORED: RuleDoc = {
  id: 'cilium/cnp-endpoint-selector-namespace-ignored',
  severity: Severity.WARNING,
  summary: "A CiliumNetworkPolicy's endpointSelector names another namespace, which Cilium ignores.",
  explanation:
    "A CiliumNetworkPolicy always applies to pods of its own namespace. An io.kubernetes.pod.namespace match in its endpointSelector that " +
    'names another namespace is dropped with an agent warning ("CiliumNetworkPolicy contains illegal namespace match in EndpointSelector"). ' +
    'Source: cilium pkg/k8s/apis/cilium.io/utils/utils.go, Documentation/security/policy/kubernetes.rst; domain-notes §A.1.',
};

export const checkEndpointSelectorNamespace: RuleCheck = (rule, ctx) => {
  if (ctx.clusterwide || !ctx.namespace || !isObject(rule.endpointSelector)) return [];
  const selector = rule.endpointSelector as WireSelector;
  const out: Problem[] = [];
  const message = (named: string) =>
    `names namespace ${named}, but a CiliumNetworkPolicy's endpointSelector always applies to pods of its own namespace '${ctx.namespace}'; Cilium drops the namespace match ("CiliumNetworkPolicy contains illegal namespace match in EndpointSelector"). Create the policy in that namespace, or use a CiliumClusterwideNetworkPolicy.`;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (withoutSource(k) === POD_NAMESPACE && v !== ctx.namespace) out.push({ ruleId: CNP_ENDPOINT_SELECTOR_NAMESPACE_IGNORED.id, path: '.endpointSelector.matchLabels', message: message(`'${String(v)}'`) });
  }
  (selector.matchExpressions ?? []).forEach((e, k) => {
    if (withoutSource(e.key) !== POD_NAMESPACE) return;
    if (e.operator === 'In' && e.values?.length === 1 && e.values[0] === ctx.namespace) return;
    out.push({ ruleId: CNP_ENDPOINT_SELECTOR_NAMESPACE_IGNORED.id, path: `.endpointSelector.matchExpressions[${k}]`, message: message(`'${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}'`) });
  });
  return out;
};

/** Every check over one entry, in the order the construct reports them. */
export const ENTRY_CHECKS: readonly EntryCheck[] = [
  checkEmptyPeerLists, checkEmptyRule, checkL3SelectorKinds, checkDenyFields, checkPortRuleShape, checkL7PortRule, checkL7Tcp, checkDnsRuleShape,
  checkHostPolicyL7, checkHttpRules, checkCidrRuleShape, checkCidrGroupExcept, checkEntities, checkRemovedFields, checkFqdnSelectors,
  checkMultilevelWildcard, checkImplicitNamespacePeers, checkFqdnReach,
];

/** Every check over one entry, as `Rule.Sanitize()` runs them per entry: the problems of one wire entry. */
export function sanitizeEntry(entry: WireEntry, ctx: EntryContext): Problem[] {
  return ENTRY_CHECKS.flatMap((check) => check(entry, ctx));
}

export const DENY_ONLY_POLICY_DEFAULT_DENIES: RuleDoc = {
  id: 'cilium/deny-only-policy-default-denies',
  severity: Severity.WARNING,
  summary: 'Pods get only deny rules for a direction, which still switches them to default-deny: everything else is dropped.',
  explanation:
    'A rule with egressDeny (or ingressDeny) puts every pod it selects into default-deny for that direction, like an allow rule does: all ' +
    'traffic no policy allows is dropped (drop reason 133). A geo-block written as a deny-only policy therefore takes the selected pods ' +
    'offline. Set enableDefaultDeny.egress: false (Cilium 1.16+) to drop only what is denied, or make sure some policy allows the rest. ' +
    'Source: cilium Documentation/security/policy/deny.rst, pkg/policy/api/rule.go (EnableDefaultDeny), cilium-cli ' +
    'client_egress_to_cidr_deny_default.go; domain-notes finding 3, §A.1.',
};

/**
 * The directions in which `rule` has deny rules and switches to default-deny, while no rule of `allowers` (rules that
 * apply to at least the same endpoints) allows anything in that direction. Exported for the constructs, which pass their
 * own rule.
 */
export function denyOnlyDirections(rule: WireRule, allowers: readonly WireRule[]): ('egress' | 'ingress')[] {
  return (['egress', 'ingress'] as const).filter((d) =>
    list(rule[`${d}Deny`]).length > 0 && list(rule[d]).length === 0 && rule.enableDefaultDeny?.[d] !== false
    && !allowers.some((a) => list(a[d]).length > 0),
  );
}

export function denyOnlyMessage(direction: 'egress' | 'ingress'): string {
  return `has only ${direction}Deny rules for these pods, and no policy allows their ${direction}: the deny rules still switch the pods to ${direction} default-deny, so all other ${direction} is dropped (drop reason 133). Set enableDefaultDeny.${direction}: false to drop only what the deny rules match, or allow the ${direction} that should keep flowing.`;
}

export const denyOnlyPolicyDefaultDenies: LintRule = {
  ...DENY_ONLY_POLICY_DEFAULT_DENIES,
  check(index) {
    const rules = allRules(index);
    const covering = coveringRules(rules);
    return rules.flatMap((r) => {
      if (denyOnlyDirections(r.rule, []).length === 0) return [];
      return denyOnlyDirections(r.rule, covering(r).map((o) => o.rule)).map((d) => ({ manifest: r.manifest, path: `${r.path}.${d}Deny`, message: denyOnlyMessage(d) }));
    });
  },
};

/** The single-rule checks as lint rules, in report order. */
export const CILIUM_SANITIZE_RULES: readonly LintRule[] = [
  ruleFromCheck(RULE_SHAPE, checkRuleShape),
  ruleFromCheck(INVALID_LABEL_SELECTOR, checkLabelSelectors),
  ruleFromEntryCheck(EMPTY_PEER_LIST, checkEmptyPeerLists),
  ruleFromEntryCheck(EGRESS_EMPTY_RULE, checkEmptyRule),
  ruleFromEntryCheck(L3_SELECTOR_KINDS_MIXED, checkL3SelectorKinds),
  ruleFromEntryCheck(DENY_UNSUPPORTED_FIELDS, checkDenyFields),
  ruleFromEntryCheck(PORT_RULE_SHAPE, checkPortRuleShape),
  ruleFromEntryCheck(L7_PORT_RULE_SHAPE, checkL7PortRule),
  ruleFromEntryCheck(L7_HTTP_REQUIRES_TCP, checkL7Tcp),
  ruleFromEntryCheck(L7_HTTP_RULE_SHAPE, checkHttpRules),
  ruleFromEntryCheck(DNS_RULE_SHAPE, checkDnsRuleShape),
  ruleFromEntryCheck(HOST_POLICY_L7, checkHostPolicyL7),
  ruleFromEntryCheck(CIDR_RULE_SHAPE, checkCidrRuleShape),
  ruleFromEntryCheck(CIDRGROUP_EXCEPT_VERSION, checkCidrGroupExcept),
  ruleFromEntryCheck(UNKNOWN_ENTITY, checkEntities),
  ruleFromEntryCheck(REMOVED_FIELDS, checkRemovedFields),
  ruleFromEntryCheck(FQDN_SELECTOR_SHAPE, checkFqdnSelectors),
  ruleFromEntryCheck(FQDN_MULTILEVEL_WILDCARD_VERSION, checkMultilevelWildcard),
  ruleFromEntryCheck(CNP_PEER_IMPLICIT_NAMESPACE, checkImplicitNamespacePeers),
  ruleFromEntryCheck(FQDN_MATCH_ALL, checkFqdnReach),
  ruleFromEntryCheck(FQDN_IN_CLUSTER_NAME, checkFqdnReach),
  ruleFromCheck(CNP_ENDPOINT_SELECTOR_NAMESPACE_IGNORED, checkEndpointSelectorNamespace),
  denyOnlyPolicyDefaultDenies,
];

/** Every single-rule problem of one wire rule: rule-level and entry checks (what `Rule.Sanitize()` judges). */
export function sanitizeRule(rule: WireRule, ctx: RuleContext): Problem[] {
  return [checkRuleShape, checkLabelSelectors, checkEndpointSelectorNamespace].flatMap((c) => c(rule, ctx)).concat(
    SECTIONS.flatMap((section) => list<WireEntry>(rule[section]).flatMap((entry, i) => {
      if (!isObject(entry)) return [];
      const hostPolicy = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
      return sanitizeEntry(entry, { ...ctx, section, hostPolicy }).map((p) => ({ ...p, path: `.${section}[${i}]${p.path}` }));
    })),
  );
}
