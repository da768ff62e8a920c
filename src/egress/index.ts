export { type BlockListProps, OWNER_LABEL } from './block-list.js';
export { CiliumCidrGroup, type CiliumCidrGroupProps } from './cilium-cidr-group.js';
export { CidrGroupReference, CiliumEgressBlock, type CiliumEgressBlockProps } from './cilium-egress-block.js';
export { CalicoApi, CalicoBlockDesign, CalicoEgressBlock, type CalicoEgressBlockProps } from './calico-egress-block.js';

