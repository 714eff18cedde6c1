import type { OnboardingRequest, UnitRef } from '@openhssk/core/api';
import { useCallback, useEffect, useState } from 'react';
import { ApiProblem, get } from '../http.ts';
import { RequestForm, RequestList } from './requests.tsx';

interface FacilityStep {
  code: string;
  name: string;
  admin_unit_name: string | null;
  badge: 'not_ready' | 'integrating' | 'connected';
  badge_vi: string;
  steps_done: number;
  steps_total: number;
  step: { key: string; label_vi: string } | null;
  open_requests: number;
}

/**
 * Health-department view of onboarding (QĐ 2733): each facility of the area at its checklist step,
 * and the queue of requests for facility codes and interop accounts to approve or return.
 */
const failWith = (setError: (m: string) => void) => (e: unknown) => setError(e instanceof ApiProblem ? e.message : 'Không tải được dữ liệu.');

export function OnboardingPage() {
  const [units, setUnits] = useState<UnitRef[]>([]);
  const [unit, setUnit] = useState<string | undefined>(undefined);
  const [facilities, setFacilities] = useState<FacilityStep[] | null>(null);
  const [requests, setRequests] = useState<OnboardingRequest[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = failWith(setError);
    get<{ units: UnitRef[] }>('/api/v1/reports/units').then(async (r) => {
      // The caller's top unit and the units right under it (districts, or communes after the reform).
      const top = r.units;
      const below = top[0] ? (await get<{ units: UnitRef[] }>(`/api/v1/reports/units?parent=${top[0].code}`)).units : [];
      setUnits([...top, ...below]);
      setUnit((u) => u ?? top[0]?.code);
    }, fail);
  }, []);

  const load = useCallback(() => {
    if (!unit) return;
    const fail = failWith(setError);
    get<{ facilities: FacilityStep[] }>(`/api/v1/reports/onboarding?unit=${unit}`).then((r) => setFacilities(r.facilities), fail);
    get<{ requests: OnboardingRequest[] }>(`/api/v1/onboarding/requests?unit=${unit}`).then((r) => setRequests(r.requests), fail);
  }, [unit]);
  useEffect(load, [load]);

  const pending = requests?.filter((r) => r.status === 'pending').length ?? 0;
  return (
    <div className="onboarding">
      <h1>Tiến độ kết nối cơ sở KCB</h1>
      <form className="report-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Địa bàn
          <select value={unit ?? ''} onChange={(e) => setUnit(e.target.value)} data-testid="onboarding-unit">
            {units.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p role="alert" className="status warn">
          {error}
        </p>
      )}

      <section className="card" aria-labelledby="queue-h">
        <h2 id="queue-h">Yêu cầu cấp mã và tài khoản liên thông {pending > 0 && <span className="badge integrating">{pending} chờ duyệt</span>}</h2>
        {requests && <RequestList requests={requests} canDecide onChange={load} />}
        <details>
          <summary>Nhập yêu cầu thay cho đơn vị đề nghị</summary>
          <RequestForm askUnit onFiled={load} />
        </details>
      </section>

      <section className="card" aria-labelledby="steps-h">
        <h2 id="steps-h">Bước kết nối của từng cơ sở (QĐ 2733/QĐ-BYT)</h2>
        {facilities && facilities.length === 0 && <p className="muted">Địa bàn chưa có cơ sở KCB nào.</p>}
        {facilities && facilities.length > 0 && (
          <ul className="facility-steps" data-testid="onboarding-facilities">
            {facilities.map((f) => (
              <li key={f.code}>
                <strong>
                  {f.code} – {f.name}
                </strong>
                <span className="muted"> · {f.admin_unit_name ?? '—'}</span>
                <br />
                <span className={`badge ${f.badge}`}>{f.badge_vi}</span> {f.steps_done}/{f.steps_total} bước
                {f.step && <> · đang ở bước: {f.step.label_vi}</>}
                {f.open_requests > 0 && <> · {f.open_requests} yêu cầu chờ duyệt</>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
