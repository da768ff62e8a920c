export * from './authorization-policy.js';
export * from './istio-mesh-settings.js';
export * from './peer-authentication.js';
export * from './mesh-egress.js';
