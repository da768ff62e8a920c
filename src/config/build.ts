import { dirname, resolve } from 'node:path';
import { App } from 'cdk8s';
import { NetsecChart } from '../core/netsec-chart.js';
import { Target } from '../core/target.js';
import { LoadedConfig } from './load.js';
import { SectionBuildContext } from './section.js';
import { SECTIONS } from './sections/index.js';

/** How `buildApp` reports on long work. */
export interface BuildOptions {
  /** Progress for large reads (see `SectionBuildContext.readProgress`). @default - none */
  readonly readProgress?: SectionBuildContext['readProgress'];
}

/**
 * Builds the cdk8s App a netsec.yaml describes: one Target per `targets:` entry, and for each target the constructs
 * of every section, in the order the sections are registered. The result is the same App a TypeScript user would write.
 */
export async function buildApp(loaded: LoadedConfig, options: BuildOptions = {}): Promise<App> {
  const { config, file } = loaded;
  const app = new App({ outdir: 'unused' });
  const baseDir = dirname(resolve(file));
  const shared = new Map<object, unknown>();
  const once = <T>(key: object, compute: () => T): T => {
    if (!shared.has(key)) shared.set(key, compute());
    return shared.get(key) as T;
  };
  for (const targetProps of config.targets) {
    const target = new Target(targetProps);
    const charts = new Map<string, NetsecChart>();
    const chart = (component: string, options: { applyToCluster?: boolean } = {}): NetsecChart => {
      let c = charts.get(component);
      if (!c) {
        c = new NetsecChart(app, `${target.name}-${component}`, { target, component, applyToCluster: options.applyToCluster });
        charts.set(component, c);
      }
      return c;
    };
    for (const entry of SECTIONS) {
      const value = config[entry.key];
      if (value === undefined) continue;
      const section = await entry.load();
      const ctx: SectionBuildContext = {
        app,
        target,
        chart,
        resolvePath: (p) => resolve(baseDir, p),
        configFile: file,
        pointer: `/${section.key}`,
        once,
        readProgress: options.readProgress,
      };
      await section.build(ctx, value);
    }
  }
  return app;
}
