import { isIP } from 'node:net';
import { isValidLabelKey } from '../core/validation/metadata.js';
import { dirname, resolve } from 'node:path';
import { closestMatch } from 'leven';
import { LineCounter, Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { PrefixScanner } from '../cidr/_scan.js';
import { Cidr } from '../cidr/cidr.js';
import { formatIPv4 } from '../cidr/format.js';
import { readInputFile } from '../core/system-error.js';
import { firstYamlProblem, yamlSyntaxMessage } from '../core/text-input.js';
import { NetsecError, Problem, SourceLocation, echo, escapeControls, problemsError } from '../core/errors.js';
import { DropReason } from '../hubble/generated/cilium-flow-data.js';
import {
  CiliumAgentSettings, Cluster, ClusterNamespace, ClusterNode, ClusterPod, ClusterService, ContainerPort, Flow, FlowEnd,
  FlowExpectation, FlowProtocol, HttpRequest, ServicePort, Verdict,
} from './model.js';

/** Version lines a scenario judges against (`target: { kubernetes: "1.30", cilium: "1.17" }`). */
export interface ScenarioVersions {
  readonly kubernetes: string;
  readonly cilium?: string;
  readonly calico?: string;
  readonly istio?: string;
}

/** A loaded, checked scenario file (format v1). */
export interface Scenario {
  /** The file as messages name it (as given on the command line). */
  readonly file: string;
  /** The folder relative paths in the file are resolved against. */
  readonly dir: string;
  /** Version lines, or the name of a target of `config`. */
  readonly target: ScenarioVersions | string;
  /** Absolute path of the netsec.yaml named by `config:`. */
  readonly config?: string;
  /** Absolute paths of the manifest files or folders. */
  readonly manifests?: readonly string[];
  readonly cluster: Cluster;
  readonly flows: readonly Flow[];
  /** Where each flow starts in the file (same order as `flows`). */
  readonly flowLocations: readonly SourceLocation[];
  /** Where `target` is written. */
  readonly targetLocation: SourceLocation;
}

/** Reads and checks a scenario file; every problem is a NetsecError('CONFIG') at its file:line:col. */
export function loadScenarioFile(file: string): Scenario {
  if (file === '-') {
    // A scenario names its manifests relative to its own folder, which standard input does not have.
    throw new NetsecError('USAGE', "'-' (standard input) is not a scenario file: a scenario names its manifests and config relative to its own folder; write it to a file and name that");
  }
  const text = readInputFile(file, { what: 'scenario file', expected: 'a readable scenario YAML file', fix: 'check the path' });
  return parseScenario(text, file);
}

/** Parses and checks scenario text; `file` is where it was read from (relative paths resolve against its folder). */
export function parseScenario(text: string, file: string): Scenario {
  const name = escapeControls(file);
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml library's own warnings would go to the console and echo raw input past the renderer.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error', uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file: name, line: pos.line, column: pos.col };
  };
  const e = firstYamlProblem(doc, text);
  if (e) {
    throw new NetsecError('CONFIG', yamlSyntaxMessage(e), at(e.pos[0]));
  }
  const r = new Reader(at, { file: name });
  const top = r.map(doc.contents as Node | null, 'the scenario', TOP_FIELDS, ['flows']);
  if (!top) throw problemsError('CONFIG', r.problems, name);
  const dir = dirname(resolve(file));
  const targetNode = top.target;
  let target: ScenarioVersions | string | undefined;
  if (targetNode === undefined) {
    r.problem(doc.contents as Node, `the scenario has no 'target'; expected the version lines (target: { kubernetes: "1.30", cilium: "1.17" }) or a target of netsec.yaml (target: aks-cilium with config: netsec.yaml); add it`);
  } else if (isScalar(targetNode)) {
    target = r.string(targetNode, 'target');
    if (target !== undefined && top.config === undefined) {
      r.problem(targetNode, `target is the name '${echo(target)}' but the scenario has no 'config'; expected config: netsec.yaml beside a target name, or version lines (target: { kubernetes: "1.30", cilium: "1.17" }); add config or write the versions`);
    }
  } else {
    const t = r.map(targetNode, 'target', { kubernetes: 1, cilium: 1, calico: 1, istio: 1 }, ['kubernetes']);
    if (t) {
      const versions: Record<string, string> = {};
      for (const key of ['kubernetes', 'cilium', 'calico', 'istio']) {
        if (t[key] === undefined) continue;
        const v = r.string(t[key], `target.${key}`);
        if (v === undefined) continue;
        if (!/^\d+\.\d+$/.test(v)) r.problem(t[key], `target.${key} is '${echo(v)}'; expected a version line such as "1.17"; write major.minor in quotes`);
        else versions[key] = v;
      }
      if (t.cilium === undefined && t.calico === undefined && t.istio === undefined) {
        r.problem(targetNode, `target names no network product; expected at least one of cilium, calico, istio beside kubernetes; add e.g. cilium: "1.17"`);
      }
      // With version lines the policies come from manifests only: a config beside them had been dropped without a word,
      // and every flow judged against no policy at all.
      if (top.config !== undefined) {
        r.problem(top.config, `config names a netsec.yaml, but target gives version lines, and a config is read for a target of it by name; expected target: <a target of that netsec.yaml> with config, or version lines with manifests; write the target's name, or replace config with manifests`);
      }
      target = versions as unknown as ScenarioVersions;
    }
  }
  const config = top.config === undefined ? undefined : r.string(top.config, 'config');
  const manifests = top.manifests === undefined ? undefined : r.list(top.manifests, 'manifests', (n, w) => r.string(n, w));
  if (manifests === undefined && config === undefined && top.manifests === undefined) {
    r.problem(doc.contents as Node, `the scenario has neither 'manifests' nor 'config'; expected the policies to judge: manifests: [policies.yaml] or config: netsec.yaml with a target name; add one`);
  }
  // Every address of the made-up pod range the scenario writes (a node, a flow's end, a DNS answer): no pod may get one.
  const mentioned = new Set(text.match(/\b10\.255\.\d{1,3}\.\d{1,3}\b/g) ?? []);
  const cluster = readCluster(r, top.cluster, mentioned);
  const flowNodes = isSeq(top.flows) ? top.flows.items as Node[] : [];
  const flows = r.list(top.flows, 'flows', (n, w) => readFlow(r, n, w, cluster)) ?? [];
  // A scenario without flows judges nothing, and `netsec test` passed it ("0 passed, 0 failed", exit 0).
  if (isSeq(top.flows) && top.flows.items.length === 0) {
    r.problem(top.flows, `flows is an empty list, so the scenario judges nothing (and netsec test would pass it); expected at least one flow, e.g. - { from: default/client, to: { ip: 1.1.1.1 }, port: 443 }; add one`);
  }
  if (r.problems.length) throw problemsError('CONFIG', sortedByPlace(r.problems), name);
  return {
    file: name,
    dir,
    target: target!,
    config: config === undefined ? undefined : resolve(dir, config),
    manifests: manifests?.map((m) => resolve(dir, m)),
    cluster: cluster.cluster,
    flows,
    flowLocations: flowNodes.map((n) => r.where(n)),
    targetLocation: r.where(targetNode),
  };
}

