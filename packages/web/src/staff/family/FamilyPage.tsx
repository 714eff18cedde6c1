import { viDate, viDateTime } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { Alert, ReasonDialog } from '../../ui.tsx';
import { get, post } from '../http.ts';

interface PersonCard {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  ma_xa: string | null;
  ma_ho_gia_dinh: string | null;
}

type Relation = 'parent' | 'guardian';
type ProofType = 'birth_certificate' | 'court_decision' | 'guardianship_registration';

interface RelationView {
  child_id: string;
  guardian_id: string;
  relation: Relation;
  source: string;
  proof_type: ProofType | null;
  proof_number: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  removed_at: string | null;
  removal_reason: string | null;
  person: PersonCard | null;
}

interface Family {
  person: PersonCard;
  guardians: RelationView[];
  children: RelationView[];
}

const RELATION_VI: Record<Relation, string> = { parent: 'Cha/mẹ', guardian: 'Người giám hộ' };
const SOURCE_VI: Record<string, string> = {
  population_relation: 'Theo quan hệ với chủ hộ (danh sách dân cư)',
  household_age: 'Suy ra từ tuổi trong hộ (chưa xác nhận)',
  staff_confirmed: 'Cán bộ đã xác nhận',
  demo: 'Dữ liệu trình diễn',
};
const PROOF_VI: Record<ProofType, string> = {
  birth_certificate: 'Giấy khai sinh',
  court_decision: 'Quyết định của tòa án',
  guardianship_registration: 'Trích lục đăng ký giám hộ',
};
/** The documents that prove each relation (the server checks the same rule). */
const PROOFS_FOR: Record<Relation, ProofType[]> = {
  parent: ['birth_certificate', 'court_decision'],
  guardian: ['court_decision', 'guardianship_registration'],
};

