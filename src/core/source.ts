import { IConstruct } from 'constructs';
import { SourceLocation, formatLocation } from './errors.js';

const METADATA_TYPE = 'netsec:source';

/**
 * Records where a construct was described (a netsec.yaml entry's line and column), so that every finding about it,
 * and about the objects it renders, can point back at the line the user wrote. Stored in construct metadata, like
 * diagnostics, so it travels with the construct and never through module state.
 */
export function recordSource(scope: IConstruct, location: SourceLocation): void {
  scope.node.addMetadata(METADATA_TYPE, { ...location });
}

/** Where `scope` or its nearest ancestor was described, if it came from a file. */
export function sourceOf(scope: IConstruct): SourceLocation | undefined {
  for (const s of scope.node.scopes.slice().reverse()) {
    const entry = s.node.metadata.find((m) => m.type === METADATA_TYPE);
    if (entry) return entry.data as SourceLocation;
  }
  return undefined;
}

/**
 * How a message about a construct starts: `netsec.yaml:12:5:` when it came from a file (the prefix editors and CI logs
 * link on), else its construct path in brackets (`[app/chart/Block]`), the form cdk8s users know.
 */
export function describeSource(scope: IConstruct): string {
  const location = sourceOf(scope);
  return location ? `${formatLocation(location)}:` : `[${scope.node.path}]`;
}
