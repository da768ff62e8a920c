// The netsec CLI in a process of its own, run from src/ by vite-node (bin/netsec runs the same `main`, bundled in lib/cli/), so
// tests can signal or kill a run mid-write. Arguments follow `--` on vite-node's command line.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
