/** Thin fetch wrapper: same-origin cookies, problem+json errors surfaced with their Vietnamese text. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  if (!res.ok) {
    let code = 'HTTP_' + res.status;
    let message = 'Đã có lỗi xảy ra, vui lòng thử lại.';
    try {
      const p = (await res.json()) as { code?: string; message_vi?: string };
      code = p.code ?? code;
      message = p.message_vi ?? message;
    } catch {
      // Not a problem document: keep the generic message.
    }
    throw new ApiProblem(res.status, code, message);
  }
  return (await res.json()) as T;
}

export interface Me {
  personal_id: string;
  name: string;
  has_record: boolean;
  consented: boolean;
}

export interface EpisodeSummary {
  id: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  version: number;
  ma_loai_kcb: string;
  ngay_vao: string;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ten_benh_chinh: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  sensitivity: string[];
}

export interface OpenVisit {
  id: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  ngay_vao: string;
  ma_loai_kcb: string | null;
}

export interface EpisodeDetail {
  episode: EpisodeSummary & {
    chan_doan_vao: string | null;
    ma_benh_kt: string | null;
    xml1: { fields: Record<string, string> };
  };
  tables: Record<string, Array<Record<string, string>>>;
}
