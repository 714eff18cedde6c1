-- Primary care (issue 15): closing an enrolment, and rows following the MPI's decisions
-- (primary-care/follow.ts).
--
-- A station clinician closes an active enrolment with a reason and a date (moved away, died,
-- transferred, refused, diagnosis withdrawn, other); a merge closes the losing one of two open
-- enrolments of one register with reason 'merged' (the undo reopens it).
-- closed_by / close_note are the closing decision's own (decided_by stays the enrolment's).
alter table pc_enrolment add column closed_on date, add column close_reason text
  check (close_reason in ('moved_away', 'died', 'transferred', 'refused', 'not_confirmed', 'other', 'merged')),
  add column closed_by text references staff_account(id), add column closed_at timestamptz, add column close_note text;
alter table pc_enrolment add constraint pc_enrolment_closed_check
  check ((status = 'closed') = (close_reason is not null and closed_on is not null));

-- A merge meeting the same 831 field on both persons keeps the later value (field-level last writer,
-- as for two devices) and archives the other with reason 'merged' (the undo restores it).
alter table pc_record_field_history drop constraint pc_record_field_history_reason_check;
alter table pc_record_field_history add constraint pc_record_field_history_reason_check
  check (reason in ('superseded', 'conflict', 'merged'));
