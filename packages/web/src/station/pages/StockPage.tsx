import { viDate, vietnamToday, viNumber } from '@openhssk/core';
import { type ImmCatalog, type ImmStock, percentText } from '@openhssk/core/api';
import { type FormEvent, useEffect, useState } from 'react';
import { Alert } from '../../ui.tsx';
import { Back, Staleness, useRefresh, WaitingEntries } from '../components.tsx';
import '../immunization.css';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { useDraft, useLive } from '../hooks.ts';
import { cachedCatalog, cachedStock, refreshCatalog, refreshStock } from '../immunization.ts';
import { enqueue } from '../outbox.ts';

/**
 * The station's vaccine stock: what is on hand per vaccine and lot, doses used (the doses recorded
 * here), doses wasted in opened multi-dose vials, expiry alerts; and the receipt form, which works
 * offline (the receipt waits in the outbox like a dose).
 */

const n = (v: number) => viNumber(v, 0);
const pct = (r: number) => percentText(r);
const ruleText = (r: ImmStock['products'][number]['opened_vial_rule']) => (r.keep === 'session' ? 'lọ đã mở hủy cuối buổi tiêm' : `lọ đã mở dùng tối đa ${r.days} ngày`);

export function StockPage() {
  const { me, online } = useStation();
  const cached = useLive(() => cachedStock(), []);
  const pending = useLive(() => db.outbox.filter((e) => e.target === 'stock').reverse().sortBy('createdAt'), []);
  const answered = (pending ?? []).filter((e) => e.status !== 'pending').length;
  const { fresh, error } = useRefresh(() => refreshStock(), [answered]);
  const waiting = (pending ?? []).filter((e) => e.status === 'pending' || (e.status === 'refused' && !e.seen));
  const stock = cached?.value ?? null;
  return (
    <>
      <Back to={ROUTES.immunization}>Tiêm chủng</Back>
      <h1>Kho vắc xin{stock?.facility_name ? ` – ${stock.facility_name}` : ''}</h1>
      <Alert>{error}</Alert>
      {cached ? <Staleness savedAt={cached.savedAt} fresh={fresh} /> : !online && <p className="st-stale">Số liệu kho chưa được tải về máy; phiếu nhập vẫn ghi được và sẽ gửi khi có mạng.</p>}
      {stock && <p className="muted small">Số liệu tính đến ngày {viDate(stock.as_of)}.</p>}
      {stock && stock.alerts.length > 0 && (
        <section className="card st-waiting" aria-labelledby="stock-alerts-title">
          <h2 id="stock-alerts-title">Cảnh báo hạn dùng ({stock.alerts.length})</h2>
          <ul className="st-list" data-testid="stock-alerts">
            {stock.alerts.map((a) => (
              <li key={a.receipt_id}>
                <strong>
                  {a.product} lô {a.lot_no}
                </strong>
                : {a.kind === 'expired' ? `đã hết hạn ngày ${viDate(a.expires_on)}, hủy ${n(a.expired_doses)} liều` : `hết hạn ngày ${viDate(a.expires_on)}, còn ${n(a.on_hand_doses)} liều – dùng trước`}
              </li>
            ))}
          </ul>
        </section>
      )}
      <WaitingEntries id="stock-waiting-title" title="Phiếu nhập ghi trên máy" entries={waiting} />
      {stock && <Balances stock={stock} />}
      <ReceiptForm me={me} />
    </>
  );
}

