import type { BilingualMessage } from '../errors.ts';
import { CURRENT_SCHEDULE } from './schedule-vn.ts';
import type { Sourced } from './sources.ts';
import type { DoseEvaluation, NotApplicableReason, ScheduleVersion } from './types.ts';

/**
 * Vietnamese and English wording of one dose's state. Kept out of evaluateSchedule so a batch of
 * a million persons builds no strings; screens and letters call it for what they show.
 */

const vnDate = (iso: string | undefined) => {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
};

const REASONS: Readonly<Record<NotApplicableReason, { vi: string; en: string }>> = {
  sex: { vi: 'không áp dụng cho giới tính này', en: 'not for this sex' },
  age_not_eligible: { vi: 'ngoài độ tuổi của chương trình', en: 'outside the programme’s age group' },
  max_age_passed: { vi: 'đã quá tuổi tiêm trong chương trình', en: 'past the programme’s maximum age' },
  window_passed: { vi: 'đã qua thời hạn tiêm liều sơ sinh', en: 'the birth-dose window has passed' },
  cannot_complete_before_max_age: {
    vi: 'không còn kịp tiêm trước khi quá tuổi của chương trình',
    en: 'cannot be given before the programme’s maximum age',
  },
};

export function describeDose(e: DoseEvaluation, schedule: ScheduleVersion = CURRENT_SCHEDULE): BilingualMessage {
  const rule = schedule.series.find((s) => s.id === e.series);
  const vi = `Mũi ${e.dose} ${rule?.name_vi ?? e.series}`;
  const en = `Dose ${e.dose} of ${rule?.name_en ?? e.series}`;
  switch (e.status) {
    case 'done': {
      const notes_vi = [e.late ? 'muộn so với lịch' : '', e.afterMaxAge ? 'sau tuổi tối đa của chương trình, vẫn được tính' : ''].filter(Boolean);
      const notes_en = [e.late ? 'late' : '', e.afterMaxAge ? 'after the programme’s maximum age, still counted' : ''].filter(Boolean);
      return {
        code: 'IMMUNIZATION_DOSE_DONE',
        message_vi: `${vi}: đã tiêm ngày ${vnDate(e.date)}${notes_vi.length ? ` (${notes_vi.join('; ')})` : ''}.`,
        message_en: `${en}: given on ${e.date}${notes_en.length ? ` (${notes_en.join('; ')})` : ''}.`,
      };
    }
    case 'invalid': {
      const why =
        e.rule === 'min_age'
          ? { vi: 'khi chưa đủ tuổi tối thiểu', en: 'before the minimum age' }
          : e.rule === 'min_interval'
            ? { vi: 'quá sớm sau mũi trước', en: 'too soon after the previous dose' }
            : { vi: 'quá sớm sau mũi cuối của loạt trước', en: 'too soon after the last dose of the earlier series' };
      return {
        code: e.rule === 'min_age' ? 'IMMUNIZATION_DOSE_BEFORE_MIN_AGE' : 'IMMUNIZATION_DOSE_TOO_SOON',
        message_vi: `${vi} tiêm ngày ${vnDate(e.date)} ${why.vi} (chỉ hợp lệ từ ${vnDate(e.validFrom)}): không được tính, cần tiêm lại.`,
        message_en: `${en} given on ${e.date} ${why.en} (valid only from ${e.validFrom}): not counted, the dose is due again.`,
      };
    }
    case 'due':
      return {
        code: 'IMMUNIZATION_DOSE_DUE',
        message_vi: `${vi}: đến hạn tiêm (từ ${vnDate(e.recommendedDate)}).`,
        message_en: `${en}: due (since ${e.recommendedDate}).`,
      };
    case 'overdue':
      return {
        code: 'IMMUNIZATION_DOSE_OVERDUE',
        message_vi: `${vi}: quá hạn (đến hạn từ ${vnDate(e.recommendedDate)}${e.lastDate ? `, tiêm được đến ${vnDate(e.lastDate)}` : ''}).`,
        message_en: `${en}: overdue (due since ${e.recommendedDate}${e.lastDate ? `, can be given until ${e.lastDate}` : ''}).`,
      };
    case 'not_yet_due':
      return {
        code: 'IMMUNIZATION_DOSE_NOT_YET_DUE',
        message_vi: `${vi}: chưa đến hạn; ngày khuyến cáo ${vnDate(e.recommendedDate)}, sớm nhất ${vnDate(e.earliestDate)}.`,
        message_en: `${en}: not yet due; recommended on ${e.recommendedDate}, earliest ${e.earliestDate}.`,
      };
    case 'not_applicable': {
      const r = e.reason ? REASONS[e.reason] : { vi: 'không áp dụng', en: 'not applicable' };
      return {
        code: 'IMMUNIZATION_DOSE_NOT_APPLICABLE',
        message_vi: `${vi}: không áp dụng (${r.vi}).`,
        message_en: `${en}: not applicable (${r.en}).`,
      };
    }
  }
}

const ageText = (age: { years?: number; months?: number; days?: number } | null): string => {
  if (age === null) return 'never';
  const parts = [age.years ? `${age.years} y` : '', age.months ? `${age.months} mo` : '', age.days ? `${age.days} d` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 d (birth)';
};

const cell = (v: Sourced<{ years?: number; months?: number; days?: number } | null> | undefined): string =>
  v ? `${ageText(v.value)} (${v.source}${v.verified ? ' ✓' : ', UNVERIFIED'})` : '—';

/**
 * The schedule as a Markdown table, one row per dose, each value with its source and whether it
 * was verified. docs/immunization.md embeds this output; a test keeps the two equal.
 */
export function scheduleMarkdown(version: ScheduleVersion = CURRENT_SCHEDULE): string {
  const lines = [
    `Schedule \`${version.id}\`, valid from ${version.validFrom.value} (${version.validFrom.source}${version.validFrom.verified ? ' ✓' : ', UNVERIFIED'}).`,
    '',
    '| Series | Dose | Counts with | Recommended age | After previous dose | Minimum age | Minimum interval | Maximum age (exclusive) | Overdue after |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of version.series) {
    for (const d of s.doses) {
      const counts = s.accepts.map((alt) => alt.join('+')).join(' or ');
      const extra = d.dose === 1 && s.minIntervalAfterChain ? `; after the earlier series: ${cell(s.minIntervalAfterChain)}` : '';
      lines.push(
        `| ${s.id} (${s.name_vi}) | ${d.dose} | ${counts} | ${cell(d.recommendedAge)} | ${cell(d.recommendedInterval)} | ${cell(d.minAge)} | ${cell(d.minInterval)}${extra} | ${cell(d.maxAge)} | ${cell(d.grace)} |`,
      );
    }
  }
  const who = version.series.filter((s) => s.window || s.eligibility);
  if (who.length) {
    lines.push('', '| Series | Age window for its doses | Who |', '|---|---|---|');
    for (const s of who) {
      const w = s.window ? [s.window.fromAge ? `from ${cell(s.window.fromAge)}` : '', s.window.beforeAge ? `before ${cell(s.window.beforeAge)}` : ''].filter(Boolean).join(', ') : '—';
      const e = s.eligibility;
      const who_ = e
        ? [e.sex ?? '', e.minAge ? `from ${cell(e.minAge)}` : '', e.maxAge ? `before ${cell(e.maxAge)}` : '', e.pregnantOverridesAge ? 'any age when pregnant' : '']
            .filter(Boolean)
            .join(', ')
        : 'everyone';
      lines.push(`| ${s.id} | ${w} | ${who_} |`);
    }
  }
  return lines.join('\n');
}
