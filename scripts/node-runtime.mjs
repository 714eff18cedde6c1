// Node 20 reached end of life; the project pins Node 22 LTS as an npm dependency (`node`), which
// npm scripts find first on PATH. A script started directly with an older system `node` re-runs
// itself under the pinned one, so every entry point runs on the supported runtime.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const MIN_MAJOR = 22;

/** Returns at once on Node ≥ 22; otherwise runs this process again under the pinned Node and never returns. */
export async function ensureSupportedNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_MAJOR) return;
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`Node.js ${process.versions.node} is not supported: run \`npm install\` (it brings Node ${MIN_MAJOR} LTS) or install Node ${MIN_MAJOR}.`);
    process.exit(1);
  }
  const child = spawn(pinned, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  // A service manager stops the wrapper; the server it started must stop with it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  await new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`Could not start ${pinned}: ${err.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      // The shell convention for a process ended by a signal.
      process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1));
      resolve(undefined);
    });
  });
}
