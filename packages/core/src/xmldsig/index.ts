export { SignError, signEnvelope } from './sign.ts';
export type { TestCertificate, TestCertificateOptions } from './testcert.ts';
export { createSelfSignedCertificate, createTestCertificate } from './testcert.ts';
export type { CertInfo, FullVerifyOptions, TrustedCert, VerifyFailureCode, VerifyResult } from './verify.ts';
export { certInfo, verifyEnvelopeSignature, verifyFast, verifyFull } from './verify.ts';
