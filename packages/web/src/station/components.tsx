import { viDateTime } from '@openhssk/core';
import { type ReactNode, useEffect, useState } from 'react';
import { Link } from '../router.tsx';
import { ApiProblem, isNetworkError } from './api.ts';
import { useStation } from './context.ts';
import type { OutboxEntry } from './db.ts';
import { STATUS_VI } from './format.ts';

/** A link inside the station app (client-side navigation, real href). */
export function To({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { navigate } = useStation();
  return (
    <Link to={to} navigate={navigate} {...(className ? { className } : {})}>
      {children}
    </Link>
  );
}

export function Back({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="st-back">
      <To to={to}>← {children}</To>
    </p>
  );
}

/** Where a screen's data came from when it is not fresh from the server. */
export function Staleness({ savedAt, fresh }: { savedAt: number | null | undefined; fresh: boolean }) {
  if (fresh || !savedAt) return null;
  return <p className="st-stale">Dữ liệu lưu trên máy lúc {viDateTime(savedAt)} (chưa cập nhật được từ máy chủ).</p>;
}

export function StatusTag({ status }: { status: OutboxEntry['status'] }) {
  return <span className={`st-tag st-${status}`}>{STATUS_VI[status] ?? status}</span>;
}

/** An outbox entry as one line: what, when, its state and — for refusals and conflicts — why. */
export function EntryLine({ e, children }: { e: OutboxEntry; children?: ReactNode }) {
  return (
    <li className={`st-entry st-entry-${e.status}`} data-entry-id={e.entryId} data-status={e.status}>
      <div className="row spread">
        <strong>{e.label}</strong>
        <StatusTag status={e.status} />
      </div>
      <div className="muted small">
        {e.personName ? `${e.personName} · ` : ''}ghi lúc {viDateTime(e.recordedAt)} bởi {e.staffName}
      </div>
      {e.message && <p className={e.status === 'refused' ? 'st-reason bad' : 'st-reason'}>{e.message}</p>}
      {e.status === 'pending' && e.lastError && <p className="muted small">Lần gửi trước: {e.lastError}</p>}
      {children}
    </li>
  );
}

/** Entries of this screen still on the device (waiting to be sent, or refused and not yet seen). */
export function WaitingEntries({ id, title, entries }: { id: string; title: string; entries: readonly OutboxEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <section className="card st-waiting" aria-labelledby={id}>
      <h2 id={id}>
        {title} ({entries.length})
      </h2>
      <ul className="st-entries">
        {entries.map((e) => (
          <EntryLine key={e.entryId} e={e} />
        ))}
      </ul>
    </section>
  );
}

/**
 * Reads a screen's data from the server when there is a network and keeps it on the device, else
 * shows the device's copy. `fresh` tells the screen which one it shows; `error` carries a refusal
 * (not found, not allowed), never the mere lack of a connection.
 */
export function useRefresh(load: () => Promise<unknown>, deps: readonly unknown[]): { fresh: boolean; loading: boolean; error: string | null; reload: () => void } {
  const { online } = useStation();
  const [state, setState] = useState({ fresh: false, loading: false, error: null as string | null });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the load depends on
  useEffect(() => {
    if (!online) {
      setState((s) => ({ ...s, fresh: false, loading: false }));
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      () => live && setState({ fresh: true, loading: false, error: null }),
      (e: unknown) => live && setState({ fresh: false, loading: false, error: isNetworkError(e) ? null : e instanceof ApiProblem ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [online, tick, ...deps]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

const FLASH = 'station-flash';

/** A message for the next screen (after saving, the form closes and the person's page says what happened). */
export function setFlash(message: string) {
  sessionStorage.setItem(FLASH, message);
}

export function Flash() {
  const [message] = useState(() => sessionStorage.getItem(FLASH));
  useEffect(() => sessionStorage.removeItem(FLASH), []);
  if (!message) return null;
  return (
    <p className="st-flash" role="status">
      {message}
    </p>
  );
}

/**
 * Rows of a few text fields each, added and removed by the user (a check-up's paraclinical results, a
 * follow-up's medicines): the rows have no identity but their position, and a row's error, when the
 * page found one, is `errors[`${idPrefix}-${i}`]`.
 */
export function RowsFieldset<K extends string>(p: {
  legend: string;
  rows: ReadonlyArray<Record<K, string>>;
  fields: readonly K[];
  labels: Record<K, string>;
  idPrefix: string;
  errors: Record<string, string | undefined>;
  numeric?: readonly K[];
  blank: Record<K, string>;
  removeLabel: string;
  addLabel: string;
  onChange: (rows: Array<Record<K, string>>) => void;
}) {
  return (
    <fieldset>
      <legend>{p.legend}</legend>
      {p.rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
        <div key={i} className="st-grid st-row-block">
          {p.fields.map((k) => (
            <div className="field" key={k}>
              <label htmlFor={`${p.idPrefix}-${i}-${k}`}>{p.labels[k]}</label>
              <input
                id={`${p.idPrefix}-${i}-${k}`}
                inputMode={p.numeric?.includes(k) ? 'numeric' : undefined}
                value={row[k]}
                onChange={(e) => p.onChange(p.rows.map((x, j) => (j === i ? { ...x, [k]: e.target.value } : x)))}
              />
            </div>
          ))}
          {p.errors[`${p.idPrefix}-${i}`] && <span className="st-error">{p.errors[`${p.idPrefix}-${i}`]}</span>}
          <button type="button" className="button secondary" onClick={() => p.onChange(p.rows.filter((_, j) => j !== i))}>
            {p.removeLabel}
          </button>
        </div>
      ))}
      <button type="button" className="button secondary" onClick={() => p.onChange([...p.rows, { ...p.blank }])}>
        {p.addLabel}
      </button>
    </fieldset>
  );
}
