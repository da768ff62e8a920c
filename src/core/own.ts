/**
 * `map[key]` for a key that comes from input (a label key, a kind, a Helm value path): only the map's own entries.
 * A plain object also answers the names of Object.prototype, so `labels['constructor']` is a function for a pod that
 * has no such label, and `'toString' in table` is true; label keys such as `constructor` are valid in Kubernetes.
 */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
