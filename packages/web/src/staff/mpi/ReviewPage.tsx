import { useCallback, useEffect, useState } from 'react';
import { Alert } from '../../ui.tsx';
import { get, post } from '../http.ts';

interface SourceView {
  source_system: string;
  source_id: string;
  person_id: string | null;
  fields: Record<string, string | null>;
}

interface ReviewPair {
  id: number;
  score: number;
  reasons: string[];
  status: string;
  a?: SourceView;
  b?: SourceView;
}

const FIELDS: Array<[string, string]> = [
  ['ho_ten', 'Họ và tên'],
  ['ngay_sinh', 'Ngày sinh'],
  ['gioi_tinh', 'Giới tính'],
  ['so_cccd', 'Số CCCD'],
  ['so_bhyt', 'Mã thẻ BHYT'],
  ['so_dien_thoai', 'Số điện thoại'],
  ['dia_chi', 'Địa chỉ'],
  ['ma_xa', 'Mã xã'],
  ['ma_ho_gia_dinh', 'Mã hộ gia đình'],
];

const SOURCE_LABEL: Record<string, string> = {
  MIS2022: 'Dân số MIS 2022',
  BHXH: 'Danh sách BHXH',
  TIEMCHUNG: 'Tiêm chủng',
  KCB: 'Khám chữa bệnh',
};

/** Side-by-side review of uncertain record pairs: merge (same person) or keep separate. */
export function ReviewPage() {
  const [pairs, setPairs] = useState<ReviewPair[] | null>(null);
  const [message, setMessage] = useState<{ text: string; mergeId?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    get<{ reviews: ReviewPair[] }>('/api/v1/mpi/reviews?status=pending&limit=20')
      .then((r) => setPairs(r.reviews))
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);

  const decide = async (pair: ReviewPair, decision: 'merged' | 'separate') => {
    setError(null);
    try {
      const r = await post<{ merge_id: number | null }>(`/api/v1/mpi/reviews/${pair.id}/decision`, { decision });
      setMessage(
        decision === 'merged'
          ? { text: `Đã gộp hai bản ghi vào một người (cặp số ${pair.id}).`, ...(r.merge_id ? { mergeId: r.merge_id } : {}) }
          : { text: `Đã giữ riêng hai bản ghi (cặp số ${pair.id}).` },
      );
      setPairs((list) => (list ?? []).filter((p) => p.id !== pair.id));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const undo = async (mergeId: number) => {
    try {
      await post(`/api/v1/mpi/merges/${mergeId}/undo`);
      setMessage({ text: 'Đã hoàn tác việc gộp; hai người được tách lại như trước.' });
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">Rà soát hồ sơ trùng</h1>
      <p>Các cặp bản ghi có thể là cùng một người nhưng chưa đủ chắc chắn để tự động gộp. Gộp nhầm sẽ trộn lẫn hồ sơ sức khỏe của hai người: chỉ gộp khi chắc chắn.</p>
      {message && (
        <p role="status" className="notice">
          {message.text}{' '}
          {message.mergeId !== undefined && (
            <button type="button" className="link" onClick={() => undo(message.mergeId!)}>
              Hoàn tác
            </button>
          )}
        </p>
      )}
      <Alert>{error}</Alert>
      {!pairs && !error && <p aria-live="polite">Đang tải…</p>}
      {pairs && pairs.length === 0 && <p>Không còn cặp nào cần rà soát.</p>}
      {pairs?.map((p) => (
        <article key={p.id} className="card review" aria-label={`Cặp số ${p.id}`}>
          <h2>
            Cặp số {p.id} · điểm {p.score.toFixed(2)}
          </h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Trường</th>
                  <th scope="col">{p.a ? `${SOURCE_LABEL[p.a.source_system] ?? p.a.source_system} · ${p.a.source_id}` : '—'}</th>
                  <th scope="col">{p.b ? `${SOURCE_LABEL[p.b.source_system] ?? p.b.source_system} · ${p.b.source_id}` : '—'}</th>
                </tr>
              </thead>
              <tbody>
                {FIELDS.map(([key, label]) => {
                  const va = p.a?.fields[key] ?? '';
                  const vb = p.b?.fields[key] ?? '';
                  const differ = va !== '' && vb !== '' && va !== vb;
                  return (
                    <tr key={key} className={differ ? 'differ' : undefined}>
                      <th scope="row">{label}</th>
                      <td>{va || '—'}</td>
                      <td>{vb || '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {p.reasons.length > 0 && <p className="muted">Lý do: {p.reasons.join(', ')}</p>}
          <div className="actions">
            <button type="button" className="button primary" onClick={() => decide(p, 'merged')}>
              Gộp – cùng một người
            </button>
            <button type="button" className="button" onClick={() => decide(p, 'separate')}>
              Giữ riêng – hai người khác nhau
            </button>
          </div>
        </article>
      ))}
    </section>
  );
}