/** Problems in the order of the file (they are found value by value, not line by line). */
function sortedByPlace(problems: readonly Problem[]): Problem[] {
  const key = (p: Problem) => [p.location?.line ?? 0, p.location?.column ?? 0];
  return [...problems].sort((a, b) => key(a)[0]! - key(b)[0]! || key(a)[1]! - key(b)[1]!);
}

const TOP_FIELDS = { target: 1, config: 1, manifests: 1, cluster: 1, flows: 1 };

/** Reads YAML nodes into values, collecting every problem with its location (so one run shows all of them). */
class Reader {
  public readonly problems: Problem[] = [];

  public constructor(private readonly at: (offset: number) => SourceLocation, private readonly fileOnly: SourceLocation) {}

  public where(node: Node | null | undefined): SourceLocation {
    return node?.range ? this.at(node.range[0]) : this.fileOnly;
  }

  public problem(node: Node | null | undefined, message: string): undefined {
    this.problems.push({ location: this.where(node), message });
    return undefined;
  }

  /** A mapping with known keys: unknown keys are problems at the key; returns the value nodes by key. */
  public map(node: Node | null | undefined, what: string, fields: Record<string, unknown>, required: readonly string[] = []): Record<string, Node> | undefined {
    if (!isMap(node)) return this.problem(node, `${what} is ${describe(node)}; expected a mapping of ${Object.keys(fields).join(', ')}; write it as key: value lines`);
    const out: Record<string, Node> = {};
    const known = Object.keys(fields);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.problem(pair.key as Node, `${what} has a key that is not a plain name; expected one of: ${known.join(', ')}; write the key as a name`);
        continue;
      }
      if (!known.includes(key)) {
        const close = closestMatch(key, known, { maxDistance: Math.max(2, Math.floor(key.length / 3)) });
        const hint = close && close !== key ? `did you mean '${close}'?` : 'remove it';
        this.problem(pair.key as Node, `unknown field '${echo(key)}' in ${what}; expected one of: ${known.join(', ')}; ${hint}`);
        continue;
      }
      out[key] = pair.value as Node;
    }
    for (const key of required) {
      if (out[key] === undefined && !node.items.some((p) => isScalar(p.key) && p.key.value === key)) {
        this.problem(node, `${what} has no '${key}'; expected ${key} to be given; add it`);
      }
    }
    return out;
  }

  /** A mapping of any string keys to string values (labels). */
  public labels(node: Node | null | undefined, what: string): Record<string, string> | undefined {
    if (node === undefined || node === null) return {};
    if (!isMap(node)) return this.problem(node, `${what} is ${describe(node)}; expected a mapping of label keys to string values, e.g. { app: web }; write it as a mapping`);
    const out: Record<string, string> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.problem(pair.key as Node, `${what} has a key that is not a plain name; expected label keys; write the key as a name`);
        continue;
      }
      // As the API server would refuse it on a pod (and `__proto__` would not even be kept as a label here).
      if (!isValidLabelKey(key)) {
        this.problem(pair.key as Node, `${what} has the key '${echo(key)}', which is not a Kubernetes label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit; fix the key`);
        continue;
      }
      const value = isScalar(pair.value) && pair.value.value === null ? '' : this.string(pair.value as Node, `${what}.${key}`, true);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  /** A string; with `scalarOk`, numbers and booleans are taken as written (label values like `true`, `1`). */
  public string(node: Node | null | undefined, what: string, scalarOk = false): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    if (scalarOk && isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean')) return String(node.source ?? node.value);
    return this.problem(node, `${what} is ${describe(node)}; expected a string; write it in quotes`);
  }

  public int(node: Node | null | undefined, what: string, min: number, max: number, example: string): number | undefined {
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= min && node.value <= max) return node.value;
    return this.problem(node, `${what} is ${describe(node)}; expected a whole number ${min}-${max}; write it as a number, e.g. ${example}`);
  }

  public bool(node: Node | null | undefined, what: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    return this.problem(node, `${what} is ${describe(node)}; expected true or false; write one of them without quotes`);
  }

  public oneOf<T extends string>(node: Node | null | undefined, what: string, values: readonly T[]): T | undefined {
    if (isScalar(node) && typeof node.value === 'string' && (values as readonly string[]).includes(node.value)) return node.value as T;
    const got = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    const lower = got?.toLowerCase();
    // A wrong case (tcp) or a cut word (DROP) is the usual slip; otherwise the closest value by edit distance.
    const close = got === undefined || lower === '' ? undefined
      : values.find((v) => v.toLowerCase() === lower) ?? values.find((v) => v.toLowerCase().startsWith(lower!))
        ?? closestMatch(got, [...values], { maxDistance: Math.max(2, Math.floor(got.length / 3)) });
    const hint = close ? `did you mean '${close}'?` : `write one of them`;
    return this.problem(node, `${what} is ${describe(node)}; expected one of: ${values.join(', ')}; ${hint}`);
  }

  public ip(node: Node | null | undefined, what: string): string | undefined {
    const s = this.string(node, what);
    if (s === undefined) return undefined;
    if (isIP(s) === 0) return this.problem(node, `${what} is '${echo(s)}'; expected an IPv4 or IPv6 address without a prefix length, e.g. 10.244.1.10; fix the address`);
    // Forms Node accepts that would be judged as another address than the packet carries (the cidrs commands and
    // Peer.cidr refuse them too): a zone id means something on one host only; an IPv4-mapped address leaves as IPv4.
    if (s.includes('%')) return this.problem(node, `${what} is '${echo(s)}', which has a zone id; expected an address without '%zone' (zone ids only mean something on one host); remove it`);
    const scan = new PrefixScanner();
    if (scan.scanText(s) && scan.mapped) {
      return this.problem(node, `${what} is '${echo(s)}', an IPv4-mapped IPv6 address; expected the IPv4 address itself, ${formatIPv4(scan.w3)} (the packet leaves the pod as IPv4); write that`);
    }
    return s;
  }

  public list<T>(node: Node | null | undefined, what: string, item: (n: Node, what: string) => T | undefined): T[] | undefined {
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) return this.problem(node, `${what} is ${describe(node)}; expected a list; write it as [a, b] or as '- ' lines`);
    const out: T[] = [];
    node.items.forEach((n, i) => {
      const v = item(n as Node, `${what}[${i}]`);
      if (v !== undefined) out.push(v);
    });
    return out;
  }
}

