export { isSmartToken, type SmartAccess, smartAccess } from './access.ts';
export { registerSmartApp } from './apps.ts';
export { SMART_PATH, SMART_TOKEN_TTL_SECONDS } from './authorize.ts';
export { registerSmartRoutes, SMART_SCOPES, smartConfiguration } from './routes.ts';
export { grantScopes, parseScope, scopeAllows } from './scopes.ts';