/** Commune staff record a child's parents or guardians from the documents the family shows. */
export function FamilyPage() {
  const [key, setKey] = useState('');
  const [family, setFamily] = useState<Family | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<RelationView | null>(null);

  async function load(k: string) {
    setError(null);
    try {
      setFamily(await get<Family>(`/api/v1/family/persons/${encodeURIComponent(k.trim())}`));
    } catch (e) {
      setFamily(null);
      setError(e instanceof Error ? e.message : 'Không tìm được người này.');
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="family-title">
        <h1 id="family-title">Quan hệ cha mẹ – con, người giám hộ</h1>
        <p className="muted">
          Cha mẹ và người giám hộ xem được sổ sức khỏe của trẻ dưới 14 tuổi. Chỉ xác nhận khi đã xem giấy tờ gốc: giấy khai sinh cho cha mẹ, quyết định của tòa án hoặc trích
          lục đăng ký giám hộ cho người giám hộ.
        </p>
        <form
          className="stack"
          aria-label="Tìm trẻ"
          onSubmit={(e) => {
            e.preventDefault();
            setNotice(null);
            void load(key);
          }}
        >
          <div className="field">
            <label htmlFor="family-key">Số định danh (12 số), mã thẻ BHYT hoặc mã người của trẻ</label>
            <div className="row">
              <input id="family-key" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" required maxLength={64} />
              <button className="button primary" type="submit">
                Tìm
              </button>
            </div>
          </div>
        </form>
        <Alert>{error}</Alert>
        {notice && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
      </section>
      {family && (
        <>
          <section className="card" aria-labelledby="family-person">
            <h2 id="family-person">{family.person.ho_ten}</h2>
            <dl className="facts">
              <dt>Ngày sinh</dt>
              <dd>{viDate(family.person.ngay_sinh)}</dd>
              <dt>Số định danh</dt>
              <dd>{family.person.so_cccd ?? '—'}</dd>
              <dt>Mã hộ gia đình</dt>
              <dd>{family.person.ma_ho_gia_dinh ?? '—'}</dd>
            </dl>
            <RelationTable title="Cha mẹ, người giám hộ" rows={family.guardians} onRemove={setRemoving} />
            {family.children.length > 0 && <RelationTable title="Là cha mẹ/người giám hộ của" rows={family.children} onRemove={setRemoving} />}
          </section>
          <ConfirmForm
            child={family.person}
            onDone={(text) => {
              setNotice(text);
              void load(family.person.id);
            }}
          />
        </>
      )}
      {removing && family && (
        <ReasonDialog
          id="family-remove"
          title="Gỡ quan hệ"
          reasonLabel="Lý do gỡ (bắt buộc)"
          reasonRule={{ minLength: 5, maxLength: 500, required: true }}
          confirmLabel="Gỡ quan hệ"
          failMessage="Không gỡ được quan hệ."
          onClose={() => setRemoving(null)}
          onConfirm={async (reason) => {
            await post('/api/v1/family/relations/remove', { child: removing.child_id, guardian: removing.guardian_id, reason });
            setRemoving(null);
            setNotice('Đã gỡ quan hệ. Quan hệ này sẽ không được tự động thêm lại khi nhập danh sách dân cư.');
            await load(family.person.id);
          }}
        >
          <p>Người này sẽ không còn xem được sổ sức khỏe của trẻ.</p>
        </ReasonDialog>
      )}
    </>
  );
}

function RelationTable({ title, rows, onRemove }: { title: string; rows: RelationView[]; onRemove: (r: RelationView) => void }) {
  return (
    <>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">Chưa có.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Họ tên</th>
                <th scope="col">Quan hệ</th>
                <th scope="col">Nguồn</th>
                <th scope="col">Giấy tờ</th>
                <th scope="col">Trạng thái</th>
                <th scope="col">
                  <span className="sr-only">Thao tác</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.child_id}-${r.guardian_id}-${r.relation}`}>
                  <td>
                    {r.person?.ho_ten ?? '—'} <span className="muted">({viDate(r.person?.ngay_sinh)})</span>
                  </td>
                  <td>{RELATION_VI[r.relation]}</td>
                  <td>{SOURCE_VI[r.source] ?? r.source}</td>
                  <td>{r.proof_type ? `${PROOF_VI[r.proof_type]} số ${r.proof_number ?? ''}` : '—'}</td>
                  <td>
                    {r.removed_at
                      ? `Đã gỡ ${viDateTime(r.removed_at)}: ${r.removal_reason ?? ''}`
                      : r.decided_at
                        ? `Xác nhận ${viDateTime(r.decided_at)}${r.decided_by_name ? ` bởi ${r.decided_by_name}` : ''}`
                        : 'Đang dùng'}
                  </td>
                  <td>
                    {!r.removed_at && (
                      <button type="button" className="button secondary" onClick={() => onRemove(r)}>
                        Gỡ
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ConfirmForm({ child, onDone }: { child: PersonCard; onDone: (text: string) => void }) {
  const [guardian, setGuardian] = useState('');
  const [relation, setRelation] = useState<Relation>('parent');
  const [proofType, setProofType] = useState<ProofType>('birth_certificate');
  const [proofNumber, setProofNumber] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ guardian: PersonCard }>('/api/v1/family/relations', {
        child: child.id,
        guardian: guardian.trim(),
        relation,
        proof_type: proofType,
        proof_number: proofNumber.trim(),
      });
      onDone(`Đã xác nhận ${r.guardian.ho_ten} là ${RELATION_VI[relation].toLowerCase()} của ${child.ho_ten}.`);
      setGuardian('');
      setProofNumber('');
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không lưu được quan hệ.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="family-confirm">
      <h2 id="family-confirm">Thêm hoặc xác nhận cha mẹ/người giám hộ</h2>
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="family-guardian">Số định danh (12 số) hoặc mã thẻ BHYT của cha mẹ/người giám hộ</label>
          <input id="family-guardian" value={guardian} onChange={(e) => setGuardian(e.target.value)} autoComplete="off" required maxLength={64} />
        </div>
        <fieldset className="methods">
          <legend>Quan hệ</legend>
          {(Object.keys(RELATION_VI) as Relation[]).map((r) => (
            <label key={r} className="chip">
              <input
                type="radio"
                name="family-relation"
                checked={relation === r}
                onChange={() => {
                  setRelation(r);
                  setProofType(PROOFS_FOR[r][0]!);
                }}
              />{' '}
              {RELATION_VI[r]}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="family-proof-type">Giấy tờ đã xem</label>
          <select id="family-proof-type" value={proofType} onChange={(e) => setProofType(e.target.value as ProofType)}>
            {PROOFS_FOR[relation].map((p) => (
              <option key={p} value={p}>
                {PROOF_VI[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="family-proof-number">Số giấy tờ (ví dụ số giấy khai sinh)</label>
          <input id="family-proof-number" value={proofNumber} onChange={(e) => setProofNumber(e.target.value)} autoComplete="off" required maxLength={64} />
        </div>
        <Alert>{error}</Alert>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? 'Đang lưu…' : 'Xác nhận'}
        </button>
      </form>
    </section>
  );
}
