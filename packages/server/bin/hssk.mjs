#!/usr/bin/env node
// Loads TypeScript sources through tsx, resolved from this package, so `hssk` works from any directory.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
