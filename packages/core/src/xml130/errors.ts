import { DomainError, type DomainErrorKind } from '../errors.ts';

export type XmlInputErrorCode =
  | 'XML_MALFORMED'
  | 'XML_DTD_FORBIDDEN'
  | 'XML_ENTITY_FORBIDDEN'
  | 'XML_PI_FORBIDDEN'
  | 'XML_TOO_DEEP'
  | 'XML_TOO_LARGE'
  | 'XML_ENCODING'
  | 'ENVELOPE_STRUCTURE'
  | 'ENVELOPE_FIELD_INVALID'
  | 'ENVELOPE_COUNT_MISMATCH'
  | 'ENVELOPE_TOO_LARGE'
  | 'BASE64_INVALID';

const TOO_LARGE: ReadonlySet<string> = new Set(['XML_TOO_LARGE', 'ENVELOPE_TOO_LARGE']);

/** Oversize input is its own kind (the sender must split it); every other refusal is invalid input. */
export const xmlRefusalKind = (code: string): DomainErrorKind => (TOO_LARGE.has(code) ? 'too_large' : 'invalid');

/** Input refused before any data is trusted; carries bilingual text for the submitter. */
export class XmlInputError extends DomainError {
  declare readonly code: XmlInputErrorCode;

  constructor(code: XmlInputErrorCode, message_vi: string, message_en: string) {
    super(xmlRefusalKind(code), code, message_vi, message_en);
    this.name = 'XmlInputError';
  }
}
