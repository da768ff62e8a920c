export { DROP_REASONS, DropReason, type FlowFilterExperimental, type FlowFilterFields, type FlowFilterFieldSpec, type FlowFilterHttpHeader, type FlowFilterNetworkInterface, type FlowFilterTcpFlags, type FlowFilterWorkload, IP_VERSION_VALUES, IpVersion, MONITOR_EVENT_TYPES, MonitorEventType, type PerLine, TRAFFIC_DIRECTION_VALUES, TrafficDirection, Verdict, VERDICT_VALUES } from './generated/cilium-flow-data.js';
export { type EventTypeFilterConfig, EventTypeMatch } from './event-type-match.js';
export { FlowFilter, type FlowFilterConfig, FlowFilterPreset } from './flow-filter.js';
export { FlowLogOutput, HUBBLE_AGENT_DIR } from './flow-log-output.js';
export { FLOW_LOGS_DATA_KEY, type FlowLogAggregation, type FlowLogOptions, type FlowLogRotation, HubbleFlowLogs, type HubbleFlowLogsProps } from './hubble-flow-logs.js';

