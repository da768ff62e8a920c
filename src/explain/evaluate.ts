import { NetsecError, echo } from '../core/errors.js';
import { DROP_REASONS, DropReason } from '../hubble/generated/cilium-flow-data.js';
import { selectorMatches } from '../lint/selectors.js';
import {
  CidrGroups, CiliumContext, CiliumDirectionPolicy, CiliumEntry, CiliumPacket, KubeObject, ciliumPolicyFor, dnsRulesAllow, httpRuleMatches, refOf,
} from './cilium.js';
import { CalicoPacket, calicoPolicyFor } from './calico.js';
import { ClusterIndex, Identity } from './cluster.js';
import { istioServerDecision } from './istio.js';
import { decide } from './engine.js';
import { Cluster, ClusterPod, ClusterService, Flow, FlowResult, Step, Verdict } from './model.js';
import { ScenarioVersions, canonical } from './scenario.js';

/** The policies, the cluster and the version lines one set of flows is judged against. */
export interface EvaluationInput {
  /** Every object of the manifests (policies, CiliumCIDRGroups, CiliumLocalRedirectPolicies; the rest is ignored). */
  readonly objects: readonly KubeObject[];
  readonly cluster: Cluster;
  readonly versions: ScenarioVersions;
}

/** The resolver pods ask: the kube-dns Service (through an LRP where one applies). */
const RESOLVER = 'kube-system/kube-dns';

/**
 * Judges one flow offline and explains the verdict. Pure: the same input gives the same result, nothing is read or
 * kept. Judged: Cilium (CNP, CCNP, Kubernetes NetworkPolicy, CiliumCIDRGroup, CiliumLocalRedirectPolicy) when
 * `versions.cilium` is set, else Calico (with Kubernetes NetworkPolicy) when `versions.calico` is; then, with
 * `versions.istio`, the receiver's sidecar (PeerAuthentication, AuthorizationPolicy). docs/explain.md lists the limits.
 * Throws NetsecError('CONFIG') when the flow names something the cluster cannot deliver (a Service port it lacks).
 */
export function evaluate(input: EvaluationInput, flow: Flow): FlowResult {
  return new Evaluator(input).flow(flow);
}

/** A judge of many flows against one input (the cluster index is built once). */
export function createEvaluator(input: EvaluationInput): (flow: Flow) => FlowResult {
  const ev = new Evaluator(input);
  return (flow) => ev.flow(flow);
}

interface Resolved {
  readonly ip: string;
  readonly port: number;
  readonly pod?: ClusterPod;
  readonly service?: ClusterService;
  /** Names the address came from (a `fqdn` destination). */
  readonly names: readonly string[];
}

interface Outcome {
  readonly verdict: Verdict;
  readonly dropReason?: DropReason;
  readonly httpStatus?: number;
  readonly by: string;
}

class Evaluator {
  private readonly index: ClusterIndex;
  private readonly learned = new Map<string, { learned: boolean; step: Step }>();
  /** Compiled Cilium policies by endpoint and direction: they depend on the input only, not on the flow. */
  private readonly compiled = new Map<string, CiliumDirectionPolicy>();
  private ctx?: CiliumContext;
  /** What the flow being judged tells the FQDN learner (its names) and where the learner writes its steps. */
  private current: { names: readonly string[]; fqdnSteps: Step[] } = { names: [], fqdnSteps: [] };

  public constructor(private readonly input: EvaluationInput, private readonly depth = 0) {
    this.index = new ClusterIndex(input.cluster);
  }

