import { DOSE_STATUS_VI, nextDueText, statusClass } from '../pages/immunization-labels.ts';
import { To, useRefresh } from './components.tsx';
import { ROUTES } from './context.ts';
import { useLive } from './hooks.ts';
import { cachedImmunizationPerson, refreshImmunizationPerson } from './immunization.ts';

/** The person's immunization state on their page: the next doses, and the way to record one. */
export function ImmunizationSummary({ personId }: { personId: string }) {
  const cached = useLive(() => cachedImmunizationPerson(personId), [personId]);
  const { error } = useRefresh(() => refreshImmunizationPerson(personId), [personId]);
  const s = cached?.view.schedule;
  const next = s?.evaluable ? s.next_due.filter((n) => n.status !== 'not_yet_due') : [];
  const soon = s?.evaluable ? s.next_due.find((n) => n.status === 'not_yet_due') : undefined;
  const recorded = cached ? cached.view.vaccinations.filter((v) => v.duplicate_of === null).length : null;
  return (
    <section className="card" aria-labelledby="imm-summary-title" data-testid="imm-summary">
      <h2 id="imm-summary-title">Tiêm chủng</h2>
      {error ? (
        <p className="muted">{error}</p>
      ) : !cached ? (
        <p className="muted">Chưa tải được lịch sử tiêm của người này.</p>
      ) : !s?.evaluable ? (
        <p>{recorded} mũi đã ghi nhận. {s?.evaluable === false ? s.reason.message_vi : ''}</p>
      ) : (
        <>
          <p>
            {recorded} mũi đã ghi nhận.{' '}
            {next.length === 0 ? 'Không có mũi nào đến hạn hoặc quá hạn.' : `${next.length} mũi đến hạn hoặc quá hạn:`}
          </p>
          {next.length > 0 && (
            <ul className="st-list">
              {next.map((n) => (
                <li key={`${n.series}-${n.dose}`}>
                  {n.name_vi} – mũi {n.dose} <span className={statusClass(n.status)}>{DOSE_STATUS_VI[n.status]}</span>
                </li>
              ))}
            </ul>
          )}
          {soon && (
            <p className="small">
              Sắp tới: {soon.name_vi} – mũi {soon.dose} ({nextDueText(soon)}).
            </p>
          )}
        </>
      )}
      <To to={ROUTES.personImmunization(personId)} className="button primary">
        Tiêm chủng: xem và ghi mũi tiêm
      </To>
    </section>
  );
}
