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

/** Input refused before any data is trusted; carries bilingual text for the submitter. */
export class XmlInputError extends Error {
  readonly code: XmlInputErrorCode;
  readonly message_vi: string;
  readonly message_en: string;

  constructor(code: XmlInputErrorCode, message_vi: string, message_en: string) {
    super(`${code}: ${message_en}`);
    this.name = 'XmlInputError';
    this.code = code;
    this.message_vi = message_vi;
    this.message_en = message_en;
  }
}
