import { NetsecError } from '../core/errors.js';
import { httpRuleProblems } from '../lint/rules/cilium-sanitize.js';
import { constructError } from '../lint/rules/cilium-wire.js';
import { requireRecord, requireString } from '../core/arguments.js';

/** Properties for `HttpRule.of`. */
export interface HttpRuleOptions {
  /** Request method, as an RE2 regular expression (Go syntax) matched against the whole method (e.g. 'GET' or 'GET|HEAD'). @default - any method */
  readonly method?: string;
  /** Request path, as an RE2 regular expression (Go syntax: no lookarounds) matched against the whole path (e.g. '/discount' or '/api/v1/.*'). @default - any path */
  readonly path?: string;
  /** Host header, as an RE2 regular expression. @default - any host */
  readonly host?: string;
  /** Headers that must be present, as 'Name' or 'Name: value'. @default - none */
  readonly headers?: string[];
}

const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(:\s*.*)?$/;

/**
 * One L7 HTTP rule of a Cilium port rule (`toPorts[].rules.http[]`). A request is allowed when any rule matches;
 * others get HTTP 403 from Cilium's proxy. HTTP rules need `protocol: TCP` on every port (the policy checks that).
 */
export class HttpRule {
  /** Any request (a rule with no fields): gives L7 visibility without filtering. */
  public static any(): HttpRule {
    return new HttpRule({});
  }

  /** @example HttpRule.get('/discount') */
  public static get(path: string): HttpRule {
    return HttpRule.of({ method: 'GET', path: requireString('HttpRule.get', 'path', path) });
  }

  /** @example HttpRule.of({ method: 'POST', path: '/api/v1/orders', headers: ['X-Tenant: a'] }) */
  public static of(options: HttpRuleOptions): HttpRule {
    const who = `HttpRule ${JSON.stringify(options)}`;
    // From JavaScript, HttpRule.of(42) had been written as http: [{}] (every request).
    requireRecord('HttpRule', 'options', options);
    for (const field of ['method', 'path', 'host'] as const) {
      if (options[field] !== undefined) requireString(who, field, options[field]);
      if (options[field] === '') throw new NetsecError('INVALID', `${who}: '${field}' must not be empty; leave it out to match any ${field}.`);
    }
    // Cilium compiles path and method with Go's regexp and Envoy matches all three as RE2, not as JavaScript regexes:
    // the lint rule's check, so a lookahead such as '/(?!admin).*' is refused here as the agent refuses it.
    const problem = httpRuleProblems({ ...options })[0];
    if (problem) throw constructError(who, problem);
    if (options.path !== undefined && !options.path.startsWith('/') && !/^[.(\\[^]/.test(options.path)) {
      throw new NetsecError('INVALID', `${who}: 'path' is matched against the whole request path, which starts with '/'. Did you mean '/${options.path}'?`);
    }
    for (const h of options.headers ?? []) {
      if (!HEADER.test(h)) throw new NetsecError('INVALID', `${who}: header '${h}' must be 'Name' or 'Name: value' with a valid header name.`);
    }
    return new HttpRule({ ...options, headers: options.headers ? [...options.headers] : undefined });
  }

  public readonly method?: string;
  public readonly path?: string;
  public readonly host?: string;
  public readonly headers?: readonly string[];

  private constructor(options: HttpRuleOptions) {
    this.method = options.method;
    this.path = options.path;
    this.host = options.host;
    this.headers = options.headers;
  }

  /** @internal */
  public _toKube(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.method !== undefined) out.method = this.method;
    if (this.path !== undefined) out.path = this.path;
    if (this.host !== undefined) out.host = this.host;
    if (this.headers?.length) out.headers = [...this.headers];
    return out;
  }
}