  public flow(flow: Flow): FlowResult {
    const steps: Step[] = [];
    const src = this.source(flow);
    const dst = this.destination(flow, src.pod, steps);
    const cilium = this.input.versions.cilium;
    if (cilium === undefined) {
      if (this.input.versions.calico !== undefined) return this.calicoFlow(flow, src, dst, steps);
      steps.push({ layer: 'note', outcome: 'info', detail: `the target names neither Cilium nor Calico: only Istio is judged` });
      return result(flow, this.istio(flow, src, dst, steps) ?? { verdict: 'FORWARDED', by: 'default' }, steps);
    }
    const fqdnSteps: Step[] = [];
    this.current = { names: dst.names, fqdnSteps };
    const ctx = this.ciliumContext(cilium);
    const decided: string[] = [];
    // Egress of the sender (a pod that is not on the host network).
    if (src.pod && !src.pod.hostNetwork) {
      const peer: Identity = dst.pod && !dst.pod.hostNetwork
        ? { kind: 'pod', ip: dst.ip, pod: dst.pod, labels: this.index.podLabels(dst.pod) }
        : this.index.identityOf(dst.ip, src.pod.node);
      const packet: CiliumPacket = { subject: src.pod, peer, port: dst.port, protocol: flow.protocol, icmp: flow.icmp, destinationPod: dst.pod, service: dst.service };
      const out = this.judge(ctx, flow, packet, 'egress', steps, fqdnSteps);
      if (out.verdict !== 'FORWARDED') return result(flow, out, steps);
      if (out.by !== 'default') decided.push(out.by);
    } else if (src.pod || src.node) {
      steps.push({ layer: 'host', endpoint: src.label, outcome: 'info', detail: `${src.label} sends from the host network: host policies (CCNP nodeSelector) are not evaluated, so its egress is taken as allowed` });
    }
    // Ingress of the receiver (a pod that is not on the host network).
    if (dst.pod && !dst.pod.hostNetwork) {
      const peer = src.pod && !src.pod.hostNetwork
        ? { kind: 'pod' as const, ip: src.ip, pod: src.pod, labels: this.index.podLabels(src.pod) }
        : this.index.identityOf(src.ip, dst.pod.node);
      if (peer.kind === 'host') {
        steps.push({ layer: 'cilium-ingress', endpoint: podName(dst.pod), outcome: 'allow', detail: `traffic from the local host to its own endpoints is allowed (the agent's allow-localhost default)` });
      } else {
        const packet: CiliumPacket = { subject: dst.pod, peer, port: dst.port, protocol: flow.protocol, icmp: flow.icmp, destinationPod: dst.pod };
        const out = this.judge(ctx, flow, packet, 'ingress', steps, []);
        if (out.verdict !== 'FORWARDED') return result(flow, out, steps);
        if (out.by !== 'default') decided.push(out.by);
      }
    } else if (dst.pod) {
      steps.push({ layer: 'host', endpoint: podName(dst.pod), outcome: 'info', detail: `${podName(dst.pod)} runs on the host network: host policies are not evaluated, so its ingress is taken as allowed` });
    }
    const istio = this.istio(flow, src, dst, steps);
    if (istio && istio.verdict !== 'FORWARDED') return result(flow, istio, steps);
    if (istio && istio.by !== 'default') decided.push(istio.by);
    if (steps.length === 0) steps.push({ layer: 'note', outcome: 'info', detail: `neither end is a pod of cluster.pods, so no policy judges this flow` });
    // The side that decided: the receiver's allow when it had one, else the sender's.
    return result(flow, { verdict: 'FORWARDED', by: decided[decided.length - 1] ?? 'default' }, steps);
  }

  /** The server's Istio sidecar, when the target has Istio and the receiver has a sidecar (§C.3). */
  private istio(flow: Flow, src: { ip: string; pod?: ClusterPod }, dst: Resolved, steps: Step[]): Outcome | undefined {
    if (this.input.versions.istio === undefined || !dst.pod?.sidecar || dst.pod.hostNetwork) return undefined;
    const d = istioServerDecision(this.input.objects, this.input.cluster.istio, src, dst.pod, dst.port, flow.http);
    const endpoint = podName(dst.pod);
    for (const n of d.notes) steps.push({ layer: 'note', endpoint, outcome: 'info', detail: n });
    const matched = d.path ? [{ by: d.by, path: d.path }] : undefined;
    if (d.outcome === 'allow') {
      steps.push({ layer: 'istio-server', endpoint, outcome: 'allow', detail: d.detail, ...(matched ? { matched } : {}) });
      return { verdict: 'FORWARDED', by: d.by };
    }
    const http = flow.http !== undefined && !d.belowHttp;
    const how = http ? 'the sidecar answers 403' : 'the sidecar closes the connection';
    steps.push({ layer: 'istio-server', endpoint, outcome: 'deny', detail: `${d.detail}; ${how}`, ...(matched ? { matched } : {}) });
    return { verdict: 'DENIED', ...(http ? { httpStatus: 403 } : {}), by: d.by };
  }

