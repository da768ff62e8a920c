import { Feature } from '../../core/features.js';
import { describeObject } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { Direction, PortItem, WireEntry, WireRule, allRules, coveringRules, isObject, list, peerKeys, peersCover, portItemCovers, rangeOf } from './cilium-wire.js';

// L7 rules whose effect is not what the policy around them suggests (domain-notes §A.1, §A.4, §C.3). For one endpoint,
// port and peer Cilium unions the allows: if any has no L7 rules, every request passes (an L4 allow shadows HTTP rules);
// if all have L7 rules, what they do not match is refused, whatever enableDefaultDeny says. `netsec explain` judges a
// flow the same way (src/explain/cilium.ts: "an L4 allow wildcards L7", then the L7 stage).

function portItems(portRule: Record<string, unknown>): PortItem[] {
  return list<unknown>(portRule.ports).filter(isObject);
}

/** Whether a port rule carries L7 rules (HTTP or DNS), which keep the proxy in the path. */
function hasL7(portRule: Record<string, unknown>): boolean {
  const rules = portRule.rules;
  return isObject(rules) && (list(rules.http).length > 0 || list(rules.dns).length > 0);
}

export const l7ShadowedByL4: LintRule = {
  id: 'cilium/l7-shadowed-by-l4',
  severity: Severity.WARNING,
  summary: 'HTTP rules that an allow without L7 rules for the same pods, peers and port silently disables.',
  explanation:
    'Cilium unions the allows for an endpoint. "If a layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 ' +
    'rules is also specified, then the layer 7 portions of the latter rule will have no effect": an L4-only allow for the same peers ' +
    'and port, or an L3-only allow (toEntities: [all], toEndpoints: [{}]) that allows every port, lets every request through. ' +
    'netsec compares the peers as written, so it warns only when the wider allow certainly covers them. Source: cilium ' +
    'Documentation/security/policy/layer7.rst; domain-notes §A.4, §C.3.',
  check(index) {
    const out: RuleViolation[] = [];
    const rules = allRules(index);
    const covering = coveringRules(rules);
    const hasHttp = (rule: WireRule) => (['egress', 'ingress'] as const).some((d) => list<WireEntry>(rule[d]).some((e) => isObject(e) && list<unknown>(e.toPorts).some((pr) => isObject(pr) && isObject(pr.rules) && list(pr.rules.http).length > 0)));
    for (const r of rules) {
      // Comparing every rule with the rules that cover it is quadratic in one namespace (10,000 policies): only rules
      // with HTTP rules need it.
      if (!hasHttp(r.rule)) continue;
      const helpers = covering(r);
      for (const d of ['egress', 'ingress'] as const) {
        list<WireEntry>(r.rule[d]).forEach((entry, i) => {
          if (!isObject(entry)) return;
          list<unknown>(entry.toPorts).forEach((pr, j) => {
            if (!isObject(pr) || !isObject(pr.rules) || list(pr.rules.http).length === 0) return;
            const ports = portItems(pr).length ? portItems(pr) : [{}];
            for (const o of helpers) {
              const k = list<WireEntry>(o.rule[d]).findIndex((wide) => isObject(wide) && peersCover(wide, o.ctx, entry, r.ctx, d) && shadowsPorts(wide, d, ports));
              if (k < 0) continue;
              const where = o.manifest === r.manifest ? `${o.path}.${d}[${k}] of this policy` : `${describeObject(o.manifest.object)} at ${o.path}.${d}[${k}]`;
              out.push({
                manifest: r.manifest,
                path: `${r.path}.${d}[${i}].toPorts[${j}].rules.http`,
                message: `has no effect: ${where} allows the same peers on ${ports.map(describePort).join(', ')} without L7 rules, so Cilium lets every request through ("the layer 7 portions of the latter rule will have no effect", layer7.rst). Remove or narrow that allow, or give it the same HTTP rules.`,
              });
              return;
            }
          });
        });
      }
    }
    return out;
  },
};