/** How a message names a YAML value: `'80x' (a string)`, `a list`, `nothing`. */
function describe(node: Node | null | undefined): string {
  if (node === undefined || node === null) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    if (typeof v === 'string') return `'${echo(v)}' (a string)`;
    return `${echo(String(node.source ?? v))} (a ${typeof v})`;
  }
  return 'an alias';
}

interface ReadCluster {
  readonly cluster: Cluster;
  readonly podNames: ReadonlySet<string>;
  readonly serviceNames: ReadonlySet<string>;
  readonly nodeNames: ReadonlySet<string>;
}

const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

function readCluster(r: Reader, node: Node | undefined, mentioned: ReadonlySet<string>): ReadCluster {
  const c = node === undefined ? {} : r.map(node, 'cluster', { namespaces: 1, pods: 1, services: 1, nodes: 1, apiServer: 1, dnsAnswers: 1, agent: 1, istio: 1 }) ?? {};
  const namespaces = r.list(c.namespaces, 'cluster.namespaces', (n, w): ClusterNamespace | undefined => {
    const m = r.map(n, w, { name: 1, labels: 1 }, ['name']);
    const name = m?.name && r.string(m.name, `${w}.name`);
    return name === undefined ? undefined : { name, labels: { ...r.labels(m!.labels, `${w}.labels`), 'kubernetes.io/metadata.name': name } };
  }) ?? [];
  const nodes = r.list(c.nodes, 'cluster.nodes', (n, w): ClusterNode | undefined => {
    const m = r.map(n, w, { name: 1, ip: 1, labels: 1 }, ['name', 'ip']);
    if (!m?.name || !m.ip) return undefined;
    const name = r.string(m.name, `${w}.name`);
    const ip = r.ip(m.ip, `${w}.ip`);
    return name === undefined || ip === undefined ? undefined : { name, ip, labels: r.labels(m.labels, `${w}.labels`) ?? {} };
  }) ?? [];
  const nodeNames = new Set(nodes.map((n) => n.name));
  const podSpecs: { pod: Omit<ClusterPod, 'ip'> & { ip?: string }; node: Node }[] = [];
  r.list(c.pods, 'cluster.pods', (n, w) => {
    const m = r.map(n, w, { name: 1, namespace: 1, labels: 1, ip: 1, serviceAccount: 1, node: 1, hostNetwork: 1, ports: 1, sidecar: 1 }, ['name', 'namespace']);
    if (!m?.name || !m.namespace) return undefined;
    const name = r.string(m.name, `${w}.name`);
    const namespace = r.string(m.namespace, `${w}.namespace`);
    const nodeName = m.node === undefined ? undefined : r.string(m.node, `${w}.node`);
    if (nodeName !== undefined && !nodeNames.has(nodeName)) {
      r.problem(m.node, `${w}.node is '${echo(nodeName)}', which cluster.nodes does not list; expected one of: ${[...nodeNames].join(', ') || '(no nodes)'}; add the node to cluster.nodes or fix the name`);
    }
    const ports = r.list(m.ports, `${w}.ports`, (pn, pw): ContainerPort | undefined => {
      const p = r.map(pn, pw, { name: 1, containerPort: 1, protocol: 1 }, ['containerPort']);
      if (!p?.containerPort) return undefined;
      const containerPort = r.int(p.containerPort, `${pw}.containerPort`, 1, 65535, 'containerPort: 8080');
      const protocol = p.protocol === undefined ? 'TCP' : r.oneOf(p.protocol, `${pw}.protocol`, PORT_PROTOCOLS);
      const portName = p.name === undefined ? undefined : r.string(p.name, `${pw}.name`);
      return containerPort === undefined || protocol === undefined ? undefined : { name: portName, containerPort, protocol };
    }) ?? [];
    if (name === undefined || namespace === undefined) return undefined;
    podSpecs.push({
      node: n,
      pod: {
        name,
        namespace,
        labels: r.labels(m.labels, `${w}.labels`) ?? {},
        ip: m.ip === undefined ? undefined : r.ip(m.ip, `${w}.ip`),
        serviceAccount: (m.serviceAccount === undefined ? undefined : r.string(m.serviceAccount, `${w}.serviceAccount`)) ?? 'default',
        node: nodeName,
        hostNetwork: (m.hostNetwork === undefined ? undefined : r.bool(m.hostNetwork, `${w}.hostNetwork`)) ?? false,
        ports,
        sidecar: (m.sidecar === undefined ? undefined : r.bool(m.sidecar, `${w}.sidecar`)) ?? false,
      },
    });
    return undefined;
  });
  const podNames = new Set<string>();
  for (const { pod, node: n } of podSpecs) {
    const id = `${pod.namespace}/${pod.name}`;
    if (podNames.has(id)) r.problem(n, `cluster.pods lists the pod '${echo(id)}' twice; expected each namespace/name once; remove or rename one`);
    podNames.add(id);
    if (pod.hostNetwork && pod.node === undefined) {
      r.problem(n, `the hostNetwork pod '${echo(id)}' names no node; expected node: <a node of cluster.nodes> (a hostNetwork pod has its node's address); add it`);
    }
  }
  // One address, one endpoint: `to: { ip }` and the source of a packet name one pod or node, and a second one with the
  // same address was silently never found. Pods on the host network share their node's address, as they do on a node.
  const holders = new Map<string, string>(nodes.map((nd) => [canonicalIp(nd.ip), `the node '${echo(nd.name)}'`]));
  for (const { pod, node: n } of podSpecs) {
    if (pod.ip === undefined || pod.hostNetwork) continue;
    const key = canonicalIp(pod.ip);
    const holder = holders.get(key);
    if (holder !== undefined) r.problem(n, `the pod '${echo(`${pod.namespace}/${pod.name}`)}' has the address ${pod.ip}, like ${holder}; expected one address per pod and node (a packet to it names one endpoint); give it its own ip`);
    else holders.set(key, `the pod '${echo(`${pod.namespace}/${pod.name}`)}'`);
  }
  const pods = assignPodIps(podSpecs.map((p) => p.pod), nodes, mentioned);
  const services = r.list(c.services, 'cluster.services', (n, w): ClusterService | undefined => {
    const m = r.map(n, w, { name: 1, namespace: 1, clusterIP: 1, selector: 1, ports: 1 }, ['name', 'namespace', 'ports']);
    if (!m?.name || !m.namespace || !m.ports) return undefined;
    const ports = r.list(m.ports, `${w}.ports`, (pn, pw): ServicePort | undefined => {
      const p = r.map(pn, pw, { name: 1, port: 1, targetPort: 1, protocol: 1 }, ['port']);
      if (!p?.port) return undefined;
      const port = r.int(p.port, `${pw}.port`, 1, 65535, 'port: 53');
      const protocol = p.protocol === undefined ? 'TCP' : r.oneOf(p.protocol, `${pw}.protocol`, PORT_PROTOCOLS);
      let targetPort: number | string | undefined = port;
      if (p.targetPort !== undefined) {
        targetPort = isScalar(p.targetPort) && typeof p.targetPort.value === 'string' ? p.targetPort.value : r.int(p.targetPort, `${pw}.targetPort`, 1, 65535, 'targetPort: 8080');
      }
      const portName = p.name === undefined ? undefined : r.string(p.name, `${pw}.name`);
      return port === undefined || protocol === undefined || targetPort === undefined ? undefined : { name: portName, port, targetPort, protocol };
    }) ?? [];
    const name = r.string(m.name, `${w}.name`);
    const namespace = r.string(m.namespace, `${w}.namespace`);
    const clusterIP = m.clusterIP === undefined ? undefined : r.ip(m.clusterIP, `${w}.clusterIP`);
    return name === undefined || namespace === undefined ? undefined : { name, namespace, clusterIP, selector: r.labels(m.selector, `${w}.selector`) ?? {}, ports };
  }) ?? [];
  const apiServer = r.list(c.apiServer, 'cluster.apiServer', (n, w) => r.ip(n, w)) ?? [];
  const dnsAnswers: Record<string, string[]> = {};
  if (c.dnsAnswers !== undefined) {
    if (!isMap(c.dnsAnswers)) {
      r.problem(c.dnsAnswers, `cluster.dnsAnswers is ${describe(c.dnsAnswers)}; expected a mapping of names to addresses, e.g. { "api.example.com.": [203.0.113.7] }; write it as a mapping`);
    } else {
      for (const pair of c.dnsAnswers.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const ips = r.list(pair.value as Node, `cluster.dnsAnswers.${key}`, (n, w) => r.ip(n, w));
        if (ips) dnsAnswers[canonical(key)] = ips;
      }
    }
  }
  let agent: CiliumAgentSettings = { enableNonDefaultDenyPolicies: true, policyEnforcementMode: 'default' };
  if (c.agent !== undefined) {
    const a = r.map(c.agent, 'cluster.agent', { enableNonDefaultDenyPolicies: 1, policyEnforcementMode: 1 });
    agent = {
      enableNonDefaultDenyPolicies: (a?.enableNonDefaultDenyPolicies === undefined ? undefined : r.bool(a.enableNonDefaultDenyPolicies, 'cluster.agent.enableNonDefaultDenyPolicies')) ?? true,
      policyEnforcementMode: (a?.policyEnforcementMode === undefined ? undefined : r.oneOf(a.policyEnforcementMode, 'cluster.agent.policyEnforcementMode', ['default', 'always', 'never'] as const)) ?? 'default',
    };
  }
  let istio = { rootNamespace: 'istio-system' };
  if (c.istio !== undefined) {
    const i = r.map(c.istio, 'cluster.istio', { rootNamespace: 1 });
    const root = i?.rootNamespace === undefined ? undefined : r.string(i.rootNamespace, 'cluster.istio.rootNamespace');
    if (root !== undefined) istio = { rootNamespace: root };
  }
  // Namespaces the pods name are implied (with only kubernetes.io/metadata.name), so small scenarios stay small.
  const allNamespaces = [...namespaces];
  for (const ns of new Set([...pods.map((p) => p.namespace), ...services.map((s) => s.namespace)])) {
    if (!allNamespaces.some((n) => n.name === ns)) allNamespaces.push({ name: ns, labels: { 'kubernetes.io/metadata.name': ns } });
  }
  return {
    cluster: { namespaces: allNamespaces, pods, services, nodes, apiServer, dnsAnswers, agent, istio },
    podNames,
    serviceNames: new Set(services.map((s) => `${s.namespace}/${s.name}`)),
    nodeNames,
  };
}

