// The server package's public entry: the composition root, configuration and start-up.
export { type AppOptions, buildApp } from './app.ts';
export { type Config, loadConfig } from './config.ts';
export { start } from './main.ts';
