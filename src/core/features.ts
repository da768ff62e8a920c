import { Product } from './versions.js';

/**
 * Every versioned fact a construct depends on. Constructs ask `Target.has(Feature.X)` or `Target.require(...)`;
 * they never compare versions themselves, so a fact is corrected in one place.
 */
export enum Feature {
  CILIUM_CIDR_GROUP_V2 = 'cilium/cidr-group-v2',
  CILIUM_EGRESS_CIDR_GROUP_REF = 'cilium/egress-cidr-group-ref',
  CILIUM_ENABLE_DEFAULT_DENY = 'cilium/enable-default-deny',
  CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG = 'cilium/non-default-deny-policies-flag',
  CILIUM_CIDR_GROUP_SINGLE_IDENTITY = 'cilium/cidr-group-single-identity',
  CILIUM_CIDR_GROUP_SELECTOR = 'cilium/cidr-group-selector',
  CILIUM_FQDN_MULTILEVEL_WILDCARD = 'cilium/fqdn-multilevel-wildcard',
  CILIUM_POLICY_LOG = 'cilium/policy-log',
  CILIUM_L7_KAFKA_AND_GENERIC = 'cilium/l7-kafka-and-generic',
  CILIUM_LRP_SKIP_REDIRECT_FROM_BACKEND = 'cilium/lrp-skip-redirect-from-backend',
  CILIUM_RULE_NEEDS_SECTION = 'cilium/rule-needs-section',
  CILIUM_TO_SERVICES_WITH_TO_PORTS = 'cilium/to-services-with-to-ports',
  CILIUM_L7_PORT_RANGES = 'cilium/l7-port-ranges',
  CILIUM_HOST_POLICY_DNS_L7 = 'cilium/host-policy-dns-l7',
  CILIUM_CIDR_GROUP_REF_EXCEPT = 'cilium/cidr-group-ref-except',
  CILIUM_REQUIRES_SELECTORS = 'cilium/requires-selectors',
  CILIUM_LRP_HELM_LOCAL_REDIRECT_POLICIES = 'cilium/lrp-helm-local-redirect-policies',
  HUBBLE_EXPORT_STDOUT = 'hubble/export-stdout',
  HUBBLE_FLOWLOG_ROTATION = 'hubble/flowlog-rotation',
  HUBBLE_FLOWLOG_AGGREGATION = 'hubble/flowlog-aggregation',
  CALICO_TIERS = 'calico/tiers',
  CALICO_NATIVE_V3_CRDS = 'calico/native-v3-crds',
  CALICO_EBPF_LOG = 'calico/ebpf-log',
  ISTIO_OPERATOR_CRD = 'istio/operator-crd',
  ISTIO_NATIVE_SIDECAR_ANNOTATION = 'istio/native-sidecar-annotation',
  ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT = 'istio/native-sidecars-auto-default',
  ISTIO_DISCOVERY_TOP_LEVEL_VALUES = 'istio/discovery-top-level-values',
  ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT = 'istio/authz-source-service-account',
  ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN = 'istio/authz-source-trust-domain',
  K8S_SIDECAR_CONTAINERS_BETA = 'kubernetes/sidecar-containers-beta',
  K8S_SIDECAR_CONTAINERS_GA = 'kubernetes/sidecar-containers-ga',
}

/** One row of the gate table. `since` and `until` are inclusive minor lines. */
export interface FeatureSpec {
  readonly product: Product;
  /** What the feature is, as a user would name it in an error message. */
  readonly title: string;
  /** First line that has it. @default - every supported line */
  readonly since?: string;
  /** Last line that has it. @default - still present */
  readonly until?: string;
  /** Where the fact comes from (../shared guides and upstream data). */
  readonly source: string;
}

