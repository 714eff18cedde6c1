// "Ai đã xem hồ sơ của tôi" (GET /api/v1/book/access-log), shared by the server and the citizen app.

/** others (default): not the reader's own views; all: everything. */
export type AccessLogFilter = 'others' | 'all';

/** One row: the server words it; `sentence` begins with `who`. */
export interface AccessEvent {
  id: number;
  /** ISO instant in the JSON answer. */
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  role_label: string | null;
  facility_code: string | null;
  facility_name: string | null;
  action: string;
  break_glass: boolean;
  /** The reader's own action (shown as "Bạn"). */
  self: boolean;
  who: string;
  where: string | null;
  what: string;
  when: string;
  sentence: string;
  /**
   * The reason the clinician typed when opening emergency access. Free text that may name a
   * sensitive condition, so it is sent only when the reader chose to show sensitive visits.
   */
  emergency_reason: string | null;
  /** An emergency access whose reason is held back until the reader chooses to show sensitive visits. */
  emergency_reason_withheld: boolean;
}

export interface AccessLog {
  filter: AccessLogFilter;
  counts: { others: number; all: number };
  events: AccessEvent[];
  next_before: number | null;
  viewing_child: { name: string; relation: string } | null;
}