  /** A flow on Calico: the sender's egress, then the receiver's ingress (both must allow, §C.2). */
  private calicoFlow(flow: Flow, src: { ip: string; pod?: ClusterPod; node?: string; label: string }, dst: Resolved, steps: Step[]): FlowResult {
    const decided: string[] = [];
    const sides: [ClusterPod | undefined, 'egress' | 'ingress'][] = [[src.pod, 'egress'], [dst.pod, 'ingress']];
    for (const [local, direction] of sides) {
      if (!local) continue;
      const endpoint = podName(local);
      if (local.hostNetwork) {
        steps.push({ layer: 'host', endpoint, outcome: 'info', detail: `${endpoint} is on the host network: host endpoint policies are not evaluated, so its ${direction} is taken as allowed` });
        continue;
      }
      const [peerIp, peerPod] = direction === 'egress' ? [dst.ip, dst.pod] : [src.ip, src.pod];
      const policy = calicoPolicyFor(this.index, this.input.objects, local, direction);
      const packet: CalicoPacket = { local, peerIp, peerPod: peerPod?.hostNetwork ? undefined : peerPod, port: dst.port, protocol: flow.protocol, icmp: flow.icmp, destinationPod: dst.pod };
      const decision = decide(policy, packet);
      const layer = `calico-${direction}`;
      const what = `${direction} of ${endpoint} ${direction === 'egress' ? 'to' : 'from'} ${peerPod ? podName(peerPod) : peerIp} on ${portText(flow, dst.port)}`;
      const selected = policy.selectedBy.length ? `selected by ${policy.selectedBy.join(', ')}` : 'selected by no policy';
      const base = { layer, endpoint, selectedBy: policy.selectedBy, defaultDeny: (policy.endOfTierDeny?.size ?? 0) > 0 };
      for (const n of policy.notEvaluated) steps.push({ layer: 'note', endpoint, outcome: 'info', detail: `${n} is not evaluated by netsec (it matches nothing here)` });
      const logged = decision.logged.map((e) => `${e.origin.by} ${e.origin.path} logs it; `).join('');
      if (decision.outcome === 'deny') {
        const e = decision.matched[0]!;
        steps.push({ ...base, matched: [e.origin], outcome: 'deny', detail: `${what}: ${selected}; ${logged}the Deny rule ${e.origin.by} ${e.origin.path} matches` });
        return result(flow, { verdict: 'DROPPED', dropReason: DropReason.POLICY_DENY, by: e.origin.by }, steps);
      }
      if (decision.outcome === 'default-deny') {
        const tier = policy.tierNames[decision.tier!]!;
        steps.push({ ...base, outcome: 'default-deny', detail: `${what}: ${selected}; ${logged}no rule of tier '${tier}' decided, so the end of the tier drops it` });
        return result(flow, { verdict: 'DROPPED', dropReason: DropReason.POLICY_DENIED, by: 'default' }, steps);
      }
      if (decision.outcome === 'allow') {
        const e = decision.matched[0]!;
        steps.push({ ...base, matched: [e.origin], outcome: 'allow', detail: `${what}: ${selected}; ${logged}the Allow rule ${e.origin.by} ${e.origin.path} matches` });
        decided.push(e.origin.by);
      } else {
        const why = policy.selectedBy.length ? `every applicable tier passed it on` : 'no tier applies';
        steps.push({ ...base, outcome: 'default-allow', detail: `${what}: ${selected}; ${logged}${why}, so the namespace profile allows it` });
      }
    }
    const istio = this.istio(flow, src, dst, steps);
    if (istio && istio.verdict !== 'FORWARDED') return result(flow, istio, steps);
    if (istio && istio.by !== 'default') decided.push(istio.by);
    return result(flow, { verdict: 'FORWARDED', by: decided[decided.length - 1] ?? 'default' }, steps);
  }

  /** The Cilium context, built once: CIDR groups aggregated once, the FQDN learner reading the current flow. */
  private ciliumContext(version: string): CiliumContext {
    this.ctx ??= {
      index: this.index,
      objects: this.input.objects,
      version,
      groups: new CidrGroups(this.input.objects),
      learnFqdn: (subject, ip, test) => this.learn(subject, ip, test, this.current.names, this.current.fqdnSteps),
    };
    return this.ctx;
  }