function Balances({ stock }: { stock: ImmStock }) {
  if (stock.products.length === 0) return <p className="muted">Chưa có phiếu nhập vắc xin nào.</p>;
  return (
    <section className="card" aria-labelledby="stock-balance-title">
      <h2 id="stock-balance-title">Tồn kho theo vắc xin (liều)</h2>
        <table className="st-table" data-testid="stock-products">
          <thead>
            <tr>
              <th scope="col">Vắc xin</th>
              <th scope="col">Tồn</th>
              <th scope="col">Đã tiêm</th>
              <th scope="col">Hao phí</th>
              <th scope="col">Hết hạn</th>
            </tr>
          </thead>
          <tbody>
            {stock.products.map((p) => (
              <tr key={p.product}>
                <th scope="row">{p.product}</th>
                <td>{n(p.on_hand_doses)}</td>
                <td>{n(p.used_doses)}</td>
                <td>{n(p.wasted_doses)}</td>
                <td>{n(p.expired_doses)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      <ul className="st-list small">
        {stock.products.map((p) => (
          <li key={p.product}>
            {p.name_vi}: tỷ lệ hao phí {pct(p.wastage_rate)} ({ruleText(p.opened_vial_rule)})
            {p.unstocked_doses > 0 ? `; ${n(p.unstocked_doses)} liều đã tiêm chưa có phiếu nhập tương ứng` : ''}
          </li>
        ))}
      </ul>
      <h3>Theo lô</h3>
      <ul className="st-cards" data-testid="stock-lots">
        {stock.lots.map((l) => (
          <li key={l.receipt_id} className="card">
            <strong>
              {l.product} – lô {l.lot_no}
            </strong>
            <div className="small">
              Hạn dùng {viDate(l.expires_on)} · nhận {viDate(l.received_on)} · {n(l.vials)} lọ × {n(l.doses_per_vial)} liều
            </div>
            <div className="small">
              Còn {n(l.on_hand_doses)} liều · đã tiêm {n(l.used_doses)} · hao phí {n(l.wasted_doses)}
              {l.expired_doses > 0 ? ` · hết hạn ${n(l.expired_doses)}` : ''}
              {l.open_vial ? ` · lọ đang mở từ ${viDate(l.open_vial.opened_on)} còn ${n(l.open_vial.left)} liều` : ''}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface ReceiptDraft {
  vaccine: string;
  lot_no: string;
  expires_on: string;
  doses_per_vial: string;
  vials: string;
  received_on: string;
}
const emptyReceipt = (): ReceiptDraft => ({ vaccine: '', lot_no: '', expires_on: '', doses_per_vial: '', vials: '', received_on: vietnamToday() });

function ReceiptForm({ me }: { me: Parameters<typeof enqueue>[0] }) {
  const [catalog, setCatalog] = useState<ImmCatalog | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void cachedCatalog().then((c) => live && c && setCatalog(c));
    if (navigator.onLine) void refreshCatalog().then((c) => live && setCatalog(c), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  const [d, setD, clearDraft] = useDraft<ReceiptDraft>('stock-receipt', emptyReceipt);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const programme = (catalog?.products ?? []).filter((p) => p.programme);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const perVial = Number(d.doses_per_vial);
    const vials = Number(d.vials);
    if (!d.vaccine || !d.lot_no.trim() || !d.expires_on || !d.received_on || !Number.isInteger(perVial) || perVial < 1 || !Number.isInteger(vials) || vials < 1) {
      setFailure('Điền đủ vắc xin, số lô, hạn dùng, số liều mỗi lọ, số lọ và ngày nhận.');
      return;
    }
    if (d.received_on > vietnamToday()) {
      setFailure('Ngày nhận không được ở tương lai.');
      return;
    }
    setFailure(null);
    await enqueue(me, {
      target: 'stock',
      kind: 'receipt',
      personId: null,
      personName: null,
      payload: { vaccine: d.vaccine, lot_no: d.lot_no.trim(), expires_on: d.expires_on, doses_per_vial: perVial, vials, received_on: d.received_on },
      label: `Nhập ${vials} lọ ${d.vaccine} lô ${d.lot_no.trim()} ngày ${viDate(d.received_on)}`,
    });
    clearDraft();
    setD(emptyReceipt());
    setSaved(true);
  }
  return (
    <section className="card" aria-labelledby="receipt-title">
      <h2 id="receipt-title">Nhập vắc xin vào kho</h2>
      {saved && (
        <p className="st-flash" role="status">
          Đã ghi phiếu nhập trên máy; phiếu sẽ được gửi khi có mạng.
        </p>
      )}
      <Alert>{failure}</Alert>
      <form onSubmit={submit} noValidate>
        <div className="st-grid">
          <div className="field">
            <label htmlFor="receipt-vaccine">Vắc xin</label>
            <select id="receipt-vaccine" value={d.vaccine} onChange={(e) => setD({ ...d, vaccine: e.target.value })} required>
              <option value="">– Chọn vắc xin –</option>
              {programme.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name_vi}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="receipt-lot">Số lô</label>
            <input id="receipt-lot" value={d.lot_no} maxLength={50} onChange={(e) => setD({ ...d, lot_no: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor="receipt-expiry">Hạn dùng</label>
            <input id="receipt-expiry" type="date" value={d.expires_on} onChange={(e) => setD({ ...d, expires_on: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor="receipt-per-vial">Số liều mỗi lọ</label>
            <input id="receipt-per-vial" type="number" inputMode="numeric" min={1} max={50} value={d.doses_per_vial} onChange={(e) => setD({ ...d, doses_per_vial: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor="receipt-vials">Số lọ</label>
            <input id="receipt-vials" type="number" inputMode="numeric" min={1} value={d.vials} onChange={(e) => setD({ ...d, vials: e.target.value })} required />
          </div>
          <div className="field">
            <label htmlFor="receipt-date">Ngày nhận</label>
            <input id="receipt-date" type="date" max={vietnamToday()} value={d.received_on} onChange={(e) => setD({ ...d, received_on: e.target.value })} required />
          </div>
        </div>
        <button type="submit" className="button primary">
          Lưu phiếu nhập
        </button>
      </form>
    </section>
  );
}
