import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';

/** Error text announced at once by screen readers; nothing is rendered while there is no error. */
export function Alert({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === false || children === '') return null;
  return (
    <p role="alert" className="alert">
      {children}
    </p>
  );
}

/** First focusable element of both apps, so keyboard users can jump past the header and menu. */
export function SkipLink() {
  return (
    <a className="skip" href="#main">
      Bỏ qua đến nội dung chính
    </a>
  );
}

/** The six-digit code of an authenticator app, labelled the same on every staff screen that asks for it. */
export function TotpCodeField({ id, value, onChange, label = 'Mã xác thực 6 số' }: { id: string; value: string; onChange: (v: string) => void; label?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} value={value} onChange={(e) => onChange(e.target.value)} required />
    </div>
  );
}

/** Footer of a confirmation dialog: the dangerous action names itself, cancelling is always beside it. */
export function ConfirmButtons({ confirmLabel, onCancel }: { confirmLabel: string; onCancel: () => void }) {
  return (
    <div className="row">
      <button type="submit" className="button danger">
        {confirmLabel}
      </button>
      <button type="button" className="button secondary" onClick={onCancel}>
        Hủy
      </button>
    </div>
  );
}

/**
 * A modal before a consequential action (certificate revocation, emergency access, new API password):
 * the consequence is said first; where the action needs a reason (reasonLabel), it goes to the audit
 * log; a refusal is shown in the dialog.
 */
export function ReasonDialog(p: {
  id: string;
  title: string;
  children: ReactNode;
  reasonLabel?: string;
  reasonRule?: { minLength?: number; maxLength?: number; required?: boolean };
  confirmLabel: string;
  failMessage: string;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await p.onConfirm(reason);
    } catch (err) {
      setError(err instanceof Error ? err.message : p.failMessage);
    }
  }
  return (
    <dialog ref={ref} className="card dialog" aria-labelledby={`${p.id}-title`} aria-describedby={`${p.id}-consequence`} onClose={p.onClose}>
      <form onSubmit={submit} className="stack">
        <h2 id={`${p.id}-title`}>{p.title}</h2>
        <p id={`${p.id}-consequence`}>{p.children}</p>
        {p.reasonLabel && (
          <div className="field">
            <label htmlFor={`${p.id}-reason`}>{p.reasonLabel}</label>
            <textarea id={`${p.id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} {...p.reasonRule} />
          </div>
        )}
        <Alert>{error}</Alert>
        <ConfirmButtons confirmLabel={p.confirmLabel} onCancel={p.onClose} />
      </form>
    </dialog>
  );
}

/** "← Trang trước · Trang n/m · Trang sau →" under a paged list; nothing when everything fits one page. */
export function Pager({ page, pages, label, onTurn }: { page: number; pages: number; label: string; onTurn: (to: number) => void }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager row spread" aria-label={label}>
      <button type="button" className="button secondary" disabled={page <= 1} onClick={() => onTurn(page - 1)}>
        ← Trang trước
      </button>
      <span>
        Trang {page}/{pages}
      </span>
      <button type="button" className="button secondary" disabled={page >= pages} onClick={() => onTurn(page + 1)}>
        Trang sau →
      </button>
    </nav>
  );
}