/** Whether an allow entry lets every port of `ports` through without L7 rules (no toPorts: every port). */
function shadowsPorts(wide: WireEntry, direction: Direction, ports: readonly PortItem[]): boolean {
  const portRules = list<unknown>(wide.toPorts).filter(isObject);
  // An entry with neither peers nor ports selects nothing (cilium/egress-empty-rule-denies-all); one with peers alone
  // (and no icmps) allows every port.
  if (wide.toPorts === undefined || wide.toPorts === null) return list(wide.icmps).length === 0 && peerKeys(wide, direction).length > 0;
  const plain = portRules.filter((pr) => !hasL7(pr));
  return ports.every((p) => plain.some((pr) => portItems(pr).length === 0 || portItems(pr).some((o) => portItemCovers(o, p, 'TCP'))));
}

function describePort(p: PortItem): string {
  const range = rangeOf(p);
  if (!range) return `${String(p.port)}/TCP`;
  if (range[0] === 0) return 'every port';
  return `${range[0] === range[1] ? range[0] : `${range[0]}-${range[1]}`}/TCP`;
}

/** Whether L7 rules let everything through: an HTTP rule with no condition, or a DNS pattern of only `*` (matchpattern.go). */
function l7AllowsAll(rules: Record<string, unknown>): boolean {
  const http = list<unknown>(rules.http);
  const dns = list<unknown>(rules.dns);
  if (http.length > 0) return http.some((r) => isObject(r) && Object.values(r).every((v) => v === undefined || v === null || (Array.isArray(v) && v.length === 0) || v === ''));
  return dns.some((r) => isObject(r) && typeof r.matchPattern === 'string' && /^[*]+[.]?$/.test(r.matchPattern));
}

export const enableDefaultDenyNotHonored: LintRule = {
  id: 'cilium/enable-default-deny-not-honored',
  severity: Severity.WARNING,
  summary: 'enableDefaultDeny: false that the agent ignores (enableNonDefaultDenyPolicies off), or that does not reach L7 rules, which still drop what they do not match.',
  explanation:
    'With the agent flag enable-non-default-deny-policies off (Helm enableNonDefaultDenyPolicies: false) Cilium forces enableDefaultDeny to true: ' +
    'a policy meant to drop only what it denies puts its pods into default-deny (rule_validation.go Sanitize). And the field does not apply to ' +
    'L7: "Adding a layer-7 rule that does not include a layer-7 allow-all will cause drops, even when default-deny is explicitly disabled" ' +
    '(Documentation/security/policy/intro.rst). The Helm values are judged when known (cilium-values.yaml). Source: domain-notes §A.1.',
  check(index) {
    const out: RuleViolation[] = [];
    // The flag exists from 1.17 (Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG); a 1.16 agent always honours the field.
    const flag = index.target.has(Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG)
      ? (index.helmValues.get('cilium') as { enableNonDefaultDenyPolicies?: unknown } | undefined)?.enableNonDefaultDenyPolicies
      : undefined;
    for (const r of allRules(index)) {
      for (const d of ['egress', 'ingress'] as const) {
        if (r.rule.enableDefaultDeny?.[d] !== false) continue;
        if (flag === false) {
          out.push({
            manifest: r.manifest,
            path: `${r.path}.enableDefaultDeny.${d}`,
            message: `is false, but the Cilium Helm values set enableNonDefaultDenyPolicies: false, so the agent ignores it and puts the selected pods into ${d} default-deny: all ${d} no rule allows is dropped. Set enableNonDefaultDenyPolicies: true in the Cilium values, or allow the ${d} that must keep flowing.`,
          });
        }
        list<WireEntry>(r.rule[d]).forEach((entry, i) => {
          if (!isObject(entry)) return;
          list<unknown>(entry.toPorts).forEach((pr, j) => {
            if (!isObject(pr) || !isObject(pr.rules) || !hasL7(pr) || l7AllowsAll(pr.rules)) return;
            const kind = list(pr.rules.http).length > 0 ? 'HTTP' : 'DNS';
            out.push({
              manifest: r.manifest,
              path: `${r.path}.${d}[${i}].toPorts[${j}].rules`,
              message: `has ${kind} rules in a rule with enableDefaultDeny.${d}: false, which does not reach L7: on these ports and peers every ${kind === 'HTTP' ? 'request' : 'query'} the rules do not match is still refused (${kind === 'HTTP' ? 'HTTP 403' : 'DNS REFUSED'}). If the rules are meant for visibility only, add a match-all rule (${kind === 'HTTP' ? 'http: [{}]' : "dns: [{matchPattern: '*'}]"}); otherwise this is intended.`,
            });
          });
        });
      }
    }
    return out;
  },
};

