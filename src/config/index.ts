/**
 * The netsec.yaml layer as a library: load and validate a netsec.yaml, then build the NetsecApp it describes, to which
 * a TypeScript user can add constructs before `app.synth()`:
 *
 *   const app = await buildApp(loadConfigFile('netsec.yaml'));
 *   new CiliumNetworkPolicy(app.node.findChild('aks-cilium-cilium-policies') as NetsecChart, 'Extra', { ... });
 *   app.synth();
 */
export { loadConfigFile, parseConfig, type LoadedConfig, type NetsecConfig } from './load.js';
export { buildApp, type BuildOptions } from './build.js';
