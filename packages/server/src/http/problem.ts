import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * An error the client can act on: a stable machine code plus Vietnamese and English text.
 * Sent as RFC 9457 application/problem+json.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message_vi: string,
    readonly message_en: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message_en);
  }
}

export const notFound = (what_vi: string, what_en: string) =>
  new ApiError(404, 'NOT_FOUND', `Không tìm thấy ${what_vi}.`, `${what_en} not found.`);

export const forbidden = () =>
  new ApiError(403, 'FORBIDDEN', 'Bạn không có quyền truy cập dữ liệu này.', 'You are not allowed to access this data.');

export const unauthorized = () =>
  new ApiError(401, 'UNAUTHENTICATED', 'Vui lòng đăng nhập.', 'Authentication is required.');

export function problemBody(req: FastifyRequest, e: ApiError) {
  return {
    type: `https://openhssk.vn/problems/${e.code.toLowerCase().replace(/_/g, '-')}`,
    title: e.message_en,
    status: e.status,
    code: e.code,
    detail: e.message_en,
    message_vi: e.message_vi,
    message_en: e.message_en,
    instance: req.url,
    request_id: req.id,
    ...e.extra,
  };
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, e: ApiError) {
  return reply.status(e.status).type('application/problem+json; charset=utf-8').send(problemBody(req, e));
}

/** Maps every thrown error to problem+json; bad input is never a 500. */
export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) return sendProblem(req, reply, error);
  const fe = error as FastifyError;
  if (fe.validation) {
    return sendProblem(
      req,
      reply,
      new ApiError(400, 'VALIDATION_FAILED', `Dữ liệu gửi lên không hợp lệ: ${fe.message}`, `Invalid request: ${fe.message}`, {
        errors: fe.validation,
      }),
    );
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return sendProblem(req, reply, new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Dữ liệu gửi lên quá lớn.', 'The request body is too large.'));
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return sendProblem(req, reply, new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Kiểu nội dung không được hỗ trợ.', 'Unsupported content type.'));
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendProblem(req, reply, new ApiError(fe.statusCode, fe.code ?? 'BAD_REQUEST', 'Yêu cầu không hợp lệ.', fe.message));
  }
  req.log.error({ err: error }, 'unhandled error');
  return sendProblem(req, reply, new ApiError(500, 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.'));
}
