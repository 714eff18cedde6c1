export { signEnvelope, SignError } from './sign.ts';
export { certInfo, verifyEnvelopeSignature, verifyFast, verifyFull } from './verify.ts';
export type { CertInfo, FullVerifyOptions, TrustedCert, VerifyFailureCode, VerifyResult } from './verify.ts';
export { createSelfSignedCertificate, createTestCertificate } from './testcert.ts';
export type { TestCertificate, TestCertificateOptions } from './testcert.ts';
