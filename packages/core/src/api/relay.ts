/** Relay to the insurance portal ("send once", server module relay/): what the facility screens read. */

export type RelayEpisodeStatus = 'not_sent' | 'sent' | 'error' | 'resent';

export interface RelaySettingView {
  facility_code: string;
  enabled: boolean;
  portal_url: string;
  username: string;
  ma_tinh: string | null;
  updated_by: string;
  updated_at: string;
  /** The password itself is never returned. */
  password_set: boolean;
}

export interface RelayEpisodeRow {
  ma_lk: string;
  version: number;
  received_at: string;
  status: RelayEpisodeStatus;
  /** Waiting in the outbox (not sent yet). */
  queued: boolean;
  attempts: number;
  message_id: number | null;
  ma_giao_dich: string | null;
  sent_at: string | null;
  portal_message: string | null;
  last_error: string | null;
  checkin_status: RelayEpisodeStatus | null;
}

export interface RelayErrorMessage {
  id: number;
  kind: 'envelope' | 'checkin';
  ma_lks: string[];
  attempts: number;
  resends: number;
  portal_code: string | null;
  portal_message: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface RelayOverview {
  facility_code: string;
  setting: RelaySettingView | null;
  counts: { pending: number; sent: number; error: number };
  episodes: RelayEpisodeRow[];
  errors: RelayErrorMessage[];
}