  private ciliumPolicy(ctx: CiliumContext, subject: ClusterPod, direction: 'ingress' | 'egress'): CiliumDirectionPolicy {
    const key = `${podName(subject)} ${direction}`;
    let policy = this.compiled.get(key);
    if (!policy) {
      policy = ciliumPolicyFor(ctx, subject, direction);
      this.compiled.set(key, policy);
    }
    return policy;
  }

  /** One direction of one endpoint: the Cilium datapath, then its L7 proxy (HTTP, DNS) when the allow carries L7 rules. */
  private judge(ctx: CiliumContext, flow: Flow, packet: CiliumPacket, direction: 'ingress' | 'egress', steps: Step[], fqdnSteps: Step[]): Outcome {
    const policy = this.ciliumPolicy(ctx, packet.subject, direction);
    const decision = decide(policy, packet);
    const layer = `cilium-${direction}`;
    const endpoint = podName(packet.subject);
    const base = { layer, endpoint, selectedBy: policy.selectedBy, defaultDeny: policy.defaultDeny };
    const peerText = describePeer(packet.peer);
    const what = `${direction} of ${endpoint} ${direction === 'egress' ? 'to' : 'from'} ${peerText} on ${portText(flow, packet.port)}`;
    steps.push(...fqdnSteps.splice(0));
    for (const n of policy.notEvaluated) {
      steps.push({ layer: 'note', endpoint, outcome: 'info', detail: `${n} is not evaluated by netsec (it matches nothing here)` });
    }
    const selected = policy.selectedBy.length ? `selected by ${policy.selectedBy.join(', ')}` : 'selected by no policy';
    if (policy.enforcementOff) {
      steps.push({ ...base, outcome: 'default-allow', detail: `${what}: policyEnforcementMode is never, so nothing is enforced` });
      return { verdict: 'FORWARDED', by: 'default' };
    }
    if (decision.outcome === 'deny') {
      const e = decision.matched[0]!;
      steps.push({ ...base, matched: [e.origin], outcome: 'deny', detail: `${what}: ${selected}; the deny rule ${e.origin.by} ${e.origin.path} matches, and a deny wins over every allow` });
      return { verdict: 'DROPPED', dropReason: DropReason.POLICY_DENY, by: e.origin.by };
    }
    if (decision.outcome === 'default-deny') {
      const by = policy.defaultDenyBy.length ? `${policy.defaultDenyBy.join(' and ')} put${policy.defaultDenyBy.length === 1 ? 's' : ''} it in ${direction} default-deny` : `policyEnforcementMode always puts it in ${direction} default-deny`;
      steps.push({ ...base, outcome: 'default-deny', detail: `${what}: ${selected}; ${by}, and no rule allows this` });
      return { verdict: 'DROPPED', dropReason: DropReason.POLICY_DENIED, by: 'default' };
    }
    if (decision.outcome === 'default-allow') {
      const why = policy.selectedBy.length ? `${selected}, none of them with ${direction} default-deny; no rule matches, so it is allowed` : `${selected} for ${direction}, so it is allowed`;
      steps.push({ ...base, outcome: 'default-allow', detail: `${what}: ${why}` });
      return { verdict: 'FORWARDED', by: 'default' };
    }
    const refs = decision.matched.map((e) => e.origin);
    const l4Only = decision.matched.find((e) => !e.l7);
    const by = (l4Only ?? decision.matched[0]!).origin.by;
    steps.push({ ...base, matched: refs, outcome: 'allow', detail: `${what}: ${selected}; allowed by ${refs.map((r) => `${r.by} ${r.path}`).join(', ')}` });
    // An allow without L7 rules for this port wildcards L7: the L7 parts of the others have no effect (layer7.rst).
    if (l4Only) return { verdict: 'FORWARDED', by };
    return this.l7(flow, decision.matched, endpoint, by, steps);
  }

