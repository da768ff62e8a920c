import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readOutput } from '../../src/core/output.js';
import { tempDir, TWO_CLUSTERS } from '../util.js';
import { run } from './run.js';

/**
 * What users reported as silently wrong output (the product guide's bad-input rules), through `netsec synth` as a
 * netsec.yaml user runs it: each is refused with its location and rule id, and the previous dist/ keeps every byte.
 */

const TARGETS = TWO_CLUSTERS;
const VALID = `${TARGETS}egressBlocking:\n  - name: geo\n    cidrs: [203.0.113.0/24]\n`;

async function refused(config: string): Promise<{ code: number; errors: string[] }> {
  const dir = tempDir('netsec-safety-');
  const out = join(dir, 'dist');
  writeFileSync(join(dir, 'netsec.yaml'), VALID);
  expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).code).toBe(0);
  const before = readOutput(out);
  writeFileSync(join(dir, 'netsec.yaml'), `${TARGETS}${config}`);
  const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
  expect(readOutput(out)).toEqual(before);
  return { code, errors: stderr.split('\n').filter((l) => l && !l.startsWith('warning: ')) };
}

describe('refused before anything is written', () => {
  test.each([
    [
      'a Calico allow policy named like the block (the allow-all would replace the block on apply)',
      'egressBlocking:\n  - name: eb\n    cidrs: [203.0.113.0/24]\n    calico: { design: default-tier, allowPolicyName: eb }\n    suppress: [{ rule: calico/default-tier-allow-overrides-knp, reason: the seed design on purpose }]\n',
      "error: netsec.yaml:9:5: GlobalNetworkPolicy 'eb' at metadata.name: has the same API group, kind, namespace and name as the object from netsec.yaml:9:5 [c-egress-blocking/Calico-eb/Resource]; on apply only the last one survives and the other silently does not exist. Give one of them another name. [k8s/duplicate-object]",
    ],
    [
      'a CIDR group named like an egress block (the ref would block the wrong list)',
      'egressBlocking:\n  - name: eb\n    cidrs: [203.0.113.0/24]\nciliumCidrGroups:\n  - name: eb\n    cidrs: [198.51.100.1/32]\n',
      "error: netsec.yaml:12:5: CiliumCIDRGroup 'eb' at metadata.name: has the same API group, kind, namespace and name as the object from netsec.yaml:9:5; on apply only the last one survives and the other silently does not exist. Give one of them another name. [k8s/duplicate-object]",
    ],
    [
      "a tier named like Calico's own default tier",
      'egressBlocking:\n  - name: eb\n    cidrs: [203.0.113.0/24]\n    calico: { tier: { name: default } }\n',
      "error: netsec.yaml:9:5: Tier 'default' at metadata.name: 'default' is a tier Calico creates and owns; applying this object changes how every policy in it is evaluated. Name your tier differently (for example 'egress-blocking'). [calico/reserved-tier]",
    ],
    [
      'a blocking tier ordered after the default tier',
      'egressBlocking:\n  - name: eb\n    cidrs: [203.0.113.0/24]\n    calico: { tier: { order: 2000000 } }\n',
      "error: netsec.yaml:9:5: Tier 'egress-blocking' at spec.order: has order 2,000,000, at or after the default tier (1,000,000), and its policies deny traffic: a Kubernetes NetworkPolicy that selects an endpoint decides in the default tier first, so these Deny rules never block what it allows. Give the tier an order below 1,000,000 (netsec's egress block uses 100). [calico/deny-tier-after-default]",
    ],
    [
      "a NodeLocal DNSCache named coredns (CoreDNS's own Corefile)",
      'nodeLocalDns:\n  - name: coredns\n',
      "error: netsec.yaml:9:5: ServiceAccount 'kube-system/coredns' at metadata.name: is CoreDNS's ServiceAccount; applying this object replaces it. Choose another name. [k8s/cluster-owned-object]",
    ],
    [
      'a NodeLocal DNSCache named cilium (its DaemonSet would replace the Cilium agent on every node)',
      'nodeLocalDns:\n  - name: cilium\n',
      "error: netsec.yaml:9:5: ServiceAccount 'kube-system/cilium' at metadata.name: is a name of the Cilium agent (its DaemonSet and ServiceAccount); applying this object replaces it. Choose another name. [k8s/cluster-owned-object]",
    ],
    [
      "a Hubble flow-log ConfigMap named kube-proxy (kubeadm's kube-proxy configuration)",
      'hubbleFlowLogs:\n  - name: kube-proxy\n    targets: [a]\n    flowLogs: [{ name: a }]\n',
      "error: netsec.yaml:9:5: ConfigMap 'kube-system/kube-proxy' at metadata.name: is a name of kube-proxy (its DaemonSet, ServiceAccount and configuration); applying this object replaces it. Choose another name. [k8s/cluster-owned-object]",
    ],
    [
      "a NodeLocal DNSCache named kube-dns (its pods would carry CoreDNS's label)",
      'nodeLocalDns:\n  - name: kube-dns\n',
      "error: netsec.yaml:9:5: DaemonSet 'kube-system/kube-dns' at spec.template.metadata.labels: labels its pods k8s-app: kube-dns, the label the kube-dns Service selects CoreDNS by: these pods would receive cluster DNS queries. Use another value (NodeLocal DNSCache uses node-local-dns). [dns/kube-dns-label-taken]",
    ],
    [
      'a clusterwide deny of the API server for every pod',
      'ciliumPolicies:\n  - name: no-api\n    kind: CiliumClusterwideNetworkPolicy\n    egressDefault: allow\n    egressDeny: [{ to: { entities: [kube-apiserver] } }]\n',
      "error: netsec.yaml:9:5: CiliumClusterwideNetworkPolicy 'no-api' at spec.egressDeny[0]: denies egress to the Kubernetes API server (entity kube-apiserver) for every workload the endpointSelector selects (every pod, save excluded namespaces): deny wins over every allow, so they all lose it at once. Narrow the endpointSelector to the workloads meant, or remove those peers from the deny. [cilium/deny-cluster-infrastructure]",
    ],
    [
      'a default route with one address carved out by except',
      'egressBlocking:\n  - name: eb\n    cidrs: [0.0.0.0/0]\n    except: [192.0.2.1/32]\n',
      "netsec.yaml:9:5: CiliumEgressBlock 'eb' contains '0.0.0.0/0'; expected specific prefixes (blocking every IPv4 address cuts the cluster off; set allowDefaultRoute to accept it)",
    ],
  ])('%s', async (_name, config, first) => {
    const { code, errors } = await refused(config);
    expect(code).toBeGreaterThanOrEqual(1);
    expect(code).toBeLessThanOrEqual(2);
    expect(errors[0]).toBe(first);
  });

  test('an object over the client-side apply budget (a 300 KB description), not only CIDR shards', async () => {
    const { code, errors } = await refused(`ciliumPolicies:\n  - name: big\n    namespace: app\n    description: "${'a'.repeat(300_000)}"\n    egress: [{ to: { entities: [world] } }]\n`);
    expect(code).toBe(1);
    expect(errors[0]).toBe(
      "error: netsec.yaml:9:5: CiliumNetworkPolicy 'app/big': is 300,420 bytes; client-side apply copies it into the kubectl.kubernetes.io/last-applied-configuration annotation, and all annotations (300,469 bytes then) are capped at 262,144. Split the content over several objects, or set the target's applyMode: server-side if the cluster is applied with server-side apply (Flux, Argo CD ServerSideApply=true). [k8s/object-too-large]",
    );
  });
});
