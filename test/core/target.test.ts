import { describe, expect, test } from 'vitest';
import { FEATURES, Feature, NetsecError, Product, Target } from '../../src/index.js';

/**
 * The boundaries as version-facts.md and upstream/README.md state them, written out independently of the gate table:
 * [feature, product, last line without it, first line with it] or, for features that end, [.., last with, first without].
 */
const SINCE: [Feature, Product, string, string][] = [
  [Feature.CILIUM_CIDR_GROUP_V2, Product.CILIUM, '1.17', '1.18'],
  [Feature.CILIUM_CIDR_GROUP_SINGLE_IDENTITY, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_CIDR_GROUP_SELECTOR, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_FQDN_MULTILEVEL_WILDCARD, Product.CILIUM, '1.18', '1.19'],
  // rule_validation.go at v1.16.15 vs v1.17.14 (cilium/cilium), cilium_cidr_group.go at v1.16.15.
  [Feature.CILIUM_RULE_NEEDS_SECTION, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_TO_SERVICES_WITH_TO_PORTS, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_L7_PORT_RANGES, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_HOST_POLICY_DNS_L7, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_CIDR_GROUP_REF_EXCEPT, Product.CILIUM, '1.16', '1.17'],
  [Feature.CILIUM_POLICY_LOG, Product.CILIUM, '1.17', '1.18'],
  [Feature.CILIUM_LRP_HELM_LOCAL_REDIRECT_POLICIES, Product.CILIUM, '1.17', '1.18'],
  [Feature.HUBBLE_FLOWLOG_ROTATION, Product.CILIUM, '1.17', '1.18'],
  [Feature.HUBBLE_FLOWLOG_AGGREGATION, Product.CILIUM, '1.18', '1.19'],
  [Feature.CALICO_EBPF_LOG, Product.CALICO, '3.28', '3.29'],
  [Feature.CALICO_TIERS, Product.CALICO, '3.29', '3.30'],
  [Feature.CALICO_NATIVE_V3_CRDS, Product.CALICO, '3.31', '3.32'],
  [Feature.ISTIO_NATIVE_SIDECAR_ANNOTATION, Product.ISTIO, '1.23', '1.24'],
  [Feature.ISTIO_DISCOVERY_TOP_LEVEL_VALUES, Product.ISTIO, '1.23', '1.24'],
  [Feature.ISTIO_AUTHZ_SOURCE_SERVICE_ACCOUNT, Product.ISTIO, '1.24', '1.25'],
  [Feature.ISTIO_AUTHZ_SOURCE_TRUST_DOMAIN, Product.ISTIO, '1.29', '1.30'],
  [Feature.ISTIO_NATIVE_SIDECARS_AUTO_DEFAULT, Product.ISTIO, '1.26', '1.27'],
  [Feature.K8S_SIDECAR_CONTAINERS_BETA, Product.KUBERNETES, '1.28', '1.29'],
  [Feature.K8S_SIDECAR_CONTAINERS_GA, Product.KUBERNETES, '1.32', '1.33'],
];
/** Features that every supported line has (their first version is below the oldest supported line, 1.16). */
const ALWAYS: [Feature, Product, string][] = [
  [Feature.CILIUM_EGRESS_CIDR_GROUP_REF, Product.CILIUM, '1.16'],
  [Feature.CILIUM_ENABLE_DEFAULT_DENY, Product.CILIUM, '1.16'],
  [Feature.CILIUM_LRP_SKIP_REDIRECT_FROM_BACKEND, Product.CILIUM, '1.16'],
  [Feature.HUBBLE_EXPORT_STDOUT, Product.CILIUM, '1.16'],
];
const UNTIL: [Feature, Product, string, string][] = [
  [Feature.ISTIO_OPERATOR_CRD, Product.ISTIO, '1.23', '1.24'],
  [Feature.CILIUM_L7_KAFKA_AND_GENERIC, Product.CILIUM, '1.19', '1.20'],
  [Feature.CILIUM_REQUIRES_SELECTORS, Product.CILIUM, '1.18', '1.19'],
];

const at = (product: Product, line: string): Target => new Target({ name: 't', [product]: line });

