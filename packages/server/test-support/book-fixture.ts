import assert from 'node:assert/strict';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { createSession, SESSION_COOKIE } from '../src/auth/index.ts';
import { addRelations, upsertPersons } from '../src/person/index.ts';
import { facilityWithToken, startTestApp, type TestDatabase } from './app.ts';

export const FAC = '51001';
export const FAC2 = '51002';

/** A logged-in citizen without going through the identity provider (the e2e test covers that path). */
export async function citizenCookie(db: TestDatabase, personalId: string, personId: string | null, consented: boolean) {
  await db.db
    .insertInto('citizen_account')
    .values({ subject: personalId, person_id: personId, consent_at: consented ? new Date() : null })
    .execute();
  const sid = await createSession(db.db, 'citizen', personalId, { name: personalId }, 3600);
  return `${SESSION_COOKIE}=${sid}`;
}

const isoYearsAgo = (years: number) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - 10);
  return d.toISOString().slice(0, 10);
};

function episodeFor(i: number, fac: string, cccd: string, patch: Record<string, string> = {}) {
  const t = sampleEpisode(i, fac);
  Object.assign(t.XML1![0]!, { SO_CCCD: cccd, MA_BN: `BN-${i}`, MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' }, patch);
  return t;
}

/**
 * A: adult with 3 visits (one with labs, one mental-health = sensitive, at a second facility), child C (8 y),
 * child D (16 y, too old to be a dependent). B: another adult with child E. None related across families.
 */
export async function bookFixture(options: Parameters<typeof startTestApp>[0] = {}) {
  const t = await startTestApp(options);
  const { app, db } = t;
  const { token } = await facilityWithToken(app, db, FAC, { testMode: true });
  const { token: token2 } = await facilityWithToken(app, db, FAC2, { testMode: true });
  await db.db.updateTable('facility').set({ name: 'Bệnh viện Đa khoa Tỉnh Thử' }).where('code', '=', FAC).execute();
  await upsertPersons(db.db, [
    { id: 'PA', ho_ten: 'Nguyễn Văn An', so_cccd: '051090000001', ngay_sinh: '1985-06-15', birth_year: 1985, gioi_tinh: 1, so_bhyt: 'DN4510123456789', bhyt_valid_from: '2024-01-01', bhyt_valid_to: '2099-12-31', bhyt_facility_code: FAC },
    { id: 'PB', ho_ten: 'Trần Thị Bình', so_cccd: '051090000002', ngay_sinh: '1990-01-01', birth_year: 1990, gioi_tinh: 2 },
    { id: 'PC', ho_ten: 'Nguyễn Minh Châu', so_cccd: '051090000003', ngay_sinh: isoYearsAgo(8), birth_year: Number(isoYearsAgo(8).slice(0, 4)) },
    { id: 'PD', ho_ten: 'Nguyễn Văn Dũng', so_cccd: '051090000004', ngay_sinh: isoYearsAgo(16), birth_year: Number(isoYearsAgo(16).slice(0, 4)) },
    { id: 'PE', ho_ten: 'Trần Văn Em', so_cccd: '051090000005', ngay_sinh: isoYearsAgo(5), birth_year: Number(isoYearsAgo(5).slice(0, 4)) },
  ]);
  await addRelations(db.db, [
    { person_id: 'PC', related_person_id: 'PA', relation: 'parent', source: 'test' },
    { person_id: 'PD', related_person_id: 'PA', relation: 'parent', source: 'test' },
    { person_id: 'PE', related_person_id: 'PB', relation: 'guardian', source: 'test' },
  ]);
  const a1 = episodeFor(1, FAC, '051090000001');
  a1.XML4 = [
    { MA_LK: a1.XML1![0]!.MA_LK!, STT: '1', MA_DICH_VU: '23.0075.1494', MA_CHI_SO: 'GLU', TEN_CHI_SO: 'Glucose', GIA_TRI: '8.2', DON_VI_DO: 'mmol/L', MO_TA: '', KET_LUAN: '', NGAY_KQ: '202403011200', MA_BS_DOC_KQ: '000123/HNO', DU_PHONG: '' },
    { MA_LK: a1.XML1![0]!.MA_LK!, STT: '2', MA_DICH_VU: '22.0120.1370', MA_CHI_SO: 'WBC', TEN_CHI_SO: 'Số lượng bạch cầu (WBC)', GIA_TRI: '6.1', DON_VI_DO: 'G/L', MO_TA: '', KET_LUAN: '', NGAY_KQ: '202403011200', MA_BS_DOC_KQ: '000123/HNO', DU_PHONG: '' },
    // A report without a value: the screen and the PDF print its description and conclusion.
    { MA_LK: a1.XML1![0]!.MA_LK!, STT: '3', MA_DICH_VU: '21.0014.1778', MA_CHI_SO: '', TEN_CHI_SO: 'Điện tim thường', GIA_TRI: '', DON_VI_DO: '', MO_TA: 'Nhịp xoang đều, tần số 78 lần/phút', KET_LUAN: 'Điện tim trong giới hạn bình thường', NGAY_KQ: '202403011230', MA_BS_DOC_KQ: '000123/HNO', DU_PHONG: '' },
  ];
  a1.XML7 = [{
    MA_LK: a1.XML1![0]!.MA_LK!, SO_LUU_TRU: 'HS1/LT', MA_YTE: 'BN-1', MA_KHOA_RV: 'K01', NGAY_VAO: a1.XML1![0]!.NGAY_VAO!, NGAY_RA: a1.XML1![0]!.NGAY_RA!,
    MA_DINH_CHI_THAI: '0', NGUYENNHAN_DINHCHI: '', THOIGIAN_DINHCHI: '', TUOI_THAI: '', CHAN_DOAN_RV: 'Viêm phổi; tăng huyết áp', PP_DIEUTRI: 'Điều trị nội khoa',
    GHI_CHU: 'Uống đủ nước, tái khám sau hai tuần', MA_TTDV: '000123/HNO', MA_BS: '000123/HNO', TEN_BS: 'Lê Văn Bác', NGAY_CT: a1.XML1![0]!.NGAY_RA!.slice(0, 8),
    MA_CHA: '', MA_ME: '', MA_THE_TAM: '', HO_TEN_CHA: '', HO_TEN_ME: '', SO_NGAY_NGHI: '', NGOAITRU_TUNGAY: '', NGOAITRU_DENNGAY: '', DU_PHONG: '',
  }];
  const a2 = episodeFor(2, FAC, '051090000001', { MA_BENH_CHINH: 'F32.9', MA_BENH_KT: '', CHAN_DOAN_VAO: 'Rối loạn giấc ngủ', CHAN_DOAN_RV: 'Giai đoạn trầm cảm', NGAY_VAO: '202301101000', NGAY_VAO_NOI_TRU: '', NGAY_RA: '202301101100', MA_LOAI_KCB: '01', SO_NGAY_DTRI: '0', NAM_QT: '2023', THANG_QT: '01' });
  // Each patient as the facility knows them: the person's own name and birth date (a CCCD alone
  // against another name and birth date is not a link).
  const born = (iso: string) => `${iso.replace(/-/g, '')}0000`;
  const b1 = episodeFor(3, FAC, '051090000002', { CHAN_DOAN_RV: 'Bệnh riêng của Bình', HO_TEN: 'Trần Thị Bình', NGAY_SINH: born('1990-01-01'), GIOI_TINH: '2' });
  const c1 = episodeFor(4, FAC, '051090000003', {
    MA_BENH_CHINH: 'J20.9', MA_BENH_KT: '', CHAN_DOAN_RV: 'Viêm phế quản cấp', MA_LOAI_KCB: '01', HO_TEN: 'Nguyễn Minh Châu', NGAY_SINH: born(isoYearsAgo(8)),
  });
  const d1 = episodeFor(5, FAC, '051090000004', { HO_TEN: 'Nguyễn Văn Dũng', NGAY_SINH: born(isoYearsAgo(16)) });
  const e1 = episodeFor(6, FAC, '051090000005', { HO_TEN: 'Trần Văn Em', NGAY_SINH: born(isoYearsAgo(5)) });
  const a3 = episodeFor(7, FAC2, '051090000001', { MA_BENH_CHINH: 'I10', MA_BENH_KT: '', CHAN_DOAN_RV: 'Tăng huyết áp', MA_LOAI_KCB: '04', NGAY_VAO: '202405101000', NGAY_VAO_NOI_TRU: '202405101000', NGAY_RA: '202405101600', NAM_QT: '2024', THANG_QT: '05' });
  for (const [tok, fac, eps] of [
    [token, FAC, [a1, a2, b1, c1, d1, e1]],
    [token2, FAC2, [a3]],
  ] as const) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tok}` },
      payload: buildEnvelope({ facilityCode: fac, createdDate: '20240305', episodes: [...eps] }),
    });
    assert.equal(r.statusCode, 201, r.body);
  }
  const ids = async (p: string) => (await db.db.selectFrom('episode').select(['id', 'sensitivity']).where('person_id', '=', p).orderBy('id').execute()).map((r) => r.id);
  const episodes = { A: await ids('PA'), B: await ids('PB'), C: await ids('PC'), D: await ids('PD'), E: await ids('PE') };
  assert.equal(episodes.A.length, 3, 'A has three episodes');
  const cookies = {
    A: await citizenCookie(db, '051090000001', 'PA', true),
    B: await citizenCookie(db, '051090000002', 'PB', true),
    noConsent: await citizenCookie(db, '051090000099', 'PB', false),
  };
  return { ...t, episodes, cookies };
}

export type BookFixture = Awaited<ReturnType<typeof bookFixture>>;

export async function json<T>(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, cookie: string | undefined, payload?: unknown) {
  const r = await app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, body: r.body, json: () => r.json() as T };
}