/** The canonical form of a DNS name: lower case with a final dot. */
export function canonical(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** An address in one spelling (`2001:DB8::1` and `2001:db8:0::1` are one address). */
function canonicalIp(ip: string): string {
  try {
    return String(Cidr.parse(ip));
  } catch {
    return ip; // a form the address check let through for its own message; compared as written
  }
}

/**
 * Pods without an `ip` get a stable made-up one from 10.255.0.0/16 (by their place in the list, skipping the addresses
 * of pods and nodes and any other the scenario writes, `mentioned`: a node at 10.255.0.2 had been taken for the pod
 * given that address, and a flow from the node judged as one from the pod); a hostNetwork pod has its node's address.
 */
function assignPodIps(pods: readonly (Omit<ClusterPod, 'ip'> & { ip?: string })[], nodes: readonly ClusterNode[], mentioned: ReadonlySet<string>): ClusterPod[] {
  const used = new Set([...pods.map((p) => p.ip).filter((ip): ip is string => ip !== undefined), ...nodes.map((n) => n.ip), ...mentioned].map(canonicalIp));
  let next = 1;
  return pods.map((p) => {
    if (p.ip !== undefined) return p as ClusterPod;
    if (p.hostNetwork) return { ...p, ip: nodes.find((n) => n.name === p.node)?.ip ?? '0.0.0.0' };
    let ip: string;
    do {
      ip = `10.255.${Math.floor(next / 250)}.${(next % 250) + 1}`;
      next++;
    } while (used.has(canonicalIp(ip)));
    used.add(canonicalIp(ip));
    return { ...p, ip };
  });
}

const PROTOCOLS: readonly FlowProtocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];
const VERDICTS: readonly Verdict[] = ['FORWARDED', 'DROPPED', 'DENIED'];

