import { App } from 'cdk8s';
import { expect, test } from 'vitest';
import { NetsecChart, Target } from '../../src/index.js';

const target = new Target({ name: 't', kubernetes: '1.30', cilium: '1.17' });

test.each([
  ['kustomization', "component 'kustomization' would write kustomization.yaml, which netsec generates for every target (the list of files GitOps tools apply); choose another component name."],
  ['cilium-values', "component 'cilium-values' would write cilium-values.yaml, the name netsec gives the Helm values file of release 'cilium'; choose another component name."],
  ['not-applied', "component 'not-applied' is the folder netsec writes inputs for other tools into; choose another component name."],
])("a component named '%s' would replace a file netsec generates and is refused", (component, message) => {
  expect(() => new NetsecChart(new App(), 'c', { target, component })).toThrow(`NetsecChart 'c': ${message}`);
});

test('other names are fine', () => {
  expect(new NetsecChart(new App(), 'c', { target, component: 'values-of-egress' }).component).toBe('values-of-egress');
});
