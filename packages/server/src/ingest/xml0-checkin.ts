import { DomainError } from '@openhssk/core';
import type { Issue } from '@openhssk/core/xml130';
import { parseCheckin, validateCheckinRow, XmlInputError } from '@openhssk/core/xml130';
import { verifyEnvelopeSignature } from '@openhssk/core/xmldsig';
import { audit } from '../audit/index.ts';
import { cardFromXml, recordCardObservations } from '../bhyt/index.ts';
import type { Db } from '../db/index.ts';
import { checkSigningCertificate, signingCandidates } from '../facility/index.ts';
import { linkDeterministic } from '../person/index.ts';
import { relayCheckin } from '../relay/index.ts';
import { instantToSql, patientIdentity } from './episode-record.ts';
import { closeVisits } from './visits.ts';

export interface CheckinOutcome {
  row: number;
  ma_lk: string | null;
  status: 'opened' | 'updated' | 'already_closed' | 'rejected';
  issues: Issue[];
}

/**
 * A check-in message (XML0, CHI_TIEU_TRANG_THAI_KCB) opens a visit so the citizen sees it as
 * awaiting the facility's data. Vendors usually send it with an empty CHUKYDONVI; a signature,
 * when present, must verify like an envelope's.
 */
export async function ingestCheckin(db: Db, facilityCode: string, raw: Buffer, allowSha1 = true): Promise<{ rows: CheckinOutcome[] }> {
  let parsed: ReturnType<typeof parseCheckin>;
  try {
    parsed = parseCheckin(raw);
  } catch (e) {
    if (e instanceof XmlInputError) throw new DomainError('invalid', e.code, e.message_vi, e.message_en);
    throw e;
  }
  if (parsed.issues.some((i) => i.severity === 'error') && parsed.rows.length === 0) {
    const first = parsed.issues[0]!;
    throw new DomainError('invalid', first.code, first.message_vi, first.message_en);
  }
  if (parsed.hasSignature) {
    // Same rule as envelopes: any registered certificate may be named, only an approved one may sign.
    const r = verifyEnvelopeSignature(raw, await signingCandidates(db, facilityCode), { allowSha1 });
    if (!r.ok) throw new DomainError('unprocessable', r.code, r.message_vi, r.message_en);
    await checkSigningCertificate(db, facilityCode, r.certId);
  }
  const outcomes: CheckinOutcome[] = [];
  const valid: Array<{ fields: Record<string, string>; outcome: CheckinOutcome }> = [];
  parsed.rows.forEach((row, i) => {
    const issues = validateCheckinRow(row, { facilityCode }, i + 1);
    if (row.fields.MA_CSKCB && row.fields.MA_CSKCB !== facilityCode) {
      issues.push({ table: 'XML0', row: i + 1, field: 'MA_CSKCB', code: 'FACILITY_MISMATCH', severity: 'error', message_vi: 'MA_CSKCB khác với cơ sở gửi.', message_en: 'MA_CSKCB differs from the sending facility.' });
    }
    const outcome: CheckinOutcome = { row: i + 1, ma_lk: row.fields.MA_LK ?? null, status: 'rejected', issues };
    outcomes.push(outcome);
    if (!issues.some((x) => x.severity === 'error') && row.fields.MA_LK) valid.push({ fields: row.fields, outcome });
  });
  if (valid.length === 0) return { rows: outcomes };

  await db.transaction().execute(async (tx) => {
    const found = await linkDeterministic(tx, valid.map((v) => patientIdentity(v.fields)));
    // A patient the facility already sent episodes for is on the person the MPI placed their record
    // on; the visit starts there (episodes and visits follow that record, episodesFollowSourceRecords),
    // so closeVisits matches it to its episode on one person (one shard on a cluster, issue 21).
    const patients = [...new Set(valid.map((v) => `${facilityCode}:${v.fields.MA_BN ?? ''}`))];
    const placed = new Map(
      (await tx.selectFrom('source_record').select(['source_id', 'person_id']).where('source_system', '=', 'KCB').where('source_id', 'in', patients).execute())
        .map((r) => [r.source_id, r.person_id]),
    );
    const links = valid.map((v, i) => ({ personId: placed.get(`${facilityCode}:${v.fields.MA_BN ?? ''}`) ?? found[i]?.personId ?? null }));
    for (const [i, v] of valid.entries()) {
      const f = v.fields;
      const existing = await tx.selectFrom('visit').select(['id', 'status', 'person_id']).where('facility_code', '=', facilityCode).where('ma_lk', '=', f.MA_LK!)
        .executeTakeFirst();
      if (existing?.status === 'closed') {
        v.outcome.status = 'already_closed';
        continue;
      }
      const values = {
        facility_code: facilityCode,
        ma_lk: f.MA_LK!,
        person_id: links[i]?.personId ?? null,
        patient_source_id: `${facilityCode}:${f.MA_BN ?? ''}`,
        ho_ten: f.HO_TEN ?? '',
        so_cccd: f.SO_CCCD || null,
        ma_the_bhyt: f.MA_THE_BHYT || null,
        ma_loai_kcb: f.MA_LOAI_KCB || null,
        ngay_vao: instantToSql(f.NGAY_VAO) ?? '1970-01-01 00:00:00',
        id_method: 'xml0',
        // closeVisits() below closes it at once when its episode arrived first (messages cross).
        status: 'open' as const,
        checkin: JSON.stringify(f),
        signature_verified: parsed.hasSignature,
      };
      if (existing && existing.person_id === values.person_id) {
        let q = tx.updateTable('visit').set({ ...values, received_at: new Date() }).where('id', '=', existing.id);
        if (values.person_id !== null) q = q.where('person_id', '=', values.person_id);
        await q.execute();
      } else {
        // A visit that changes person leaves and comes back under the same id: on a cluster its
        // person places it on a shard and cannot change in place (issue 21).
        if (existing) await tx.deleteFrom('visit').where('id', '=', existing.id).execute();
        await tx.insertInto('visit').values(existing ? { ...values, id: existing.id } : values).execute();
      }
      v.outcome.status = existing ? 'updated' : 'opened';
      // A check-in tells the platform a person is at this facility: it is personal data the citizen's
      // access log must show, like a front-desk check-in.
      const personId = links[i]?.personId;
      if (personId) {
        await audit(tx, {
          actor: { type: 'facility', id: facilityCode, facilityCode },
          action: 'ingest.checkin.xml0',
          personId,
          resource: `visit/${facilityCode}/${f.MA_LK}`,
          detail: { signed: parsed.hasSignature },
        });
      }
    }
    // The card each check-in carried updates the person's BHYT card (history kept, latest date wins).
    await recordCardObservations(tx, valid.flatMap((v) => (v.outcome.status === 'already_closed' ? [] : (cardFromXml(v.fields, 'xml0', `${facilityCode}:${v.fields.MA_LK}`) ?? []))));
    await closeVisits(tx, facilityCode, {
      maLks: valid.map((v) => v.fields.MA_LK!),
      personIds: [...new Set(links.flatMap((l) => (l.personId ? [l.personId] : [])))],
    });
    // "Send once": the check-in goes on to the insurance portal as received, queued in this transaction.
    await relayCheckin(tx, { facilityCode, raw, maLks: valid.map((v) => v.fields.MA_LK!) });
  });
  return { rows: outcomes };
}