function readFlow(r: Reader, node: Node, w: string, c: ReadCluster): Flow | undefined {
  const m = r.map(node, w, { name: 1, from: 1, to: 1, port: 1, protocol: 1, icmp: 1, http: 1, dns: 1, expect: 1 }, ['from', 'to']);
  if (!m?.from || !m.to) return undefined;
  const from = readEnd(r, m.from, `${w}.from`, c, ['ip', 'node']);
  const to = readEnd(r, m.to, `${w}.to`, c, ['ip', 'service', 'fqdn', 'node']);
  const protocol = m.protocol === undefined ? 'TCP' : r.oneOf(m.protocol, `${w}.protocol`, PROTOCOLS);
  const isIcmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  let port = 0;
  if (isIcmp) {
    if (m.port !== undefined) r.problem(m.port, `${w}.port is given for an ${protocol} flow; expected icmp: { type: 8 } instead of a port; remove port`);
  } else if (m.port === undefined) {
    r.problem(node, `${w} has no 'port'; expected the destination port of a ${protocol ?? 'TCP'} flow; add e.g. port: 443`);
  } else {
    port = r.int(m.port, `${w}.port`, 1, 65535, 'port: 443') ?? 0;
  }
  let icmp: Flow['icmp'];
  if (m.icmp !== undefined) {
    if (!isIcmp) r.problem(m.icmp, `${w}.icmp is given for a ${protocol} flow; expected it only with protocol: ICMP or ICMPv6; remove icmp or set the protocol`);
    const i = r.map(m.icmp, `${w}.icmp`, { type: 1, code: 1 }, ['type']);
    const type = i?.type && r.int(i.type, `${w}.icmp.type`, 0, 255, 'type: 8');
    const code = i?.code === undefined ? undefined : r.int(i.code, `${w}.icmp.code`, 0, 255, 'code: 0');
    if (type !== undefined) icmp = { type, code };
  } else if (isIcmp) {
    r.problem(node, `${w} is an ${protocol} flow without 'icmp'; expected icmp: { type: 8 } (echo request); add it`);
  }
  let http: HttpRequest | undefined;
  if (m.http !== undefined) {
    if (protocol !== 'TCP') r.problem(m.http, `${w}.http is given for a ${protocol} flow; expected HTTP only over TCP; remove http or set protocol: TCP`);
    const h = r.map(m.http, `${w}.http`, { method: 1, path: 1, host: 1, headers: 1 }, ['method', 'path']);
    const method = h?.method && r.string(h.method, `${w}.http.method`);
    const path = h?.path && r.string(h.path, `${w}.http.path`);
    const host = h?.host === undefined ? undefined : r.string(h.host, `${w}.http.host`);
    if (method !== undefined && path !== undefined) http = { method, path, host, headers: r.labels(h!.headers, `${w}.http.headers`) ?? {} };
  }
  let dns: Flow['dns'];
  if (m.dns !== undefined) {
    const d = r.map(m.dns, `${w}.dns`, { query: 1 }, ['query']);
    const query = d?.query && r.string(d.query, `${w}.dns.query`);
    if (query !== undefined) dns = { query };
    if (protocol !== 'UDP' && protocol !== 'TCP') r.problem(m.dns, `${w}.dns is given for a ${protocol} flow; expected DNS over UDP or TCP; set protocol: UDP`);
  }
  let expect: FlowExpectation | undefined;
  if (m.expect !== undefined) {
    const e = r.map(m.expect, `${w}.expect`, { verdict: 1, dropReason: 1, httpStatus: 1, by: 1 });
    // An expect that compares nothing passes whatever the flow does.
    if (e && Object.keys(e).length === 0) {
      r.problem(m.expect, `${w}.expect names nothing to compare, so netsec test would pass the flow whatever happens to it; expected at least one of verdict, dropReason, httpStatus, by; add one, or remove expect`);
    }
    if (e) {
      expect = {
        verdict: e.verdict === undefined ? undefined : r.oneOf(e.verdict, `${w}.expect.verdict`, VERDICTS),
        dropReason: e.dropReason === undefined ? undefined : r.oneOf(e.dropReason, `${w}.expect.dropReason`, Object.values(DropReason) as string[]),
        httpStatus: e.httpStatus === undefined ? undefined : r.int(e.httpStatus, `${w}.expect.httpStatus`, 100, 599, 'httpStatus: 403'),
        by: e.by === undefined ? undefined : r.string(e.by, `${w}.expect.by`),
      };
      // The contract pairs them (explain-scenarios.md): a drop reason with DROPPED, an HTTP status with DENIED. Any other
      // pair can never pass, and said nothing about why.
      const pairs = [['dropReason', e.dropReason, 'DROPPED'], ['httpStatus', e.httpStatus, 'DENIED']] as const;
      for (const [field, node, verdict] of pairs) {
        if (node !== undefined && expect.verdict !== undefined && expect.verdict !== verdict) {
          r.problem(node, `${w}.expect.${field} is given with verdict ${expect.verdict}; expected it only with verdict ${verdict}; remove ${field} or expect ${verdict}`);
        }
      }
    }
  }
  if (from !== undefined && to !== undefined && protocol !== undefined) {
    // A packet has one address family: an IPv4 end and an IPv6 end, or ICMP with IPv6 addresses (ICMPv6 with IPv4),
    // describe no packet, and a verdict on it would say nothing.
    const a = addressOf(from, c.cluster);
    const b = addressOf(to, c.cluster);
    const family = (ip: string | undefined) => (ip === undefined ? undefined : isIP(ip));
    if (a && b && family(a) !== family(b)) {
      const shown = (end: FlowEnd, ip: string) => ('ip' in end ? `${ip} (IPv${family(ip)})` : `${endName(end)} (${ip}, IPv${family(ip)})`);
      r.problem(node, `${w} goes from ${shown(from, a)} to ${shown(to, b)}; expected ends of one address family, as a packet has; pick ends of one family`);
    } else if ((a ?? b) !== undefined && isIcmp && (protocol === 'ICMP') !== (family(a ?? b) === 4)) {
      r.problem(m.protocol ?? node, `${w} is an ${protocol} flow with ${a && b ? 'IPv' + family(a) + ' ends' : `an IPv${family(a ?? b)} end (${a ?? b})`}; expected ${family(a ?? b) === 4 ? 'ICMP' : 'ICMPv6'} for IPv${family(a ?? b)}; set protocol: ${family(a ?? b) === 4 ? 'ICMP' : 'ICMPv6'}`);
    }
  }
  if (from === undefined || to === undefined || protocol === undefined) return undefined;
  const name = (m.name === undefined ? undefined : r.string(m.name, `${w}.name`)) ?? `${endName(from)} -> ${endName(to)}:${isIcmp ? `icmp-${icmp?.type ?? '?'}` : port}/${protocol}`;
  return { name, from, to, port, protocol, icmp, http, dns, expect };
}

