export { type AccountMove, accountsFollowIdentity, moveCitizenAccounts, repointCitizenAccounts } from './accounts.ts';
export { type CitizenContext, type ConsentKind, consentStatus, recordConsent, registerCitizenAuth, requireCitizen, requireConsentedCitizen } from './citizen.ts';
export { DEV_IDP_PATH, type DevAccount, type DevIdp, registerDevIdp, upsertDevAccount } from './dev-idp.ts';
export { encodeFacilityKeyRing, type FacilityTokenKey, signFacilityToken, verifyFacilityToken } from './facility-token.ts';
export {
  exposedKeyFiles, type KeyConfig, type KeyStorage, keyError, keyStorageOf, loadOrCreateState, loadServerKeys, openStore, type RotationResult, rotateServerKeys,
  type SecretName, type SecretStore, type ServerKeys,
} from './keys.ts';
export { type IdentityClaims, OidcClient } from './oidc-client.ts';
export { hashSecret, portalPasswordDigest, randomToken, verifySecret } from './password.ts';
export { clearSessionCookie, createSession, deleteSession, deleteSessionsOf, purgeExpiredSessions, readSession, SESSION_COOKIE, type SessionData, sessionIdOf, setSessionCookie, takeSession } from './sessions.ts';