describe('capability gates flip at the documented versions', () => {
  test.each(SINCE)('%s is absent at %s %s and present from %s', (feature, product, without, withIt) => {
    expect(at(product, without).has(feature)).toBe(false);
    expect(at(product, withIt).has(feature)).toBe(true);
  });

  test.each(ALWAYS)('%s is present from the oldest supported %s line', (feature, product, first) => {
    expect(at(product, first).has(feature)).toBe(true);
    expect(FEATURES[feature].since! <= first).toBe(true);
  });

  test.each(UNTIL)('%s is present at %s %s and gone from %s', (feature, product, last, gone) => {
    expect(at(product, last).has(feature)).toBe(true);
    expect(at(product, gone).has(feature)).toBe(false);
  });

  test('every gate in the table is covered by this test', () => {
    const covered = new Set([...SINCE, ...ALWAYS, ...UNTIL].map((row) => row[0]));
    expect(Object.values(Feature).filter((f) => !covered.has(f))).toEqual([]);
  });

  test('a feature of a product the target does not run is absent', () => {
    expect(new Target({ name: 't', calico: '3.30' }).has(Feature.CILIUM_CIDR_GROUP_V2)).toBe(false);
  });

  test('patch versions and a leading v are accepted and compared by line', () => {
    expect(at(Product.CILIUM, 'v1.18.3').has(Feature.CILIUM_CIDR_GROUP_V2)).toBe(true);
    expect(at(Product.CILIUM, '1.17.14').has(Feature.CILIUM_CIDR_GROUP_V2)).toBe(false);
  });
});

describe('gate errors name the feature, the target and the first version that has it', () => {
  test('a missing feature', () => {
    expect(() => at(Product.CILIUM, '1.17').require(Feature.CILIUM_CIDR_GROUP_V2, "CiliumEgressBlock 'geo'")).toThrow(
      new NetsecError('INVALID', "CiliumEgressBlock 'geo': CiliumCIDRGroup apiVersion cilium.io/v2 needs Cilium 1.18 or later; target 't' runs Cilium 1.17."),
    );
  });

  test('a feature that is gone', () => {
    expect(() => at(Product.ISTIO, '1.24.2').require(Feature.ISTIO_OPERATOR_CRD, 'IstioNativeSidecars')).toThrow(
      "IstioNativeSidecars: the in-cluster IstioOperator CRD exists only up to Istio 1.23; target 't' runs Istio 1.24.2.",
    );
  });

  test('a product the target does not run', () => {
    expect(() => at(Product.CALICO, '3.30').require(Feature.CILIUM_ENABLE_DEFAULT_DENY, 'CiliumNetworkPolicy')).toThrow(
      "CiliumNetworkPolicy: needs Cilium, but target 't' names no Cilium version.",
    );
  });
});

describe('unsupported versions are errors, not guesses', () => {
  test.each([
    [Product.CILIUM, '1.15', "target 'old': Cilium 1.15 is not supported; supported lines are 1.16 to 1.20."],
    [Product.CILIUM, '1.21', "target 'old': Cilium 1.21 is not supported; supported lines are 1.16 to 1.20."],
    [Product.CALICO, '3.27', "target 'old': Calico 3.27 is not supported; supported lines are 3.28 to 3.32."],
    [Product.ISTIO, '1.22', "target 'old': Istio 1.22 is not supported; supported lines are 1.23 to 1.30."],
    [Product.KUBERNETES, '1.27', "target 'old': Kubernetes 1.27 is not supported; supported lines are 1.28 to 1.34."],
  ])('%s %s', (product, version, message) => {
    expect(() => new Target({ name: 'old', [product]: version })).toThrow(new NetsecError('CONFIG', message));
  });

  test.each(['latest', '1.017', '01.17', '1.19.99999999999999999999', '1.99999999999999999999', '1.17.'])('a malformed version: %s', (version) => {
    // Leading zeros and numbers too long to stay exact: '1.017' was read as 1.17, a 20-digit patch shown rounded.
    expect(() => new Target({ name: 'x', cilium: version })).toThrow(
      `target 'x' cilium: '${version}' is not a version; expected 'major.minor' or 'major.minor.patch' without leading zeros, e.g. '1.17' or '1.17.3'.`,
    );
  });

  test('versions with a v, a zero and a patch are read as written', () => {
    expect(new Target({ name: 'x', kubernetes: 'v1.30.0', cilium: '1.18.10' }).version(Product.CILIUM)?.toString()).toBe('1.18.10');
  });

  test('a target name that cannot be a folder', () => {
    expect(() => new Target({ name: 'Prod Cluster' })).toThrow(
      "target name 'Prod Cluster' must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters); it names the folder dist/Prod Cluster/.",
    );
  });

  test('describe() lists the versions in a fixed order', () => {
    expect(new Target({ name: 'a', istio: '1.23', cilium: '1.17', kubernetes: '1.30' }).describe()).toBe('Kubernetes 1.30, Cilium 1.17, Istio 1.23');
  });
});
