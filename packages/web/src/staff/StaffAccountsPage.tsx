import { viDateTime, viNumber } from '@openhssk/core';
import { FACILITY_ADMIN_GRANTS, FACILITY_ROLES, STAFF_ROLES } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Alert, ReasonDialog } from '../ui.tsx';
import { get, post, ROLE_VI, type Role, type StaffMe } from './http.ts';

interface Account {
  id: string;
  username: string;
  full_name: string;
  role: Role;
  facility_code: string | null;
  facility_name: string | null;
  admin_unit_code: string | null;
  admin_unit_name: string | null;
  totp_enabled: boolean;
  must_change_password: boolean;
  locked_until: string | null;
  disabled_at: string | null;
  last_login_at: string | null;
}

/** The roles a facility admin hands out first (the common case), then the admin and area roles. */
const ALL_ROLES: readonly Role[] = [...FACILITY_ADMIN_GRANTS, ...STAFF_ROLES.filter((r) => !FACILITY_ADMIN_GRANTS.includes(r))];
const NEEDS_FACILITY = (r: Role) => FACILITY_ROLES.includes(r);

interface AccountList {
  accounts: Account[];
  total: number;
  matched: number;
  page: number;
  per_page: number;
}

const PER_PAGE = 20;

interface UnitOption {
  code: string;
  name: string;
  level: 'province' | 'district' | 'commune';
  parent_name: string | null;
}

const LEVEL_VI: Record<UnitOption['level'], string> = { province: 'tỉnh/thành phố', district: 'huyện/quận', commune: 'xã/phường' };
const unitText = (u: UnitOption) => `${u.name}${u.parent_name ? `, ${u.parent_name}` : ''} (${LEVEL_VI[u.level]}, mã ${u.code})`;

/**
 * A health officer's area, found by name with or without diacritics ("nghia son") or by code: the
 * administrator picks from the matches instead of typing a code from memory.
 */
