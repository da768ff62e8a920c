export { type BlockListProps } from './block-list.js';
export { OWNER_LABEL } from '../core/resource-metadata.js';
export { CiliumCidrGroup, type CiliumCidrGroupProps } from './cilium-cidr-group.js';
export { CidrGroupReference, CiliumEgressBlock, type CiliumEgressBlockProps } from './cilium-egress-block.js';
export { CalicoApi, CalicoBlockDesign, CalicoEgressBlock, type CalicoEgressBlockProps } from './calico-egress-block.js';

