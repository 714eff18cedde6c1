export { PortalClient, type PortalOutcome, type PortalTarget } from './portal-client.ts';
export { relayQueue } from './queue.ts';
export { registerRelayRoutes } from './routes.ts';
export { purgeRelayRows, relayCheckin, relayEnvelope } from './store.ts';
export { DEFAULT_BACKOFF, deliveryHandler, MAX_ATTEMPTS, nextAttemptAt, type RelayBackoff, workRelay } from './worker.ts';