  private l7(flow: Flow, matched: readonly CiliumEntry[], endpoint: string, by: string, steps: Step[]): Outcome {
    const http = matched.flatMap((e) => e.l7?.http ?? []);
    const dns = matched.flatMap((e) => e.l7?.dns ?? []);
    if (http.length) {
      if (!flow.http) {
        steps.push({ layer: 'l7-http', endpoint, outcome: 'info', detail: `the port has HTTP rules, so Cilium's proxy judges every request; the flow names no http request, so only the connection is judged (add http: { method, path } to judge one)` });
        return { verdict: 'FORWARDED', by };
      }
      const req = `${flow.http.method} ${flow.http.path}`;
      const ok = http.find((r) => httpRuleMatches(r, flow.http!));
      if (ok) {
        steps.push({ layer: 'l7-http', endpoint, outcome: 'allow', detail: `${req}: the HTTP rule ${JSON.stringify(ok)} matches` });
        return { verdict: 'FORWARDED', by };
      }
      steps.push({ layer: 'l7-http', endpoint, outcome: 'l7-deny', detail: `${req}: no HTTP rule of ${by} matches (${http.map((r) => JSON.stringify(r)).join(', ')}), so Cilium's proxy answers 403 (an L7 denial, not a packet drop)` });
      return { verdict: 'DENIED', httpStatus: 403, by };
    }
    if (dns.length) {
      if (!flow.dns) {
        steps.push({ layer: 'dns-proxy', endpoint, outcome: 'info', detail: `the port has DNS rules, so Cilium's DNS proxy judges every query; the flow names none (add dns: { query } to judge one)` });
        return { verdict: 'FORWARDED', by };
      }
      if (dnsRulesAllow(dns, flow.dns.query, this.input.versions.cilium!)) {
        steps.push({ layer: 'dns-proxy', endpoint, outcome: 'allow', detail: `the query for ${canonical(flow.dns.query)} matches the DNS rules ${dns.map((r) => JSON.stringify(r)).join(', ')}; the proxy forwards it and learns the answer` });
        return { verdict: 'FORWARDED', by };
      }
      steps.push({ layer: 'dns-proxy', endpoint, outcome: 'l7-deny', detail: `the query for ${canonical(flow.dns.query)} matches none of the DNS rules ${dns.map((r) => JSON.stringify(r)).join(', ')}, so the DNS proxy refuses it (REFUSED)` });
      return { verdict: 'DENIED', by };
    }
    return { verdict: 'FORWARDED', by };
  }

  /**
   * Whether the DNS proxy learned `ip` for `subject` under a name `test` accepts (domain-notes §C.1.7): a name from
   * the flow (a `fqdn` destination) or, for a bare address, any name `dnsAnswers` resolves to it; and the subject's
   * query for that name to the resolver it really uses must be let through by a DNS rule.
   */
  private learn(subject: ClusterPod, ip: string, test: (name: string) => boolean, flowNames: readonly string[], steps: Step[]): boolean {
    if (this.depth > 0) return false;
    const answers = this.input.cluster.dnsAnswers;
    const names = flowNames.length ? flowNames.map(canonical) : Object.keys(answers).filter((n) => answers[n]!.includes(ip)).sort();
    for (const name of names) {
      if (!answers[name]?.includes(ip) || !test(name)) continue;
      const key = `${podName(subject)} ${name} ${ip}`;
      let hit = this.learned.get(key);
      if (!hit) {
        hit = this.learnOne(subject, name, ip);
        this.learned.set(key, hit);
      }
      steps.push(hit.step);
      if (hit.learned) return true;
    }
    return false;
  }

  private learnOne(subject: ClusterPod, name: string, ip: string): { learned: boolean; step: Step } {
    const endpoint = podName(subject);
    const resolver = this.index.service(RESOLVER);
    const port = resolver?.ports.find((p) => p.port === 53 && p.protocol === 'UDP') ?? resolver?.ports.find((p) => p.port === 53);
    if (!resolver || !port) {
      return { learned: false, step: { layer: 'fqdn', endpoint, outcome: 'info', detail: `${name} → ${ip} cannot be learned: cluster.services has no ${RESOLVER} Service with port 53, so the resolver the pod asks is unknown` } };
    }
    const nested = new Evaluator(this.input, this.depth + 1);
    const query: Flow = { name: `DNS ${name}`, from: { pod: endpoint }, to: { service: RESOLVER }, port: 53, protocol: port.protocol as 'UDP' | 'TCP', dns: { query: name } };
    const r = nested.flow(query);
    const path = r.steps.filter((s) => s.layer === 'lrp' || s.layer === 'service').map((s) => s.detail).join('; ');
    const learned = r.verdict === 'FORWARDED' && r.steps.some((s) => s.layer === 'dns-proxy' && s.outcome === 'allow');
    const why = learned
      ? `the DNS proxy learned ${name} → ${ip}: the query from ${endpoint} (${path}) is allowed by ${r.by} and seen by a DNS rule`
      : r.verdict === 'FORWARDED'
        ? `${name} → ${ip} is never learned: the query from ${endpoint} (${path}) passes, but no DNS rule on its path lets the DNS proxy see it, so toFQDNs cannot match`
        : `${name} → ${ip} is never learned: the query from ${endpoint} (${path}) is ${r.verdict}${r.dropReason ? ` (${r.dropReason})` : ''} by ${r.by}, so toFQDNs cannot match`;
    return { learned, step: { layer: 'fqdn', endpoint, outcome: learned ? 'allow' : 'info', detail: why } };
  }