/**
 * Well-known ports of TLS and of binary protocols, which Envoy's HTTP parser cannot read (IANA service names): an HTTP
 * rule there breaks every connection.
 */
const NON_HTTP_PORTS: Readonly<Record<number, string>> = {
  443: 'HTTPS (TLS)', 6443: 'the Kubernetes API (TLS)', 8443: 'HTTPS (TLS)', 2379: 'etcd (gRPC over TLS)', 3306: 'MySQL', 5432: 'PostgreSQL',
  6379: 'Redis', 27017: 'MongoDB', 9042: 'Cassandra', 11211: 'memcached', 1433: 'SQL Server', 5672: 'AMQP', 9092: 'Kafka', 4222: 'NATS',
  53: 'DNS',
};

export const l7HttpOnNonHttpPort: LintRule = {
  id: 'cilium/l7-http-on-non-http-port',
  severity: Severity.WARNING,
  summary: 'HTTP rules on a TLS or binary-protocol port, or on a named port whose name does not say HTTP or gRPC.',
  explanation:
    'An HTTP rule sends the port through Envoy\'s HTTP parser: "Layer 7 inspection only works when ... an unencrypted HTTP stream" ' +
    '(cilium#36039). On TLS (443) or binary protocols (PostgreSQL 5432, Redis 6379, ...) every connection then fails. TLS needs ' +
    'serverNames (SNI) or TLS interception (terminatingTLS, which this rule accepts) instead (Documentation/security/policy/layer4.rst, ' +
    'tls-visibility.rst). A named port is judged by its name: ' +
    'http..., grpc... or h2c... pass. Source: domain-notes §A.4.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const r of allRules(index)) {
      for (const d of ['egress', 'ingress'] as const) {
        list<WireEntry>(r.rule[d]).forEach((entry, i) => {
          if (!isObject(entry)) return;
          list<unknown>(entry.toPorts).forEach((pr, j) => {
            if (!isObject(pr) || !isObject(pr.rules) || list(pr.rules.http).length === 0) return;
            // With terminatingTLS Cilium decrypts the TLS first and the proxy reads plain HTTP (tls-visibility.rst).
            if (isObject(pr.terminatingTLS)) return;
            portItems(pr).forEach((p, k) => {
              const range = rangeOf(p);
              const named = range === undefined ? String(p.port) : undefined;
              const known = range && range[0] === range[1] && Object.hasOwn(NON_HTTP_PORTS, range[0]) ? NON_HTTP_PORTS[range[0]] : undefined;
              const why = known
                ? `port ${range![0]} is ${known}`
                : named !== undefined && !/^(http|grpc|h2c)/i.test(named) ? `port '${named}' is not named as HTTP (http..., grpc..., h2c...)` : undefined;
              if (!why) return;
              out.push({
                manifest: r.manifest,
                path: `${r.path}.${d}[${i}].toPorts[${j}].ports[${k}]`,
                message: `carries HTTP rules, but ${why}: Cilium sends the port through Envoy's HTTP parser, which cannot read ${known ? 'it' : 'other protocols'}, so connections fail. For TLS, match serverNames (SNI) instead of HTTP rules; otherwise put the HTTP rules on the port that serves plain HTTP.`,
              });
            });
          });
        });
      }
    }
    return out;
  },
};

export const CILIUM_L7_RULES: readonly LintRule[] = [l7ShadowedByL4, enableDefaultDenyNotHonored, l7HttpOnNonHttpPort];