function UnitPicker({ value, onChange }: { value: UnitOption | null; onChange: (u: UnitOption | null) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<{ units: UnitOption[]; matched: number } | null>(null);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) {
      setFound(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      get<{ units: UnitOption[]; matched: number }>(`/api/v1/staff/admin-units?${new URLSearchParams({ q: text })}`).then(
        (r) => live && setFound(r),
        () => live && setFound({ units: [], matched: 0 }),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q]);
  if (value) {
    return (
      <div className="field">
        <p data-testid="chosen-unit">
          Đơn vị hành chính:{' '}
          <strong>{unitText(value)}</strong>{' '}
          <button type="button" className="button secondary" onClick={() => onChange(null)}>
            Chọn đơn vị khác
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor="acc-unit">Đơn vị hành chính (tìm theo tên tỉnh, huyện, xã hoặc mã)</label>
      <input id="acc-unit" type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby="acc-unit-help" autoComplete="off" />
      <span id="acc-unit-help" className="muted">
        Gõ có dấu hoặc không dấu, ví dụ “nghia son”; rồi chọn trong danh sách.
      </span>
      {found && (
        <div role="status" aria-live="polite" className="muted">
          {found.matched === 0 ? 'Không có đơn vị phù hợp.' : found.matched > found.units.length ? `${found.matched} đơn vị phù hợp, hiển thị ${found.units.length} đầu tiên; gõ thêm để thu hẹp.` : `${found.matched} đơn vị phù hợp.`}
        </div>
      )}
      {found && found.units.length > 0 && (
        <ul className="unit-options" aria-label="Đơn vị tìm thấy">
          {found.units.map((u) => (
            <li key={u.code}>
              <button type="button" className="link" onClick={() => onChange(u)}>
                {unitText(u)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A one-time password is shown once: the person who receives it must change it at first login. */
function OneTimePassword({ who, password, onClose }: { who: string; password: string; onClose: () => void }) {
  return (
    <div className="secret" role="status" data-testid="one-time-password">
      <p>
        Mật khẩu dùng một lần của <strong>{who}</strong>: <code>{password}</code>
      </p>
      <p className="muted">Chỉ hiển thị lần này. Hãy trao trực tiếp cho người dùng; họ phải đổi mật khẩu ở lần đăng nhập đầu tiên.</p>
      <button type="button" className="button secondary" onClick={onClose}>
        Đã ghi lại, ẩn mật khẩu
      </button>
    </div>
  );
}

function CreateAccount({ me, facilities, onCreated }: { me: StaffMe; facilities: Array<{ code: string; name: string }>; onCreated: (a: { who: string; password: string }) => void }) {
  const roles = me.role === 'system_admin' ? ALL_ROLES : FACILITY_ADMIN_GRANTS;
  const [form, setForm] = useState({ username: '', full_name: '', role: roles[0]!, facility_code: me.role === 'facility_admin' ? (me.facility_code ?? '') : '' });
  const [unit, setUnit] = useState<UnitOption | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (form.role === 'health_officer' && !unit) {
      setError('Chọn đơn vị hành chính mà cán bộ quản lý.');
      document.getElementById('acc-unit')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ id: string; one_time_password: string }>('/api/v1/staff/accounts', {
        username: form.username.trim(),
        full_name: form.full_name.trim(),
        role: form.role,
        ...(NEEDS_FACILITY(form.role) ? { facility_code: form.facility_code } : {}),
        ...(form.role === 'health_officer' && unit ? { admin_unit_code: unit.code } : {}),
      });
      onCreated({ who: form.username.trim(), password: r.one_time_password });
      setForm((f) => ({ ...f, username: '', full_name: '' }));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không tạo được tài khoản.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">Tạo tài khoản</h2>
      <div className="field">
        <label htmlFor="acc-name">Họ và tên</label>
        <input id="acc-name" value={form.full_name} onChange={set('full_name')} maxLength={200} required />
      </div>
      <div className="field">
        <label htmlFor="acc-username">Tên đăng nhập</label>
        <input id="acc-username" value={form.username} onChange={set('username')} aria-describedby="acc-username-help" autoComplete="off" required />
        <span id="acc-username-help" className="muted">
          3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.
        </span>
      </div>
      <div className="field">
        <label htmlFor="acc-role">Vai trò</label>
        <select id="acc-role" value={form.role} onChange={set('role')}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_VI[r]}
            </option>
          ))}
        </select>
      </div>
      {NEEDS_FACILITY(form.role) && me.role === 'system_admin' && (
        <div className="field">
          <label htmlFor="acc-facility">Cơ sở y tế</label>
          <select id="acc-facility" value={form.facility_code} onChange={set('facility_code')} required>
            <option value="">Chọn cơ sở…</option>
            {facilities.map((f) => (
              <option key={f.code} value={f.code}>
                {f.name} ({f.code})
              </option>
            ))}
          </select>
        </div>
      )}
      {form.role === 'health_officer' && <UnitPicker value={unit} onChange={setUnit} />}
      <Alert>{error}</Alert>
      <p className="muted">Hệ thống tạo một mật khẩu dùng một lần; người dùng đổi mật khẩu ở lần đăng nhập đầu tiên.</p>
      <div>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Đang tạo…' : 'Tạo tài khoản'}
        </button>
      </div>
    </form>
  );
}

/**
 * Staff accounts for a system admin (all) or a facility admin (their facility's clinical staff):
 * create, reset a password (a one-time one is shown once), disable and enable. Every change is
 * made and audited by the server's staff module.
 */
export function StaffAccountsPage({ me }: { me: StaffMe }) {
  const [list, setList] = useState<AccountList | null>(null);
  const [page, setPage] = useState(1);
  const [facilities, setFacilities] = useState<Array<{ code: string; name: string }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [issued, setIssued] = useState<{ who: string; password: string } | null>(null);
  const [resetting, setResetting] = useState<Account | null>(null);
  const [disabling, setDisabling] = useState<Account | null>(null);
  const [clearTotp, setClearTotp] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // The server searches (any word order, with or without diacritics) and pages; typing waits a moment.
  const load = useCallback(() => {
    let live = true;
    const t = setTimeout(() => {
      get<AccountList>(`/api/v1/staff/accounts?${new URLSearchParams({ q: q.trim(), page: String(page), per_page: String(PER_PAGE) })}`).then(
        (r) => live && setList(r),
        (e: Error) => live && setError(e.message),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, page]);
  useEffect(load, [load]);
  useEffect(() => {
    if (me.role !== 'system_admin') return;
    get<{ facilities: Array<{ code: string; name: string }> }>('/api/v1/facilities').then(
      (r) => setFacilities(r.facilities),
      () => setFacilities([]),
    );
  }, [me.role]);

  const accounts = list?.accounts ?? null;
  const shown = accounts ?? [];
  const pages = list ? Math.max(1, Math.ceil(list.matched / list.per_page)) : 1;

  const enable = async (a: Account) => {
    setError(null);
    try {
      await post(`/api/v1/staff/accounts/${encodeURIComponent(a.id)}/enable`, {});
      setNotice(`Đã mở lại tài khoản ${a.username}.`);
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section aria-labelledby="accounts-title" className="stack">
      <h1 id="accounts-title">Tài khoản nhân viên</h1>
      <p className="muted">
        {me.role === 'system_admin'
          ? 'Tạo, khóa, mở khóa và cấp lại mật khẩu cho tài khoản nhân viên của mọi cơ sở. Mọi thay đổi đều được ghi nhật ký.'
          : `Tài khoản bác sĩ, tiếp đón và nhân viên trạm của ${me.facility?.name ?? 'cơ sở của bạn'}. Mọi thay đổi đều được ghi nhật ký.`}
      </p>
      {issued && <OneTimePassword who={issued.who} password={issued.password} onClose={() => setIssued(null)} />}
      {notice && (
        <p className="status ok" role="status">
          {notice}
        </p>
      )}
      <CreateAccount
        me={me}
        facilities={facilities}
        onCreated={(a) => {
          setIssued(a);
          setNotice(null);
          load();
        }}
      />
      <section className="card stack" aria-labelledby="list-title">
        <h2 id="list-title">Danh sách tài khoản{list ? ` (${viNumber(list.total)})` : ''}</h2>
        <div className="field">
          <label htmlFor="acc-search">Tìm theo tên, tên đăng nhập, vai trò hoặc cơ sở</label>
          <input
            id="acc-search"
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setPage(1);
            }}
          />
        </div>
        <Alert>{error}</Alert>
        {!accounts && !error && <p aria-live="polite">Đang tải…</p>}
        {accounts && shown.length === 0 && <p>Không có tài khoản phù hợp.</p>}
        <ul className="episodes" data-testid="staff-accounts">
          {shown.map((a) => (
            <li key={a.id} className="card episode" data-username={a.username}>
              <span>
                <strong>{a.full_name}</strong> · <code>{a.username}</code>
              </span>
              <span>
                {ROLE_VI[a.role]}
                {a.facility_code ? ` · ${a.facility_name ?? a.facility_code}` : a.admin_unit_code ? ` · ${a.admin_unit_name ?? a.admin_unit_code}` : ''}
              </span>
              <span className="row">
                {a.disabled_at ? <span className="badge bad">Đã khóa</span> : <span className="badge ok">Đang hoạt động</span>}
                {a.locked_until && new Date(a.locked_until) > new Date() && <span className="badge integrating">Tạm khóa do nhập sai mật khẩu nhiều lần</span>}
                <span className={`badge ${a.totp_enabled ? 'ok' : ''}`}>{a.totp_enabled ? 'Có xác thực hai lớp' : 'Chưa có xác thực hai lớp'}</span>
                {a.must_change_password && <span className="badge">Chờ đổi mật khẩu</span>}
              </span>
              <span className="muted">Đăng nhập gần nhất: {a.last_login_at ? viDateTime(a.last_login_at) : 'chưa đăng nhập'}</span>
              <span className="row">
                {/* A reset ends the account's sessions: resetting one's own would lock the admin out mid-page. */}
                {a.id === me.id ? null : (
                  <button type="button" className="button secondary" onClick={() => { setClearTotp(false); setResetting(a); }} aria-label={`Cấp lại mật khẩu cho ${a.username}`}>
                    Cấp lại mật khẩu
                  </button>
                )}
                {a.id === me.id ? null : a.disabled_at ? (
                  <button type="button" className="button secondary" onClick={() => void enable(a)} aria-label={`Mở khóa ${a.username}`}>
                    Mở khóa
                  </button>
                ) : (
                  <button type="button" className="button secondary" onClick={() => setDisabling(a)} aria-label={`Khóa tài khoản ${a.username}`}>
                    Khóa tài khoản
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
        {list && list.matched > 0 && (
          <nav className="row pager" aria-label="Trang danh sách tài khoản">
            <button type="button" className="button secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Trang trước
            </button>
            <span data-testid="accounts-page" aria-live="polite">
              Trang {page}/{pages} · {list.matched === list.total ? `${viNumber(list.total)} tài khoản` : `${viNumber(list.matched)} / ${viNumber(list.total)} tài khoản phù hợp`}
            </span>
            <button type="button" className="button secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Trang sau
            </button>
          </nav>
        )}
      </section>
      {resetting && (
        <ReasonDialog
          id="reset"
          title={`Cấp lại mật khẩu cho ${resetting.username}?`}
          confirmLabel="Cấp mật khẩu mới"
          failMessage="Không cấp lại được mật khẩu."
          onClose={() => setResetting(null)}
          onConfirm={async () => {
            const r = await post<{ one_time_password: string }>(`/api/v1/staff/accounts/${encodeURIComponent(resetting.id)}/reset-password`, clearTotp ? { clear_totp: true } : {});
            setIssued({ who: resetting.username, password: r.one_time_password });
            setNotice(null);
            setResetting(null);
            load();
          }}
        >
          Mật khẩu hiện tại hết hiệu lực và mọi phiên đăng nhập của {resetting.full_name} kết thúc ngay. Một mật khẩu dùng một lần sẽ hiển thị một lần duy nhất.
          {me.role === 'system_admin' && resetting.totp_enabled && (
            <label className="choice">
              <input type="checkbox" checked={clearTotp} onChange={(e) => setClearTotp(e.target.checked)} />
              <span>Xóa cả xác thực hai lớp (khi người dùng mất điện thoại); họ phải cài đặt lại.</span>
            </label>
          )}
        </ReasonDialog>
      )}
      {disabling && (
        <ReasonDialog
          id="disable"
          title={`Khóa tài khoản ${disabling.username}?`}
          reasonLabel="Lý do (không bắt buộc, ghi vào nhật ký)"
          reasonRule={{ maxLength: 500 }}
          confirmLabel="Khóa tài khoản"
          failMessage="Không khóa được tài khoản."
          onClose={() => setDisabling(null)}
          onConfirm={async (reason) => {
            await post(`/api/v1/staff/accounts/${encodeURIComponent(disabling.id)}/disable`, reason.trim() ? { reason: reason.trim() } : {});
            setNotice(`Đã khóa tài khoản ${disabling.username}.`);
            setDisabling(null);
            load();
          }}
        >
          {disabling.full_name} sẽ không đăng nhập được và mọi phiên đang mở kết thúc ngay. Bạn có thể mở khóa lại sau.
        </ReasonDialog>
      )}
    </section>
  );
}
