import type { ReactNode } from 'react';

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
