import { DomainError, type DomainErrorKind, type Problem } from '@openhssk/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

// The only place where a domain outcome becomes an HTTP status.
const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  locked: 423,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const KIND_OF_STATUS = new Map(Object.entries(STATUS).map(([k, s]) => [s, k as DomainErrorKind]));

/** A refusal by the framework or a plugin (e.g. 412/416 from static files) keeps its own status. */
class FrameworkRefusal extends DomainError {
  constructor(
    readonly httpStatus: number,
    code: string,
    message_en: string,
  ) {
    super(KIND_OF_STATUS.get(httpStatus) ?? 'invalid', code, 'Yêu cầu không hợp lệ.', message_en);
  }
}

export const httpStatusOf = (e: DomainError): number => (e instanceof FrameworkRefusal ? e.httpStatus : STATUS[e.kind]);

type SchemaError = NonNullable<FastifyError['validation']>[number];

const PART_VI: Record<string, string> = { body: 'nội dung', querystring: 'tham số truy vấn', params: 'đường dẫn', headers: 'tiêu đề' };

/** One schema violation in words a person at a front desk can act on, in both languages. */
export function describeSchemaError(e: SchemaError | undefined, context: string | undefined): { vi: string; en: string } {
  if (!e) return { vi: 'không đúng mẫu.', en: 'does not match the schema.' };
  const p = e.params as Record<string, unknown>;
  const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const field = path || PART_VI[context ?? ''] || 'dữ liệu';
  const fieldEn = path || context || 'input';
  switch (e.keyword) {
    case 'required':
      return { vi: `thiếu trường bắt buộc «${String(p.missingProperty)}».`, en: `required field '${String(p.missingProperty)}' is missing.` };
    case 'additionalProperties':
      return { vi: `trường «${String(p.additionalProperty)}» không được hỗ trợ.`, en: `field '${String(p.additionalProperty)}' is not supported.` };
    case 'type':
      return { vi: `trường «${field}» sai kiểu dữ liệu (cần ${String(p.type)}).`, en: `field '${fieldEn}' must be ${String(p.type)}.` };
    case 'maxLength':
      return { vi: `trường «${field}» dài quá ${String(p.limit)} ký tự.`, en: `field '${fieldEn}' is longer than ${String(p.limit)} characters.` };
    case 'minLength':
      return { vi: `trường «${field}» cần ít nhất ${String(p.limit)} ký tự.`, en: `field '${fieldEn}' needs at least ${String(p.limit)} characters.` };
    case 'maximum':
    case 'minimum':
      return { vi: `trường «${field}» phải ${e.keyword === 'maximum' ? 'không lớn hơn' : 'không nhỏ hơn'} ${String(p.limit)}.`, en: `field '${fieldEn}' ${e.message ?? 'is out of range'}.` };
    case 'pattern':
    case 'format':
      return { vi: `trường «${field}» sai định dạng.`, en: `field '${fieldEn}' has the wrong format.` };
    default:
      return { vi: `giá trị của trường «${field}» không hợp lệ.`, en: `field '${fieldEn}' ${e.message ?? 'is invalid'}.` };
  }
}

const internal = () => new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.');

/** Any thrown error as a domain error: the framework's own refusals get stable codes too; bad input is never a 500. */
export function toDomainError(error: FastifyError | Error): DomainError {
  if (error instanceof DomainError) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    const first = describeSchemaError(fe.validation[0], fe.validationContext);
    return new DomainError('invalid', 'VALIDATION_FAILED', `Dữ liệu gửi lên không hợp lệ: ${first.vi}`, `Invalid request: ${first.en}`, {
      errors: fe.validation,
    });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new DomainError('too_large', 'PAYLOAD_TOO_LARGE', 'Dữ liệu gửi lên quá lớn.', 'The request body is too large.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new DomainError('unsupported_media', 'UNSUPPORTED_MEDIA_TYPE', 'Kiểu nội dung không được hỗ trợ.', 'Unsupported content type.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new FrameworkRefusal(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message);
  }
  return internal();
}

export function problemBody(req: FastifyRequest, e: DomainError): Problem {
  return {
    type: `https://openhssk.vn/problems/${e.code.toLowerCase().replace(/_/g, '-')}`,
    title: e.message_en,
    status: httpStatusOf(e),
    code: e.code,
    detail: e.message_en,
    message_vi: e.message_vi,
    message_en: e.message_en,
    instance: req.url,
    request_id: req.id,
    ...e.extra,
  };
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, e: DomainError) {
  return reply.status(httpStatusOf(e)).type('application/problem+json; charset=utf-8').send(problemBody(req, e));
}

/** Maps every thrown error to RFC 9457 problem+json. */
export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const e = toDomainError(error);
  if (e.kind === 'internal') req.log.error({ err: error }, 'unhandled error');
  return sendProblem(req, reply, e);
}
