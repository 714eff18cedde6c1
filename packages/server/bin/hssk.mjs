#!/usr/bin/env node
// Loads TypeScript sources through tsx, resolved from this package, so `hssk` works from any directory.
import { register } from 'tsx/esm/api';
import { ensureSupportedNode } from '../../../scripts/node-runtime.mjs';

await ensureSupportedNode();
register();
await import('../src/cli/main.ts');
