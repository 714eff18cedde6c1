// Appointments (XML14 re-exams, XML13 referrals) and their reminders; in-app notifications of the book (docs/architecture.md, "Appointments and reminders").
export { FileTextSender, type MailSender, type ReminderChannels, smtpMailSender, type TextSender } from './channels.ts';
export { type MovedNotices, noticeFollower } from './follow.ts';
export { type Appointment, citizenAppointments, communeAppointments, facilityAppointments, type NoShowFigure, noShowFigure } from './list.ts';
export { type CitizenNotice, listNotifications, markNotificationsRead, type NotificationRow, notifyCitizen } from './notify.ts';
export { citizenReminders, preferencesOf, setPreference } from './preferences.ts';
export { purgeAppointmentDemo } from './purge.ts';
export { PartialDeliveryError, planReminders, QUIET_FROM, QUIET_UNTIL, quietUntil, REMINDER_QUEUE, reminderAttemptFailed, reminderDue, reminderHandler } from './reminders.ts';
export { registerAppointmentRoutes } from './routes.ts';
