import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

/** Properties for `CidrListObject`. */
export interface CidrListObjectProps {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ApiObjectMetadata;
  /** The spec, holding the (possibly very long) list of canonical prefixes. */
  readonly spec: Record<string, unknown>;
}

/**
 * An ApiObject whose spec is plain, already-final data (canonical CIDR strings). cdk8s's `toJson()` walks every value
 * looking for lazy tokens; for a geo-block list that is a million strings with nothing to resolve, so this object
 * resolves only its metadata and hands the spec over as it is (measured: this is most of the synthesis time of a
 * 1M-prefix list otherwise). JSON patches (`ApiObject.of(x).addJsonPatch`) therefore apply to apiVersion, kind and
 * metadata only; the spec is final data.
 */
export class CidrListObject extends ApiObject {
  private readonly rawSpec: Record<string, unknown>;

  public constructor(scope: Construct, id: string, props: CidrListObjectProps) {
    super(scope, id, { apiVersion: props.apiVersion, kind: props.kind, metadata: props.metadata });
    this.rawSpec = props.spec;
  }

  public override toJson(): any {
    const json = super.toJson();
    return { ...json, spec: this.rawSpec };
  }
}
