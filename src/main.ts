// The bundled example as a TypeScript cdk8s app: the same clusters and constructs as netsec.yaml, so that
// `cdk8s synth` (cdk8s.yaml runs the compiled lib/src/main.js) and `netsec synth -c netsec.yaml` write the same bytes.
import { pathToFileURL } from 'node:url';
import { CalicoEgressBlock, CiliumCidrGroup, CiliumEgressBlock, NetsecApp, NetsecChart, NetsecError, Target } from './index.js';
// Hubble flow logs and Istio
import { FlowFilter, FlowLogOutput, HubbleFlowLogs, IstioMeshSettings, NativeSidecarMode } from './index.js';
// Istio authorization
import { AKS_ISTIO_ROOT_NAMESPACE, AuthorizationAction, AuthorizationPolicy, MtlsMode, PeerAuthentication, suppressRules } from './index.js';
// NodeLocal DNSCache and Cilium policies
import { CiliumNetworkPolicy, DnsAccess, EndpointSelector, HttpRule, NodeLocalDnsCache, Peer, PolicyDefault, Port } from './index.js';

/** Builds the example app. Exported so a test can prove it equals the netsec.yaml build. */
export function buildExampleApp(): NetsecApp {
  const app = new NetsecApp();

  // An AKS cluster on Cilium 1.17 with Istio 1.23 and NodeLocal DNSCache behind a Cilium Local Redirect Policy.
  const aks = new Target({
    name: 'aks-cilium',
    kubernetes: '1.30',
    cilium: '1.17',
    istio: '1.23',
    cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.0.0.0/16'] },
  });
  // A cluster on Calico 3.30: policy tiers, so egress blocking uses its own tier.
  const calico = new Target({
    name: 'onprem-calico',
    kubernetes: '1.31',
    calico: '3.30',
    cluster: { podCidrs: ['192.168.0.0/16'], serviceCidrs: ['10.96.0.0/12'] },
  });
  // An older cluster on Calico 3.28 (no tiers): egress blocking uses the default-tier design (a blocking policy and an allow-all one).
  const legacyCalico = new Target({ name: 'legacy-calico', kubernetes: '1.29', calico: '3.28' });

  // --- Egress blocking on AKS with Cilium CIDR groups and on Calico: the same block list on every Cilium and Calico target. ---
  const blockList = ['217.160.0.92/32', '217.160.0.111/32', '217.160.223.1/32'];
  const aksEgress = new NetsecChart(app, 'aks-cilium-egress-blocking', { target: aks, component: 'egress-blocking' });
  new CiliumEgressBlock(aksEgress, 'Cilium-egress-traffic-blocking', { name: 'egress-traffic-blocking', cidrs: blockList });
  for (const target of [calico, legacyCalico]) {
    const chart = new NetsecChart(app, `${target.name}-egress-blocking`, { target, component: 'egress-blocking' });
    new CalicoEgressBlock(chart, 'Calico-egress-traffic-blocking', { name: 'egress-traffic-blocking', cidrs: blockList, allowPolicyName: 'egress-traffic-allow' });
  }

  // --- CiliumCIDRGroups that only label world IPs (Azure IMDS and internal DNS) for Hubble. ---
  new CiliumCidrGroup(aksEgress, 'Group-azure-imds', { name: 'azure-imds', cidrs: ['169.254.169.254/32'], labels: { 'k8s-app': 'azure-imds' } });
  new CiliumCidrGroup(aksEgress, 'Group-azure-internal-dns', { name: 'azure-internal-dns', cidrs: ['168.63.129.16/32'], labels: { 'k8s-app': 'azure-internal-dns' } });

  // --- Hubble flow log of egress denied by the block (drop reason 181, with match_sub_type, so that only those drops match), to stdout. ---
  const aksHubble = new NetsecChart(app, 'aks-cilium-hubble-flow-logs', { target: aks, component: 'hubble-flow-logs' });
  new HubbleFlowLogs(aksHubble, 'FlowLogs-cilium-flowlog-config', {
    name: 'cilium-flowlog-config',
    flowLogs: [{ name: 'egress-traffic-blocking', output: FlowLogOutput.stdout(), includeFilters: [FlowFilter.egressDeniedByDenyRule()] }],
  });

  // --- Istio native sidecars on Istio 1.23: IstioOperator values for istioctl, plus the same settings as istiod Helm values. ---
  const aksIstio = new NetsecChart(app, 'aks-cilium-istio', { target: aks, component: 'istio' });
  new IstioMeshSettings(aksIstio, 'IstioMeshSettings-0', { nativeSidecars: NativeSidecarMode.ENABLED, pilotEnableStatus: true, rewriteAppHttpProbe: true });
  // The AKS Istio add-on (root namespace aks-istio-system): deny by default across the mesh, GET only to app: sample in foo, STRICT mTLS everywhere.
  new PeerAuthentication(aksIstio, 'StrictMtls', { name: 'strict-mtls', mode: MtlsMode.STRICT, rootNamespace: AKS_ISTIO_ROOT_NAMESPACE });
  suppressRules(AuthorizationPolicy.allowNothing(aksIstio, 'AllowNothing', { rootNamespace: AKS_ISTIO_ROOT_NAMESPACE }), [
    { id: 'istio/allow-nothing-scope', reason: 'deny by default across the mesh; each workload gets explicit ALLOW policies' },
  ]);
  new AuthorizationPolicy(aksIstio, 'AllowGetRequests', {
    name: 'allow-get-requests', namespace: 'foo', rootNamespace: AKS_ISTIO_ROOT_NAMESPACE, selector: { app: 'sample' }, action: AuthorizationAction.ALLOW, rules: [{ to: [{ methods: ['GET'] }] }],
  });

  // --- NodeLocal DNSCache behind a Cilium Local Redirect Policy on AKS, and the Cilium Helm value that enables LRPs. ---
  new NodeLocalDnsCache(new NetsecChart(app, 'aks-cilium-node-local-dns', { target: aks, component: 'node-local-dns' }), 'NodeLocalDns-kube-system-node-local-dns');

  // --- Cilium policies: FQDN, DNS-pattern, deny-all and L7; netsec adds DNS rules to kube-dns and node-local-dns (cilium#24654). ---
  const aksPolicies = new NetsecChart(app, 'aks-cilium-cilium-policies', { target: aks, component: 'cilium-policies' });
  // A workload locked down to api.example.com, behind NodeLocal DNSCache.
  new CiliumNetworkPolicy(aksPolicies, 'Cnp-default-secure-workload-policy', { name: 'secure-workload-policy', endpointSelector: EndpointSelector.labels({ app: 'critical-workload' }) })
    .allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
  // Connections only to names under k8s.intra, learned from DNS answers.
  new CiliumNetworkPolicy(aksPolicies, 'Cnp-default-echo', { name: 'echo', endpointSelector: EndpointSelector.labels({ app: 'net' }) })
    .allowEgress({ to: [Peer.fqdnPattern('*.k8s.intra')] });
  // Deny all egress (`egress: [{}]`), DNS included.
  new CiliumNetworkPolicy(aksPolicies, 'Cnp-default-productpage-deny-all', {
    name: 'productpage-deny-all',
    endpointSelector: EndpointSelector.labels({ app: 'productpage' }),
    egressDefault: PolicyDefault.DENY,
    dns: DnsAccess.NONE,
  });
  // L7: only GET /discount from the client pods (port 80).
  new CiliumNetworkPolicy(aksPolicies, 'Cnp-default-l7-policy', { name: 'l7-policy', endpointSelector: EndpointSelector.labels({ type: 'l7-test' }) })
    .allowIngress({ from: [Peer.podsInPolicyNamespace({ org: 'client-pod' })], ports: [Port.tcp(80)], http: [HttpRule.get('/discount')] });

  return app;
}

// Run as a program (cdk8s synth): NetsecApp.synth() validates, refuses invalid output and writes atomically.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildExampleApp().synth();
  } catch (err) {
    // A refusal prints as netsec synth prints it; anything else is a bug and keeps its stack trace.
    if (!(err instanceof NetsecError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