/** The gate table. Facts: version-facts.md §B and findings, upstream/README.md. */
export const FEATURES: Record<Feature, FeatureSpec> = {
  [Feature.CILIUM_CIDR_GROUP_V2]: {
    product: Product.CILIUM, since: '1.18', title: 'CiliumCIDRGroup apiVersion cilium.io/v2',
    source: 'upstream/README.md (CCG v2 storage from 1.18; v2alpha1 only in 1.16/1.17); version-facts finding 3',
  },
  [Feature.CILIUM_EGRESS_CIDR_GROUP_REF]: {
    product: Product.CILIUM, since: '1.16', title: 'egress toCIDRSet.cidrGroupRef',
    source: 'version-facts finding 2 (cilium#30624, v1.16.0-pre.0)',
  },
  [Feature.CILIUM_ENABLE_DEFAULT_DENY]: {
    product: Product.CILIUM, since: '1.16', title: 'enableDefaultDeny',
    source: 'version-facts finding 1 (cilium PR #30572, cilium#35558)',
  },
  [Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG]: {
    product: Product.CILIUM, since: '1.17', title: 'the agent flag enable-non-default-deny-policies (Helm enableNonDefaultDenyPolicies)',
    source: 'cilium PR #34940 (merged 2024-09-24, after 1.16.0); chart values.yaml has enableNonDefaultDenyPolicies: true in every 1.17.0-1.19.7 chart and none in 1.16.0-1.16.6 (upstream charts as vendored in giantswarm/cilium-app); 1.20-dev values.yaml:4327 (domain-notes finding 3). Before the flag, enableDefaultDeny is always honored',
  },
  [Feature.CILIUM_CIDR_GROUP_SINGLE_IDENTITY]: {
    product: Product.CILIUM, since: '1.17', title: 'one security identity per CiliumCIDRGroup',
    source: 'version-facts finding 4 (cilium PR #33441, #45763)',
  },
  [Feature.CILIUM_CIDR_GROUP_SELECTOR]: {
    product: Product.CILIUM, since: '1.17', title: 'toCIDRSet.cidrGroupSelector',
    source: 'upstream/README.md (property-paths: 1.17 adds cidrGroupSelector)',
  },
  [Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD]: {
    product: Product.CILIUM, since: '1.19', title: "the '**.' multi-level wildcard in matchPattern",
    source: 'version-facts finding 11 (cilium PR #43420, #43913)',
  },
  [Feature.CILIUM_POLICY_LOG]: {
    product: Product.CILIUM, since: '1.18', title: 'spec.log in CiliumNetworkPolicy',
    source: 'upstream/README.md (1.18 adds spec.log)',
  },
  [Feature.CILIUM_L7_KAFKA_AND_GENERIC]: {
    product: Product.CILIUM, until: '1.19', title: 'toPorts[].rules.kafka and rules.l7/l7proto',
    source: 'upstream/README.md (1.20 removes rules.kafka, rules.l7, rules.l7proto)',
  },
  [Feature.CILIUM_LRP_SKIP_REDIRECT_FROM_BACKEND]: {
    product: Product.CILIUM, since: '1.16', title: 'CiliumLocalRedirectPolicy skipRedirectFromBackend',
    source: 'version-facts finding 9 (1.16 upgrade notes); present in every vendored LRP CRD',
  },
  [Feature.CILIUM_LRP_HELM_LOCAL_REDIRECT_POLICIES]: {
    product: Product.CILIUM, since: '1.18', title: 'Helm key localRedirectPolicies.enabled (replaces localRedirectPolicy)',
    source: 'version-facts finding 9 (cilium PR #39858); upstream/README.md',
  },
  [Feature.CILIUM_RULE_NEEDS_SECTION]: {
    product: Product.CILIUM, since: '1.17', title: 'refusing a rule without ingress, ingressDeny, egress or egressDeny',
    source: 'cilium pkg/policy/api/rule_validation.go Rule.Sanitize: absent at v1.16.15 (75130674), "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny" at v1.17.14 (6fc7f972)',
  },
  [Feature.CILIUM_TO_SERVICES_WITH_TO_PORTS]: {
    product: Product.CILIUM, since: '1.17', title: 'toServices together with toPorts in one rule',
    source: 'cilium pkg/policy/api/rule_validation.go l3DependentL4Support: "ToServices": false at v1.16.15 (cilium#20067), true at v1.17.14; TestToServicesSanitize',
  },
  [Feature.CILIUM_L7_PORT_RANGES]: {
    product: Product.CILIUM, since: '1.17', title: 'port ranges (endPort) on HTTP and other non-DNS L7 rules',
    source: 'cilium pkg/policy/api/rule_validation.go PortProtocol.sanitize: "L7 rules do not support port ranges" at v1.16.15, "DNS rules do not support port ranges" at v1.17.14',
  },
  [Feature.CILIUM_HOST_POLICY_DNS_L7]: {
    product: Product.CILIUM, since: '1.17', title: 'DNS L7 rules in host policies (nodeSelector) on egress',
    source: 'cilium pkg/policy/api/rule_validation.go: "host policies do not support L7 rules yet" for every L7 at v1.16.15; only HTTP/Kafka refused on host egress at v1.17.14 (TestL7RulesWithNodeSelector)',
  },
  [Feature.CILIUM_CIDR_GROUP_REF_EXCEPT]: {
    product: Product.CILIUM, since: '1.17', title: 'except together with cidrGroupRef',
    source: 'domain-notes §A.3 cilium/cidrgroup-except-version (cilium#36494, PRs #36559-#36561); cilium pkg/policy/k8s/cilium_cidr_group.go v1.16.15 "ExceptCIDRs cannot be used in combination with CIDRGroupRef"',
  },
  [Feature.CILIUM_REQUIRES_SELECTORS]: {
    product: Product.CILIUM, until: '1.18', title: 'toRequires and fromRequires',
    source: 'domain-notes §A.1 cilium/removed-fields (deprecated in 1.17, removed in 1.19: CRD MaxItems=0); rule_validation.go no longer sanitizes them at v1.19.0-pre.4 (f12299b2)',
  },
  [Feature.HUBBLE_EXPORT_STDOUT]: {
    product: Product.CILIUM, since: '1.16', title: "Hubble exporter filePath 'stdout'",
    source: 'version-facts finding 7 (cilium PR #31422)',
  },
  [Feature.HUBBLE_FLOWLOG_ROTATION]: {
    product: Product.CILIUM, since: '1.18', title: "per-flow-log 'rotation' (fileMaxSizeMb, fileMaxBackups, fileCompress)",
    source: 'upstream/README.md (FlowLogConfig keys per line)',
  },
  [Feature.HUBBLE_FLOWLOG_AGGREGATION]: {
    product: Product.CILIUM, since: '1.19', title: "per-flow-log 'aggregation' (fieldAggregate, aggregationInterval)",
    source: 'upstream/README.md (FlowLogConfig keys per line)',
  },
  [Feature.CALICO_TIERS]: {
    product: Product.CALICO, since: '3.30', title: 'Calico policy tiers (Tier, spec.tier)',
    source: 'upstream/README.md (v3.28.5 has no tier field; v3.30.7 adds Tier CRD)',
  },
  [Feature.CALICO_NATIVE_V3_CRDS]: {
    product: Product.CALICO, since: '3.32', title: 'native projectcalico.org/v3 CRDs',
    source: 'upstream/README.md (v3.32.0+ ships api/config/crd); version-facts finding 12',
  },
  [Feature.CALICO_EBPF_LOG]: {
    product: Product.CALICO, since: '3.29', title: 'the Log action on the eBPF dataplane',
    source: 'version-facts finding 13 (calico PR #9452)',
  },
  [Feature.ISTIO_OPERATOR_CRD]: {
    product: Product.ISTIO, until: '1.23', title: 'the in-cluster IstioOperator CRD',
    source: 'upstream/README.md (crd-operator.yaml last shipped in 1.23.x); version-facts finding 15',
  },
  [Feature.ISTIO_NATIVE_SIDECAR_ANNOTATION]: {
    product: Product.ISTIO, since: '1.24', title: 'the sidecar.istio.io/nativeSidecar annotation',
    source: 'version-facts finding 14, §B.5',
  },
  [Feature.ISTIO_DISCOVERY_TOP_LEVEL_VALUES]: {
    product: Product.ISTIO, since: '1.24', title: "istiod chart values at the top level ('env', not 'pilot.env')",
    source: 'istio/istio manifests/charts/istio-control/istio-discovery: templates at 1.23.6 read .Values.pilot.env; from 1.24 (PR #52036, checked at 1.24.6-1.30.3) .Values.env, with pilot.* still copied to the top level by templates/zzy_descope_legacy.yaml',
  },
  [Feature.ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT]: {
    product: Product.ISTIO, since: '1.25', title: "AuthorizationPolicy serviceAccounts and the condition key 'source.serviceAccount'",
    source: 'istio/istio pkg/config/security/security.go (attrSrcServiceAccount) at 1.25.5, absent at 1.24.6; istio/istio base chart CRDs (serviceAccounts absent at 1.24)',
  },
  [Feature.ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN]: {
    product: Product.ISTIO, since: '1.30', title: "AuthorizationPolicy trustDomains and the condition key 'source.trustDomain'",
    source: 'istio/istio pkg/config/security/security.go (attrSrcTrustDomain) at 1.30.3, absent at 1.29.6; upstream/crds/istio/1.30.3 (trustDomains)',
  },
  [Feature.ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT]: {
    product: Product.ISTIO, since: '1.27', title: "ENABLE_NATIVE_SIDECARS defaulting to 'auto'",
    source: 'version-facts finding 14 (istio PR #56428)',
  },
  [Feature.K8S_SIDECAR_CONTAINERS_BETA]: {
    product: Product.KUBERNETES, since: '1.29', title: 'the SidecarContainers feature (beta, on by default)',
    source: 'version-facts §B.6',
  },
  [Feature.K8S_SIDECAR_CONTAINERS_GA]: {
    product: Product.KUBERNETES, since: '1.33', title: 'the SidecarContainers feature (GA)',
    source: 'version-facts §B.6',
  },
};
