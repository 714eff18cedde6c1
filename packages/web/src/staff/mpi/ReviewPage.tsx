import { viNumber } from '@openhssk/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, ConfirmButtons } from '../../ui.tsx';
import { get, post } from '../http.ts';

interface SourceView {
  source_system: string;
  source_id: string;
  person_id: string | null;
}

type FieldStatus = 'same' | 'similar' | 'typo' | 'differs' | 'missing';

interface FieldExplanation {
  field: string;
  label_vi: string;
  a: string | null;
  b: string | null;
  status: FieldStatus;
  note_vi: string | null;
}

// The engine's score is left out on purpose: pairs arrive here because it could not decide, and a
// number near 1 invites merging on trust instead of on the evidence shown field by field.
interface ReviewPair {
  id: number;
  a: SourceView | null;
  b: SourceView | null;
  explanation: { fields: FieldExplanation[]; summary_vi: string };
}

interface ReviewList {
  total: number;
  offset: number;
  reviews: ReviewPair[];
}

const PAGE_SIZE = 20;

const SOURCE_LABEL: Record<string, string> = {
  MIS2022: 'Dân số MIS 2022',
  BHXH: 'Danh sách BHXH',
  TIEMCHUNG: 'Tiêm chủng',
  KCB: 'Khám chữa bệnh',
};

// Said in words, not only by colour: the row's tint repeats what the marker says.
const MARK: Record<FieldStatus, string> = {
  same: 'giống',
  similar: 'gần giống',
  typo: 'có thể gõ nhầm',
  differs: 'khác',
  missing: 'thiếu',
};

const sourceName = (s: SourceView | null, which: string) => (s ? `${SOURCE_LABEL[s.source_system] ?? s.source_system} · ${s.source_id}` : `${which}: không còn`);

