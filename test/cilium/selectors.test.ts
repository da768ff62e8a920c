import { expect, test } from 'vitest';
import { EndpointSelector, LabelOperator } from '../../src/index.js';

test('selectors render matchLabels and matchExpressions, and all() renders {}', () => {
  expect(EndpointSelector.all()._toKube()).toEqual({});
  const sel = EndpointSelector.of({ labels: { app: 'web' }, expressions: [{ key: 'k8s:tier', operator: LabelOperator.IN, values: ['a', 'b'] }] });
  expect(sel._toKube()).toEqual({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'k8s:tier', operator: 'In', values: ['a', 'b'] }] });
  expect(sel.toString()).toBe('{app=web, k8s:tier In (a,b)}');
});

test('pod matching strips k8s:/any: sources and never matches reserved: labels', () => {
  const pod = { app: 'web', tier: 'a', 'io.kubernetes.pod.namespace': 'shop' };
  expect(EndpointSelector.labels({ 'k8s:app': 'web', 'any:tier': 'a' }).matchesPod(pod)).toBe(true);
  expect(EndpointSelector.labels({ 'reserved:host': '' }).matchesPod(pod)).toBe(false);
  expect(EndpointSelector.of({ expressions: [{ key: 'tier', operator: LabelOperator.NOT_IN, values: ['b'] }] }).matchesPod(pod)).toBe(true);
  expect(EndpointSelector.of({ expressions: [{ key: 'zone', operator: LabelOperator.DOES_NOT_EXIST }] }).matchesPod(pod)).toBe(true);
  expect(EndpointSelector.of({ expressions: [{ key: 'zone', operator: LabelOperator.EXISTS }] }).matchesPod(pod)).toBe(false);
});

test.each([
  [() => EndpointSelector.labels({ 'bogus:app': 'x' }), "EndpointSelector {bogus:app=x}: 'bogus:app' is not a valid Cilium label key; expected [source:][prefix/]name with a source of k8s, any, reserved, cidr, cidrgroup, fqdn, node, container, unspec, gen, cni, directory (e.g. 'app' or 'k8s:app')."],
  [() => EndpointSelector.labels({ app: 'not ok' }), "EndpointSelector {app=not ok}: 'not ok' (label 'app') is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends."],
  [() => EndpointSelector.of({ expressions: [{ key: 'app', operator: LabelOperator.IN }] }), "EndpointSelector {app In}: 'app In' needs at least one value."],
  [() => EndpointSelector.of({ expressions: [{ key: 'app', operator: LabelOperator.EXISTS, values: ['x'] }] }), 'EndpointSelector {app Exists (x)}: \'app Exists\' takes no values (got ["x"]).'],
  [() => EndpointSelector.of({ expressions: [{ key: 'app', operator: 'Equals' as LabelOperator }] }), "EndpointSelector {app Equals}: operator 'Equals' of 'app' must be one of In, NotIn, Exists, DoesNotExist."],
])('bad selector %#', (fn, message) => {
  expect(fn).toThrow(message);
});
