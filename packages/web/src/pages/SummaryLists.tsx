import { viDate } from '@openhssk/core';
import type { ReactNode } from 'react';
import type { BookSummary } from '../api.ts';
import { DECLARATION_KIND, SEX } from '../labels.ts';

// Lists of the book summary shown both to the citizen (SummaryPage) and to a doctor through a
// share link (SharedViewPage): one rendering, so the two views cannot drift apart.

/** Name, birth date and sex; each view appends the rows its reader needs. */
export function PersonFacts({ person, children }: { person: BookSummary['person']; children?: ReactNode }) {
  return (
    <dl className="facts">
      <dt>Họ và tên</dt>
      <dd>{person.ho_ten}</dd>
      <dt>Ngày sinh</dt>
      <dd>{viDate(person.ngay_sinh)}</dd>
      <dt>Giới tính</dt>
      <dd>{person.gioi_tinh ? (SEX[person.gioi_tinh] ?? '—') : '—'}</dd>
      {children}
    </dl>
  );
}

export const bhytValidity = (bhyt: NonNullable<BookSummary['bhyt']>) => `${viDate(bhyt.valid_from)} – ${viDate(bhyt.valid_to)}`;

/** Whether the card is valid today; null (validity never received) reads "chưa rõ", never "còn hiệu lực" by default. */
export function BhytStatus({ bhyt }: { bhyt: NonNullable<BookSummary['bhyt']> }) {
  return (
    <span className={bhyt.valid_now === null ? undefined : bhyt.valid_now ? 'ok' : 'warn'}>
      ({bhyt.valid_now === null ? 'chưa rõ' : bhyt.valid_now ? 'còn hiệu lực' : 'không còn hiệu lực'})
    </span>
  );
}

/**
 * Chronic conditions from facility diagnoses. `showCount` adds how many visits recorded each
 * one, which helps the citizen recognise them; a doctor only needs when it was last seen.
 */
export function ChronicList({ items, empty, showCount = false }: { items: BookSummary['chronic']; empty: string; showCount?: boolean }) {
  if (items.length === 0) return <p>{empty}</p>;
  return (
    <ul className="plain">
      {items.map((c) => (
        <li key={c.code}>
          <strong>{c.code}</strong> {c.name ?? ''}{' '}
          <span className="muted">{showCount ? `— ${c.episodes} lượt, gần nhất ${viDate(c.last_seen)}` : `(gần nhất ${viDate(c.last_seen)})`}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Allergies, history and risk factors, always tagged as self-declared. `showDetail` adds the
 * free-text detail for a doctor, who cannot open the declarations page the citizen links to.
 */
export function DeclarationList({ items, empty, showDetail = false }: { items: BookSummary['declarations']; empty: string; showDetail?: boolean }) {
  if (items.length === 0) return <p>{empty}</p>;
  return (
    <ul className="plain">
      {items.map((d) => (
        <li key={d.id}>
          {DECLARATION_KIND[d.kind]}: <strong>{d.title}</strong> {showDetail && <>{d.detail ? `– ${d.detail}` : ''} </>}
          <span className="tag">tự khai báo</span>
        </li>
      ))}
    </ul>
  );
}
