#!/usr/bin/env node
// Module boundaries, checked in CI (`npm run lint`): each server module is used only through its
// index.ts, product code never uses test support, the web app never reaches into the server, and
// core depends on nothing outside itself but its declared packages. Biome's noRestrictedImports
// cannot express "any sibling folder except through index.ts", hence this small check.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPEC = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]|import\s*\(\s*(`)/gm;

/** A dynamic import whose path is computed: it cannot be checked, so it is refused. */
export const COMPUTED = '<computed>';

/** Module specifiers of a source text (static imports, re-exports, dynamic imports). */
export function importsOf(text) {
  const out = [];
  for (const m of text.matchAll(SPEC)) out.push(m[4] ? COMPUTED : (m[1] ?? m[2] ?? m[3]));
  return out;
}

const SERVER_SRC = 'packages/server/src';
const SERVER_TS = 'packages/server/test-support';
const CORE_SRC = 'packages/core/src';
const WEB_SRC = 'packages/web/src';
// Benchmarks and browser tests are consumers like test support: module entry points only.
const CONSUMERS = [SERVER_TS, 'bench', 'e2e'];
// Files at the top of server/src: the composition root and start-up may be used only by the command line.
const ROOT_FOR_ALL = new Set(['config.ts']);
const WEB_CORE_ENTRIES = new Set(['@openhssk/core', '@openhssk/core/api', '@openhssk/core/xml130/codesets']);
const isTest = (p) => p.endsWith('.test.ts');

function moduleOf(path) {
  const r = relative(SERVER_SRC, path).split(sep);
  return r.length > 1 ? r[0] : null;
}

/**
 * Checks `files` ({ path relative to the repository root, text }) and returns one message per
 * violation. `coreDeps` are the packages core may import.
 */
export function checkBoundaries(files, { coreDeps = [] } = {}) {
  const problems = [];
  const say = (path, spec, why) => problems.push(`${path}: import '${spec}': ${why}`);
  for (const { path, text } of files) {
    for (const spec of importsOf(text)) {
      if (spec === COMPUTED) {
        say(path, 'import(`…`)', 'a computed import path cannot be checked; name the module entry point');
        continue;
      }
      const relativeSpec = spec.startsWith('.');
      const target = relativeSpec ? normalize(join(dirname(path), spec)) : null;
      if (path.startsWith(`${SERVER_SRC}/`)) {
        if (target?.startsWith(`${SERVER_TS}/`) && !isTest(path)) say(path, spec, 'product code must not use test support');
        if (target?.startsWith(`${SERVER_SRC}/`)) {
          const from = moduleOf(path);
          const to = moduleOf(target);
          if (to !== null && to !== from && !target.endsWith(`${sep}${to}${sep}index.ts`)) {
            say(path, spec, `module '${to}' is used only through ${to}/index.ts`);
          }
          if (to === null && from !== null && from !== 'cli' && !ROOT_FOR_ALL.has(relative(SERVER_SRC, target))) {
            say(path, spec, 'only the command line may use the composition root');
          }
        }
        if (spec.startsWith('@openhssk/server')) say(path, spec, 'server code uses relative imports of module entry points');
        if (spec === '@openhssk/core/testing' && !isTest(path)) say(path, spec, 'product code must not use test support');
      }
      if (CONSUMERS.some((d) => path.startsWith(`${d}/`)) && target?.startsWith(`${CORE_SRC}/`)) {
        say(path, spec, "core is used through its package entry points ('@openhssk/core…')");
      }
      if (CONSUMERS.some((d) => path.startsWith(`${d}/`)) && target?.startsWith(`${SERVER_SRC}/`)) {
        const to = moduleOf(target);
        if (to !== null && !target.endsWith(`${sep}${to}${sep}index.ts`)) say(path, spec, `module '${to}' is used only through ${to}/index.ts`);
      }
      if (path.startsWith(`${WEB_SRC}/`)) {
        if (spec.startsWith('@openhssk/server') || target?.startsWith('packages/server')) say(path, spec, 'the web app talks to the server over HTTP only');
        if (spec.startsWith('@openhssk/core') && !WEB_CORE_ENTRIES.has(spec)) say(path, spec, 'the web app uses only browser-safe core entry points');
        if (target && !target.startsWith(`${WEB_SRC}/`)) say(path, spec, 'outside the web app');
      }
      if (path.startsWith(`${CORE_SRC}/`)) {
        if (target && !target.startsWith(`${CORE_SRC}/`)) say(path, spec, 'core imports nothing outside core');
        if (!relativeSpec) {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          const builtin = spec.startsWith('node:') || builtinModules.includes(pkg);
          if (!builtin && !coreDeps.includes(pkg)) say(path, spec, 'core may import only node built-ins and the dependencies in packages/core/package.json');
        }
      }
    }
  }
  return [...problems, ...cycleProblems(files)];
}

/**
 * Modules that must not reach themselves through the product import graph. The MPI first: the
 * modules that follow its decisions use it, so it learns of them only through the followers the
 * composition root wires (person/followers.ts); importing one again would bring back the cycle whose
 * evaluation order once left a constant uninitialised at start-up.
 */
export const ACYCLIC_MODULES = ['mpi'];

function cycleProblems(files) {
  const uses = new Map();
  for (const { path, text } of files) {
    const from = path.startsWith(`${SERVER_SRC}/`) && !isTest(path) ? moduleOf(path) : null;
    if (from === null) continue;
    for (const spec of importsOf(text)) {
      if (!spec.startsWith('.')) continue;
      const to = moduleOf(normalize(join(dirname(path), spec)));
      if (to === null || to === from) continue;
      if (!uses.has(from)) uses.set(from, new Map());
      if (!uses.get(from).has(to)) uses.get(from).set(to, path);
    }
  }
  const problems = [];
  for (const start of ACYCLIC_MODULES) {
    // Breadth-first from `start`, remembering how each module was reached, until `start` comes back.
    const via = new Map([[start, null]]);
    const queue = [start];
    let back = null;
    while (queue.length > 0 && back === null) {
      const m = queue.shift();
      for (const [to, path] of uses.get(m) ?? []) {
        if (to === start) back = { m, path };
        else if (!via.has(to)) {
          via.set(to, m);
          queue.push(to);
        }
      }
    }
    if (back === null) continue;
    const chain = [start];
    for (let m = back.m; m !== start; m = via.get(m)) chain.splice(1, 0, m);
    problems.push(`${back.path}: import cycle ${[...chain, start].join(' → ')}: module '${start}' must not be reached from itself`);
  }
  return problems;
}

/** Files below `dir` whose name matches `pattern`, skipping installed and built folders. */
export function walk(dir, pattern, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pattern, out);
    else if (pattern.test(name)) out.push(p);
  }
  return out;
}

/** Every source file of the repository at `root`, ready for checkBoundaries. */
export function repositoryFiles(root) {
  return [SERVER_SRC, ...CONSUMERS, CORE_SRC, WEB_SRC].flatMap((d) =>
    walk(join(root, d), /\.(ts|tsx|mjs)$/).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') })),
  );
}

export function coreDependencies(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {});
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(self)) {
  const root = join(dirname(self), '..');
  const files = repositoryFiles(root);
  // A wrong root would find nothing and pass silently.
  if (files.length < 100) {
    console.error(`module boundaries: only ${files.length} source files found under ${root}`);
    process.exit(1);
  }
  const problems = checkBoundaries(files, { coreDeps: coreDependencies(root) });
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} module-boundary violation(s); see docs/architecture.md "Module map".`);
    process.exit(1);
  }
  console.log('module boundaries: ok');
}
