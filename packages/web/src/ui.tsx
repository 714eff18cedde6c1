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
