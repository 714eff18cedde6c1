/** Answers of the appointments module's routes (packages/server/src/appointments), read by the book and the staff portal. */

export type AppointmentKind = 're_exam' | 'referral';

export interface AppointmentItem {
  kind: AppointmentKind;
  /** Appointment day (re-exam) or the referral's transfer day, 'YYYY-MM-DD'. */
  date: string;
  /** Where the person is expected. */
  facility_code: string;
  facility_name: string | null;
  /** The facility that issued it (the episode's). */
  issued_by_code: string;
  issued_by_name: string | null;
  episode_id: number;
  /** Appointment / referral letter number, diagnosis text: from the data where present. */
  number: string | null;
  diagnosis: string | null;
  /** What to bring, built from what the data names (letter numbers, card). */
  bring: string[];
}

export type ReminderChannelName = 'in_app' | 'email' | 'sms';

export interface ReminderStatusItem {
  id: number;
  episode_id: number;
  kind: AppointmentKind;
  channel: ReminderChannelName;
  appointment_date: string;
  /** Vietnam wall-clock 'YYYY-MM-DD HH:MM' */
  due_at: string;
  status: 'pending' | 'deferred' | 'sent' | 'failed' | 'skipped' | 'cancelled';
  status_reason: string | null;
  attempts: number;
  sent_at: string | null;
  sent_to: string | null;
}

export interface CitizenAppointments {
  appointments: AppointmentItem[];
  reminders: ReminderStatusItem[];
  /** Set when a parent or guardian reads a dependent child's list. */
  viewing_child: { name: string; relation: string } | null;
}

export interface CitizenNotificationItem {
  id: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  /** Vietnam wall-clock 'YYYY-MM-DD HH:MM' */
  created_at: string;
  read: boolean;
}

export interface CitizenNotifications {
  notifications: CitizenNotificationItem[];
  unread: number;
}

export interface ReminderChannelSetting {
  channel: 'email' | 'sms';
  opted_out: boolean;
  /** The address the citizen gave for reminders; none means no message on this channel (a registry phone may be stale or a neighbour's). */
  address: string | null;
}

export interface NotificationSettings {
  channels: ReminderChannelSetting[];
}

export interface FacilityAppointmentItem extends AppointmentItem {
  ho_ten?: string;
  ngay_sinh?: string | null;
  so_dien_thoai?: string | null;
}

export interface NoShowFigure {
  facility_code: string;
  from: string;
  to: string;
  due: number;
  kept: number;
  no_show: number;
  /** no_show / due, null when nothing was due. */
  rate: number | null;
}

export interface FacilityAppointments {
  facility_code: string;
  from: string;
  to: string;
  /** Appointments in the range, all pages. */
  total: number;
  page: number;
  pages: number;
  /** Per day of the range: how many are expected (all pages). */
  days: Array<{ date: string; count: number }>;
  appointments: FacilityAppointmentItem[];
  no_show: NoShowFigure;
}
