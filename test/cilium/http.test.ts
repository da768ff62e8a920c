import { expect, test } from 'vitest';
import { HttpRule } from '../../src/index.js';

test('HTTP rules render only the fields given', () => {
  expect(HttpRule.get('/discount')._toKube()).toEqual({ method: 'GET', path: '/discount' });
  expect(HttpRule.any()._toKube()).toEqual({});
  expect(HttpRule.of({ host: 'api\\.example\\.com', headers: ['X-Tenant: a'] })._toKube()).toEqual({ host: 'api\\.example\\.com', headers: ['X-Tenant: a'] });
});

test.each([
  [() => HttpRule.of({ method: '' }), 'HttpRule {"method":""}: \'method\' must not be empty; leave it out to match any method.'],
  [() => HttpRule.of({ path: '/api/(' }), /HttpRule \{"path":"\/api\/\("\}: 'path' is a regular expression and '\/api\/\(' does not compile \(/],
  [() => HttpRule.get('discount'), 'HttpRule {"method":"GET","path":"discount"}: \'path\' is matched against the whole request path, which starts with \'/\'. Did you mean \'/discount\'?'],
  [() => HttpRule.of({ headers: ['bad header: x'] }), 'HttpRule {"headers":["bad header: x"]}: header \'bad header: x\' must be \'Name\' or \'Name: value\' with a valid header name.'],
])('bad HTTP rule %#', (fn, message) => {
  expect(fn).toThrow(message);
});