/**
 * An address a flow end stands for, when its family is certain: a pod's, a node's, an IP, a Service's ClusterIP, or a
 * name's first answer when all its answers are of one family (a name with both is left out).
 */
function addressOf(end: FlowEnd, cluster: Cluster): string | undefined {
  if ('ip' in end) return end.ip;
  if ('pod' in end) return cluster.pods.find((p) => `${p.namespace}/${p.name}` === end.pod)?.ip;
  if ('node' in end) return cluster.nodes.find((n) => n.name === end.node)?.ip;
  if ('service' in end) return cluster.services.find((v) => `${v.namespace}/${v.name}` === end.service)?.clusterIP;
  const answers = Object.hasOwn(cluster.dnsAnswers, canonical(end.fqdn)) ? cluster.dnsAnswers[canonical(end.fqdn)]! : [];
  return answers.length > 0 && answers.every((a) => isIP(a) === isIP(answers[0]!)) ? answers[0] : undefined;
}

/** How a flow's default name shows one end: `default/client`, `1.1.1.1`, `service kube-system/kube-dns`. */
export function endName(end: FlowEnd): string {
  if ('pod' in end) return end.pod;
  if ('ip' in end) return end.ip;
  if ('node' in end) return `node ${end.node}`;
  if ('service' in end) return `service ${end.service}`;
  return end.fqdn;
}

