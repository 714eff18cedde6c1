// The server package's public entry: the composition root, configuration and start-up.
export { type AppOptions, buildApp } from './app.ts';
export { type Config, loadConfig } from './config.ts';
export { IDENTITY_FOLLOWERS, NOT_FOLLOWED, wireIdentityFollowers } from './identity-followers.ts';
export { start } from './main.ts';
