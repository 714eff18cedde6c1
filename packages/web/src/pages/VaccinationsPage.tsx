import { type Vaccination, withPerson } from '../api.ts';
import { formatDate } from '../labels.ts';
import { useApi } from './useApi.ts';

export function VaccinationsPage({ personId }: { personId: string | null }) {
  const { data, error } = useApi<{ vaccinations: Vaccination[] }>(withPerson('/api/v1/book/vaccinations', personId));
  return (
    <section aria-labelledby="vacc-title">
      <h1 id="vacc-title">Tiêm chủng</h1>
      {error && <p role="alert">{error}</p>}
      {data && data.vaccinations.length === 0 && (
        <div className="card">
          <p>Chưa có dữ liệu tiêm chủng.</p>
          <p className="muted">Dữ liệu tiêm chủng sẽ do cơ sở tiêm chủng gửi về khi hệ thống được kết nối; người dân không tự nhập mũi tiêm.</p>
        </div>
      )}
      {data && data.vaccinations.length > 0 && (
        <ul className="episodes">
          {data.vaccinations.map((v) => (
            <li key={v.id} className="card episode">
              <strong>
                {v.vaccine_name}
                {v.dose_no ? ` – mũi ${v.dose_no}` : ''}
              </strong>
              <span>
                {formatDate(v.given_on)} {v.facility_name ? `tại ${v.facility_name}` : ''}
              </span>
              {v.reaction ? <span>Phản ứng sau tiêm: {v.reaction}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