function readEnd(r: Reader, node: Node, w: string, c: ReadCluster, kinds: readonly string[]): FlowEnd | undefined {
  const forms = `a pod "namespace/name" or { ${kinds.join(' | ')} }`;
  if (isScalar(node)) {
    // `to: null` or `to: 8080`: not a pod reference, and quoting it would not make one.
    if (typeof node.value !== 'string') return r.problem(node, `${w} is ${describe(node)}; expected ${forms}; name the pod as namespace/name`);
    const pod = r.string(node, w);
    if (pod === undefined) return undefined;
    if (!/^[^/]+\/[^/]+$/.test(pod)) return r.problem(node, `${w} is '${echo(pod)}'; expected ${forms}; write the pod as namespace/name`);
    if (!c.podNames.has(pod)) return r.problem(node, `${w} names the pod '${echo(pod)}', which cluster.pods does not list; expected one of: ${[...c.podNames].join(', ') || '(no pods)'}; add the pod or fix the name`);
    return { pod };
  }
  const m = r.map(node, w, Object.fromEntries(kinds.map((k) => [k, 1])));
  if (!m) return undefined;
  const keys = Object.keys(m);
  if (keys.length !== 1) return r.problem(node, `${w} has ${keys.length === 0 ? 'no address' : `${keys.join(' and ')}`}; expected exactly one of ${kinds.join(', ')}; keep one`);
  const key = keys[0]!;
  if (key === 'ip') {
    const ip = r.ip(m.ip, `${w}.ip`);
    return ip === undefined ? undefined : { ip };
  }
  const value = r.string(m[key], `${w}.${key}`);
  if (value === undefined) return undefined;
  if (key === 'node') {
    if (!c.nodeNames.has(value)) return r.problem(m[key], `${w}.node is '${echo(value)}', which cluster.nodes does not list; expected one of: ${[...c.nodeNames].join(', ') || '(no nodes)'}; add the node or fix the name`);
    return { node: value };
  }
  if (key === 'service') {
    if (!c.serviceNames.has(value)) return r.problem(m[key], `${w}.service names '${echo(value)}', which cluster.services does not list; expected one of: ${[...c.serviceNames].join(', ') || '(no services)'}; add the service or fix the name`);
    return { service: value };
  }
  if (!c.cluster.dnsAnswers[canonical(value)]?.length) {
    return r.problem(m[key], `${w}.fqdn is '${echo(value)}', which cluster.dnsAnswers does not resolve; expected a name with addresses; add "${echo(canonical(value))}": [<address>] to cluster.dnsAnswers`);
  }
  return { fqdn: value };
}