/** Side-by-side review of uncertain record pairs: keep separate or merge (after a confirmation). */
export function ReviewPage() {
  const [page, setPage] = useState<ReviewList | null>(null);
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState<{ text: string; mergeId?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<ReviewPair | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback((from: number) => {
    get<ReviewList>(`/api/v1/mpi/reviews?status=pending&limit=${PAGE_SIZE}&offset=${from}`)
      .then((r) => {
        // A decision can empty the last page: step back to the one that still has pairs.
        if (r.reviews.length === 0 && from > 0 && r.total > 0) setOffset(Math.max(0, Math.floor((r.total - 1) / PAGE_SIZE) * PAGE_SIZE));
        else setPage(r);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(() => load(offset), [load, offset]);

  const turn = (to: number) => {
    setMessage(null);
    setOffset(to);
    heading.current?.focus();
  };

  const decide = async (pair: ReviewPair, decision: 'merged' | 'separate') => {
    setError(null);
    const r = await post<{ merge_id: number | null }>(`/api/v1/mpi/reviews/${pair.id}/decision`, { decision });
    setMessage(
      decision === 'merged'
        ? { text: `Đã gộp hai bản ghi vào một người (cặp số ${pair.id}).`, ...(r.merge_id ? { mergeId: r.merge_id } : {}) }
        : { text: `Đã giữ riêng hai bản ghi (cặp số ${pair.id}).` },
    );
    load(offset);
  };

  const separate = (pair: ReviewPair) => decide(pair, 'separate').catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));

  const undo = async (mergeId: number) => {
    try {
      await post(`/api/v1/mpi/merges/${mergeId}/undo`);
      setMessage({ text: 'Đã hoàn tác việc gộp; hai người được tách lại như trước.' });
      load(offset);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const total = page?.total ?? 0;
  const shown = page?.reviews ?? [];
  const first = (page?.offset ?? 0) + 1;
  const last = (page?.offset ?? 0) + shown.length;

  return (
    <section aria-labelledby="review-title" className="review-queue">
      <h1 id="review-title" ref={heading} tabIndex={-1}>
        Rà soát hồ sơ trùng
      </h1>
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
      {!page && !error && <p aria-live="polite">Đang tải…</p>}
      {page && (
        <p className="review-total" data-testid="review-total" aria-live="polite">
          {total > 0 ? (
            <>
              Còn <strong>{viNumber(total)}</strong> cặp cần xem xét
              {shown.length > 0 && total > shown.length && (
                <>
                  {' '}
                  (đang xem cặp {first}–{last})
                </>
              )}
            </>
          ) : (
            'Không còn cặp nào cần xem xét.'
          )}
        </p>
      )}
      {shown.map((p) => (
        <PairCard key={p.id} pair={p} onSeparate={() => separate(p)} onMerge={() => setConfirming(p)} />
      ))}
      {page && total > PAGE_SIZE && (
        <nav className="pager" aria-label="Phân trang các cặp cần xem xét">
          <button type="button" className="button secondary" disabled={page.offset === 0} onClick={() => turn(Math.max(0, page.offset - PAGE_SIZE))}>
            Trang trước
          </button>
          <span>
            Trang {Math.floor(page.offset / PAGE_SIZE) + 1}/{Math.ceil(total / PAGE_SIZE)}
          </span>
          <button type="button" className="button secondary" disabled={page.offset + PAGE_SIZE >= total} onClick={() => turn(page.offset + PAGE_SIZE)}>
            Trang sau
          </button>
        </nav>
      )}
      {confirming && (
        <MergeDialog
          pair={confirming}
          onConfirm={() => decide(confirming, 'merged')}
          onClose={() => setConfirming(null)}
        />
      )}
    </section>
  );
}

function PairCard({ pair, onSeparate, onMerge }: { pair: ReviewPair; onSeparate: () => void; onMerge: () => void }) {
  const a = sourceName(pair.a, 'Bản ghi 1');
  const b = sourceName(pair.b, 'Bản ghi 2');
  const title = `pair-${pair.id}`;
  return (
    <article className="card review" aria-labelledby={title}>
      <h2 id={title}>Cặp số {pair.id}</h2>
      <p className="review-reason">
        <strong>Nhận định:</strong> {pair.explanation.summary_vi}
      </p>
      <table className="compare">
        <caption className="sr-only">So sánh từng thông tin của cặp số {pair.id}</caption>
        <thead>
          <tr>
            <th scope="col">Thông tin</th>
            <th scope="col">{a}</th>
            <th scope="col">{b}</th>
            <th scope="col">So sánh</th>
          </tr>
        </thead>
        <tbody>
          {pair.explanation.fields.map((f) => (
            <tr key={f.field} className={`st-${f.status}`}>
              <th scope="row">{f.label_vi}</th>
              <td>
                <span className="cell-source">{a}</span>
                {f.a ?? '—'}
              </td>
              <td>
                <span className="cell-source">{b}</span>
                {f.b ?? '—'}
              </td>
              <td>
                <span className={`mark ${f.status}`}>{MARK[f.status]}</span>
                {f.note_vi && <span className="mark-note"> {f.note_vi}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="button secondary" onClick={onSeparate}>
          Giữ riêng – hai người khác nhau
        </button>
        <button type="button" className="button secondary" onClick={onMerge}>
          Gộp – cùng một người…
        </button>
      </div>
    </article>
  );
}

/** Merging mixes two health histories until someone undoes it, so it is confirmed with the reason in view. */
function MergeDialog({ pair, onConfirm, onClose }: { pair: ReviewPair; onConfirm: () => Promise<void>; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="card dialog" aria-labelledby="merge-title" aria-describedby="merge-consequence" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm()
            .then(() => ref.current?.close())
            .catch((err: unknown) => setError(err instanceof Error ? err.message : 'Không gộp được.'));
        }}
      >
        <h2 id="merge-title">Gộp cặp số {pair.id} thành một người?</h2>
        <p id="merge-consequence">
          Lượt khám, thẻ BHYT và tài khoản Sổ sức khỏe của hai bản ghi sẽ về chung một người, và người dân thấy ngay. Chỉ gộp khi chắc chắn là cùng một người; quản trị hệ thống có thể hoàn tác.
        </p>
        <p>
          <strong>Nhận định:</strong> {pair.explanation.summary_vi}
        </p>
        <Alert>{error}</Alert>
        <ConfirmButtons confirmLabel="Gộp hai bản ghi" onCancel={() => ref.current?.close()} />
      </form>
    </dialog>
  );
}
