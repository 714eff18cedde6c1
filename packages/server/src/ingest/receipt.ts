import type { Issue } from '@openhssk/core/xml130';

export type EpisodeStatus = 'accepted' | 'accepted_with_warnings' | 'rejected' | 'unchanged';

export interface EpisodeOutcome {
  index: number;
  ma_lk: string | null;
  status: EpisodeStatus;
  version?: number;
  issues: Issue[];
}

export interface Receipt {
  receipt_id: string;
  facility_code: string;
  received_at: string;
  sha256: string;
  channel: string;
  status: 'accepted' | 'partially_accepted' | 'rejected';
  signature: { verified: boolean; method?: string; certificate_id?: string; note_vi?: string; note_en?: string };
  counts: { episodes: number; accepted: number; accepted_with_warnings: number; unchanged: number; rejected: number };
  episodes: EpisodeOutcome[];
}

export function summarize(outcomes: EpisodeOutcome[]): Pick<Receipt, 'status' | 'counts'> {
  const counts = { episodes: outcomes.length, accepted: 0, accepted_with_warnings: 0, unchanged: 0, rejected: 0 };
  for (const o of outcomes) counts[o.status]++;
  const status = counts.rejected === 0 ? 'accepted' : counts.rejected === counts.episodes ? 'rejected' : 'partially_accepted';
  return { status, counts };
}
