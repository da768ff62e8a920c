/**
 * The Kubernetes name grammars (apimachinery `pkg/util/validation`, domain-notes §B.1), written once: every construct,
 * config schema and check that names a Kubernetes object uses these.
 */

/** One DNS-1123 label, as a pattern to embed: lowercase alphanumerics and '-', alphanumeric at both ends. */
export const DNS_LABEL_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** A DNS-1123 label (namespaces, most names netsec writes); at most 63 characters. */
export const DNS_LABEL = new RegExp(`^${DNS_LABEL_PATTERN}$`);

/** A DNS-1123 subdomain: labels joined by '.' (names of custom resources, ConfigMaps); at most 253 characters. */
export const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL_PATTERN}(\\.${DNS_LABEL_PATTERN})*$`);

/** Whether `s` is a DNS-1123 label, length included. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** Whether `s` is a DNS-1123 subdomain, length included. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}