  private source(flow: Flow): { ip: string; pod?: ClusterPod; node?: string; label: string } {
    const f = flow.from;
    if ('pod' in f) {
      const pod = this.requirePod(f.pod);
      return { ip: pod.ip, pod, label: f.pod };
    }
    if ('node' in f) {
      const node = this.index.node(f.node);
      if (!node) throw new NetsecError('CONFIG', `flow '${echo(flow.name)}' comes from node '${echo(f.node)}', which cluster.nodes does not list; add the node`);
      return { ip: node.ip, node: node.name, label: `node ${node.name}` };
    }
    if ('ip' in f) {
      const pod = this.input.cluster.pods.find((p) => p.ip === f.ip && !p.hostNetwork);
      return { ip: f.ip, pod, label: pod ? podName(pod) : f.ip };
    }
    throw new NetsecError('CONFIG', `flow '${echo(flow.name)}' comes from a ${Object.keys(f)[0]}; expected a pod, { ip } or { node }`);
  }

  private requirePod(id: string): ClusterPod {
    const pod = this.index.pod(id);
    if (!pod) throw new NetsecError('CONFIG', `the pod '${echo(id)}' is not in cluster.pods; add it`);
    return pod;
  }

  private destination(flow: Flow, client: ClusterPod | undefined, steps: Step[]): Resolved {
    const t = flow.to;
    if ('pod' in t) {
      const pod = this.requirePod(t.pod);
      return { ip: pod.ip, port: flow.port, pod, names: [] };
    }
    if ('node' in t) {
      const node = this.index.node(t.node)!;
      return { ip: node.ip, port: flow.port, names: [] };
    }
    if ('fqdn' in t) {
      const name = canonical(t.fqdn);
      const ip = this.input.cluster.dnsAnswers[name]?.[0];
      if (ip === undefined) throw new NetsecError('CONFIG', `flow '${echo(flow.name)}' goes to ${echo(name)}, which cluster.dnsAnswers does not resolve; add it`);
      steps.push({ layer: 'fqdn', outcome: 'info', detail: `${name} resolves to ${ip} (cluster.dnsAnswers)` });
      return this.addressed(ip, flow, client, steps, [name]);
    }
    if ('service' in t) {
      const svc = this.index.service(t.service)!;
      return this.viaService(svc, flow, client, steps);
    }
    return this.addressed(t.ip, flow, client, steps, []);
  }

  /** An address: a Service's cluster IP goes through the Service, a pod's address to the pod, anything else as is. */
  private addressed(ip: string, flow: Flow, client: ClusterPod | undefined, steps: Step[], names: readonly string[]): Resolved {
    const svc = this.index.serviceByIp(ip);
    if (svc) return this.viaService(svc, flow, client, steps);
    const pod = this.input.cluster.pods.find((p) => p.ip === ip && !p.hostNetwork);
    return { ip, port: flow.port, pod, names };
  }

