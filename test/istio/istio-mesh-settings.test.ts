import { JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { IstioMeshSettings, ManifestValidator, NativeSidecarMode, NetsecError, OutboundTrafficPolicyMode, Target, TargetProps } from '../../src/index.js';
import { findOne, synthValid, targetChart } from '../util.js';

const at = (istio: string, kubernetes = '1.30'): TargetProps => ({ name: 't', kubernetes, istio });
const WHO = "IstioMeshSettings 'test/Istio'";

/** Synthesizes one IstioMeshSettings on a target. */
function settingsOn(target: TargetProps, props: ConstructorParameters<typeof IstioMeshSettings>[2] = {}) {
  const { app, chart } = targetChart(target);
  const settings = new IstioMeshSettings(chart, 'Istio', props);
  const result = synthValid(app);
  const file = (path: string) => result.files.find((f) => f.path === `t/${path}`)?.content;
  return { settings, result, file, kustomization: parse(file('kustomization.yaml')!) as { resources: string[] } };
}

const SEED_VALUES = {
  pilot: { env: { PILOT_ENABLE_STATUS: true, ENABLE_NATIVE_SIDECARS: true } },
  sidecarInjectorWebhook: { rewriteAppHTTPProbe: true },
};

describe('the seed 000 IstioOperator', () => {
  test('on Istio 1.23 it is an applied object of the chart, valid against the 1.23 operator CRD', () => {
    const { result, file, kustomization } = settingsOn(at('1.23'));
    const iop = findOne(result.objects, 'IstioOperator');
    expect(iop).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istiocontrolplane', namespace: 'istio-system' },
      spec: { values: SEED_VALUES },
    });
    expect(file('test.yaml')).toContain('kind: IstioOperator');
    expect(file('not-applied/istio-operator.yaml')).toBeUndefined();
    expect(kustomization.resources).toEqual(['test.yaml']);
  });

  test("the same settings as istiod Helm values, laid out as each line's chart reads them: pilot.env up to 1.23, env from 1.24", () => {
    expect(parse(settingsOn(at('1.23')).file('istiod-values.yaml')!)).toEqual(SEED_VALUES);
    const flat = { env: SEED_VALUES.pilot.env, sidecarInjectorWebhook: SEED_VALUES.sidecarInjectorWebhook };
    for (const line of ['1.24', '1.27', '1.30']) expect(parse(settingsOn(at(line, '1.33')).file('istiod-values.yaml')!)).toEqual(flat);
  });

  test('outboundTrafficPolicy goes to meshConfig in the IstioOperator and in the Helm values, with a note on REGISTRY_ONLY', () => {
    const { app, chart } = targetChart(at('1.23'));
    new IstioMeshSettings(chart, 'Mesh', { outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY });
    const result = synthValid(app);
    expect(findOne(result.objects, 'IstioOperator').spec.meshConfig).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(parse(result.files.find((f) => f.path === 't/istiod-values.yaml')!.content).meshConfig).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(result.files.find((f) => f.path === 't/test.yaml')!.content).toContain(
      '# Note: outboundTrafficPolicy REGISTRY_ONLY: sidecars refuse traffic to hosts that are neither a Service nor a ServiceEntry (a 502 for HTTP, a reset for TCP); declare external hosts with ServiceEntry. Pods without a sidecar are not affected: a Cilium or Calico egress policy covers them.',
    );
    expect(() => new IstioMeshSettings(chart, 'Bad', { outboundTrafficPolicy: 'DENY' as OutboundTrafficPolicyMode })).toThrow(
      new NetsecError('INVALID', "IstioMeshSettings 'test/Bad': 'outboundTrafficPolicy' must be one of: ALLOW_ANY, REGISTRY_ONLY (got \"DENY\")."),
    );
  });

  test('from Istio 1.24 it goes to not-applied/, and the output says so', () => {
    const { file, kustomization, settings } = settingsOn(at('1.24'));
    const text = file('not-applied/istio-operator.yaml')!;
    expect(text).toContain('# NOT APPLIED to the cluster');
    expect(text).toContain(
      "# Note: IstioOperator istio-system/istiocontrolplane is an input for 'istioctl install -f not-applied/istio-operator.yaml': Istio 1.24 serves no IstioOperator CRD and runs no in-cluster operator (both removed in 1.24), so applying it would fail. Helm installs use istiod-values.yaml instead.",
    );
    expect(parse(text.replace(/^#.*\n/gm, ''))).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istiocontrolplane', namespace: 'istio-system' },
      spec: { values: SEED_VALUES },
    });
    expect(file('test.yaml')).not.toContain('kind: IstioOperator');
    expect(kustomization.resources).toEqual(['test.yaml']);
    expect(settings.operatorChart?.applyToCluster).toBe(false);
  });

  test('shape of the istioctl input', async () => {
    await expect(settingsOn(at('1.26')).file('not-applied/istio-operator.yaml')!.replace(/^#.*\n/gm, '')).toMatchFileSnapshot('__snapshots__/istio-operator.1.26.yaml');
  });
});

describe('native sidecars follow the Kubernetes and Istio versions', () => {
  const notes = (target: TargetProps, props = {}) =>
    settingsOn(target, props)
      .result.diagnostics.filter((d) => d.path === 'test/Istio')
      .map((d) => d.message);

  test('Kubernetes 1.28 (SidecarContainers alpha and off) refuses native sidecars', () => {
    const { chart } = targetChart(at('1.23', '1.28'));
    expect(() => new IstioMeshSettings(chart, 'Istio')).toThrow(
      new NetsecError(
        'INVALID',
        `${WHO}: native sidecars need the SidecarContainers feature (beta, on by default), which needs Kubernetes 1.29 or later; target 't' runs Kubernetes 1.28, where the feature gate is alpha and off, so injected pods would be rejected. Turn them off on this target: nativeSidecars: disabled (NativeSidecarMode.DISABLED).`,
      ),
    );
  });

  test('Kubernetes 1.28 gets classic sidecars', () => {
    const { result } = settingsOn(at('1.23', '1.28'), { nativeSidecars: NativeSidecarMode.DISABLED });
    expect(findOne(result.objects, 'IstioOperator').spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).toBe(false);
  });

  test('the Kubernetes gate flips at 1.29 (beta) and says GA from 1.33', () => {
    expect(notes(at('1.23', '1.29'))).toContain(
      'Native sidecars on: Kubernetes 1.29 has SidecarContainers beta, on by default (GA from 1.33); a cluster that turned the feature gate off rejects the injected pods.',
    );
    expect(notes(at('1.23', '1.33'))).toContain('Native sidecars on: Kubernetes 1.33 has SidecarContainers GA.');
  });

  test('a target without a Kubernetes version cannot force native sidecars', () => {
    const { chart } = targetChart({ name: 't', istio: '1.23' });
    expect(() => new IstioMeshSettings(chart, 'Istio')).toThrow(new NetsecError('INVALID', `${WHO}: needs Kubernetes, but target 't' names no Kubernetes version.`));
  });

  test('auto exists from Istio 1.27', () => {
    const { chart } = targetChart(at('1.26'));
    expect(() => new IstioMeshSettings(chart, 'Istio', { nativeSidecars: NativeSidecarMode.AUTO })).toThrow(
      new NetsecError(
        'INVALID',
        `${WHO}: nativeSidecars: auto (NativeSidecarMode.AUTO) needs Istio 1.27 or later, the first line with ENABLE_NATIVE_SIDECARS=auto; target 't' runs Istio 1.26. Choose enabled or disabled on this target (NativeSidecarMode.ENABLED, DISABLED).`,
      ),
    );
    const { result } = settingsOn(at('1.27'), { nativeSidecars: NativeSidecarMode.AUTO });
    expect(findOne(result.objects, 'IstioOperator').spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).toBe('auto');
  });

  test('what auto does flips at Kubernetes 1.33', () => {
    expect(notes(at('1.27', '1.32'), { nativeSidecars: NativeSidecarMode.AUTO })).toContain(
      'ENABLE_NATIVE_SIDECARS=auto keeps classic sidecars on Kubernetes 1.32 (auto turns them on only when every kubelet is 1.33 or later).',
    );
    expect(notes(at('1.27', '1.33'), { nativeSidecars: NativeSidecarMode.AUTO })).toContain(
      'ENABLE_NATIVE_SIDECARS=auto turns native sidecars on when every kubelet runs Kubernetes 1.33 as the target says (auto needs 1.33 or later).',
    );
  });

  test('from Istio 1.27 an explicit setting says what the auto default would have done', () => {
    expect(notes(at('1.26'))).not.toContainEqual(expect.stringContaining('defaults ENABLE_NATIVE_SIDECARS to auto'));
    expect(notes(at('1.27', '1.30'))).toContain(
      'Istio 1.27 defaults ENABLE_NATIVE_SIDECARS to auto, which keeps classic sidecars on Kubernetes 1.30 (auto turns them on only when every kubelet is 1.33 or later); this output sets it to true explicitly.',
    );
  });

  test('the per-pod annotation is mentioned from Istio 1.24', () => {
    const annotation = 'Pods override the mesh setting one at a time with the annotation sidecar.istio.io/nativeSidecar: "true" or "false" (gradual roll-out).';
    expect(notes(at('1.23'))).not.toContain(annotation);
    expect(notes(at('1.24'))).toContain(annotation);
  });

  test('the pod annotation for a gradual roll-out', () => {
    expect(() => IstioMeshSettings.nativeSidecarAnnotation(targetChart(at('1.23')).chart)).toThrow(
      new NetsecError('INVALID', "IstioMeshSettings.nativeSidecarAnnotation('test'): the sidecar.istio.io/nativeSidecar annotation needs Istio 1.24 or later; target 't' runs Istio 1.23."),
    );
    expect(IstioMeshSettings.nativeSidecarAnnotation(targetChart(at('1.24')).chart)).toEqual({ 'sidecar.istio.io/nativeSidecar': 'true' });
    expect(IstioMeshSettings.nativeSidecarAnnotation(targetChart(at('1.24', '1.28')).chart, false)).toEqual({ 'sidecar.istio.io/nativeSidecar': 'false' });
    expect(() => IstioMeshSettings.nativeSidecarAnnotation(targetChart(at('1.24', '1.28')).chart)).toThrow(/needs Kubernetes 1.29 or later/);
  });

  test('settings other than the seed', () => {
    const { result } = settingsOn(at('1.23'), { pilotEnableStatus: false, rewriteAppHttpProbe: false, operatorName: 'mesh', namespace: 'istio' });
    expect(findOne(result.objects, 'IstioOperator')).toMatchObject({
      metadata: { name: 'mesh', namespace: 'istio' },
      spec: { values: { pilot: { env: { PILOT_ENABLE_STATUS: false } }, sidecarInjectorWebhook: { rewriteAppHTTPProbe: false } } },
    });
  });

  test('an unknown mode, and a target without Istio', () => {
    expect(() => new IstioMeshSettings(targetChart(at('1.23')).chart, 'Istio', { nativeSidecars: 'on' as NativeSidecarMode })).toThrow(
      new NetsecError('INVALID', `${WHO}: 'nativeSidecars' must be one of: true, false, auto (got "on").`),
    );
    expect(() => new IstioMeshSettings(targetChart({ name: 't', kubernetes: '1.30' }).chart, 'Istio')).toThrow(
      new NetsecError('INVALID', `${WHO}: needs Istio, but target 't' names no Istio version.`),
    );
  });
});

describe('the validator reads an IstioOperator as an istioctl input', () => {
  const iop = (spec: unknown = { values: {} }) => ({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'x', namespace: 'istio-system' }, spec });
  const validator = (istio: string) => new ManifestValidator(new Target({ name: 't', istio }));

  test('applied to an Istio 1.24 cluster it is refused, with the way out', () => {
    expect(validator('1.24').validate(iop(), { applyToCluster: true }).map((f) => f.message)).toEqual([
      "'install.istio.io/v1alpha1' IstioOperator is not served by Istio 1.24 (schemas: crds/istio/1.30.3); Istio 1.24 has no IstioOperator CRD; an IstioOperator is an input for 'istioctl install -f': put it in a chart with applyToCluster: false",
    ]);
  });

  test('not applied, it is checked against the 1.23 operator CRD on any line', () => {
    expect(validator('1.24').validate(iop(), { applyToCluster: false })).toEqual([]);
    expect(validator('1.30').validate(iop())).toEqual([]);
    expect(validator('1.23').validate(iop(), { applyToCluster: true })).toEqual([]);
  });

  test('the envelope is still strict: spec must be an object, unknown top-level fields are refused', () => {
    expect(validator('1.24').validate(iop('values'), { applyToCluster: false }).map((f) => `${f.path}: ${f.message}`)).toEqual(['spec: expected object (got "values")']);
    expect(validator('1.23').validate({ ...iop(), extra: {} }).map((f) => `${f.path}: ${f.message}`)).toEqual([
      'extra: unknown field \'extra\' (the API server would prune it); expected one of: apiVersion, kind, metadata, spec',
    ]);
    // The operator CRD has the status subresource: an exported object's status is ignored, as the API server does.
    expect(validator('1.23').validate({ ...iop(), status: {} })).toEqual([]);
  });
});

test('escape hatch: the IstioOperator takes JSON patches', () => {
  const { app, chart } = targetChart(at('1.24'));
  const settings = new IstioMeshSettings(chart, 'Istio');
  settings.istioOperator.addJsonPatch(JsonPatch.add('/spec/meshConfig', { accessLogFile: '/dev/stdout' }));
  expect(findOne(synthValid(app).objects, 'IstioOperator').spec.meshConfig).toEqual({ accessLogFile: '/dev/stdout' });
});

describe('metadata (labels and annotations)', () => {
  test('reach the IstioOperator, in the chart where the CRD is served and in the not-applied chart from Istio 1.24', () => {
    for (const istio of ['1.23', '1.24']) {
      const { result, settings } = settingsOn(at(istio), { metadata: { labels: { team: 'mesh' }, annotations: { 'example.com/install': 'istioctl' } } });
      expect(settings.metadata).toBe(settings.istioOperator.metadata);
      expect(findOne(result.objects, 'IstioOperator').metadata).toEqual({
        name: 'istiocontrolplane',
        namespace: 'istio-system',
        labels: { team: 'mesh' },
        annotations: { 'example.com/install': 'istioctl' },
      });
    }
  });

  test('a bad key is refused, naming the construct', () => {
    const { chart } = targetChart(at('1.23'));
    expect(() => new IstioMeshSettings(chart, 'Istio', { metadata: { labels: { 'team:': 'mesh' } } })).toThrow(
      `${WHO}: metadata.labels key 'team:' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    );
  });
});
