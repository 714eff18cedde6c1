#!/usr/bin/env node
// `npm start`: builds the web app when its bundle is missing or older than its sources, then runs the server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSupportedNode } from './node-runtime.mjs';

await ensureSupportedNode();

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'packages/web');
const dist = join(web, 'dist/index.html');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

if (!existsSync(dist) || newest(join(web, 'src')) > statSync(dist).mtimeMs) {
  console.log('Building the web app…');
  const r = spawnSync('npm', ['run', 'build', '--workspace', '@openhssk/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, [join(root, 'packages/server/bin/hssk.mjs'), 'start'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