  /** A Service: an LRP sends it to a backend on the client's node; else the first backend by name (kube-proxy replacement DNAT). */
  private viaService(svc: ClusterService, flow: Flow, client: ClusterPod | undefined, steps: Step[]): Resolved {
    const id = `${svc.namespace}/${svc.name}`;
    const proto = flow.protocol;
    const sp = svc.ports.find((p) => p.port === flow.port && p.protocol === proto);
    if (!sp) {
      throw new NetsecError('CONFIG', `flow '${echo(flow.name)}' goes to port ${flow.port}/${proto} of the Service ${id}, which has ${svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}; expected one of its ports; fix port or protocol`);
    }
    const lrp = this.input.versions.cilium === undefined ? undefined : this.lrpFor(svc);
    if (lrp && client?.node !== undefined) {
      const ns = lrp.metadata.namespace ?? svc.namespace;
      const sel = lrp.spec?.redirectBackend?.localEndpointSelector ?? {};
      const local = this.input.cluster.pods
        .filter((p) => p.namespace === ns && p.node === client.node && selectorMatches(sel, p.labels))
        .sort((a, b) => (a.name < b.name ? -1 : 1))[0];
      const isBackend = local !== undefined && local === client;
      if (local && !(isBackend && lrp.spec?.skipRedirectFromBackend)) {
        const bports: any[] = lrp.spec?.redirectBackend?.toPorts ?? [];
        const bp = bports.find((p) => sp.name !== undefined && p.name === sp.name) ?? bports.find((p) => String(p.protocol ?? 'TCP') === proto);
        const port = bp ? Number(bp.port) : flow.port;
        steps.push({ layer: 'lrp', outcome: 'info', detail: `the Service ${id} is redirected by ${refOf(lrp)} to ${podName(local)} on the same node ${client.node}, port ${port}/${proto}` });
        return { ip: local.ip, port, pod: local, service: svc, names: [] };
      }
      steps.push({ layer: 'lrp', outcome: 'info', detail: `${refOf(lrp)} matches the Service ${id}, but no backend pod runs on node ${client.node}; the Service's own backends are used` });
    } else if (lrp) {
      steps.push({ layer: 'lrp', outcome: 'info', detail: `${refOf(lrp)} matches the Service ${id}, but the client names no node, so the redirect cannot be placed; the Service's own backends are used (give the pod a node)` });
    }
    const backend = this.index.backends(svc)[0];
    if (!backend) {
      throw new NetsecError('CONFIG', `flow '${echo(flow.name)}' goes to the Service ${id}, but no pod of cluster.pods matches its selector; expected a backend pod; add one with the selector's labels`);
    }
    let port = typeof sp.targetPort === 'number' ? sp.targetPort : undefined;
    if (port === undefined) {
      port = backend.ports.find((p) => p.name === sp.targetPort && p.protocol === proto)?.containerPort;
      if (port === undefined) throw new NetsecError('CONFIG', `the Service ${id} targets the port '${echo(String(sp.targetPort))}', which the pod ${podName(backend)} does not name; add it to the pod's ports`);
    }
    steps.push({ layer: 'service', outcome: 'info', detail: `the Service ${id} sends port ${flow.port}/${proto} to ${podName(backend)} port ${port}` });
    return { ip: backend.ip, port, pod: backend, service: svc, names: [] };
  }

  private lrpFor(svc: ClusterService): KubeObject | undefined {
    return this.input.objects.find((o) => o.kind === 'CiliumLocalRedirectPolicy'
      && o.spec?.redirectFrontend?.serviceMatcher?.serviceName === svc.name
      && (o.spec.redirectFrontend.serviceMatcher.namespace ?? o.metadata.namespace) === svc.namespace);
  }
}

function result(flow: Flow, out: Outcome, steps: Step[]): FlowResult {
  return {
    name: flow.name,
    verdict: out.verdict,
    ...(out.dropReason ? { dropReason: out.dropReason, dropReasonCode: DROP_REASONS[out.dropReason].code } : {}),
    ...(out.httpStatus ? { httpStatus: out.httpStatus } : {}),
    by: out.by,
    steps,
  };
}

function podName(p: ClusterPod): string {
  return `${p.namespace}/${p.name}`;
}

function describePeer(peer: Identity): string {
  switch (peer.kind) {
    case 'pod': return `pod ${podName(peer.pod)}`;
    case 'host': return `the local host ${peer.ip}`;
    case 'remote-node': return `the remote node ${peer.node?.name ?? peer.ip}`;
    default: return `${peer.ip} (world${peer.apiServer ? ', kube-apiserver' : ''})`;
  }
}

function portText(flow: Flow, port: number): string {
  return flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6' ? `${flow.protocol} type ${flow.icmp?.type}` : `${port}/${flow.protocol}`;
}
