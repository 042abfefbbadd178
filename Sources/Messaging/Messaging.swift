// Messaging: SMS appointment reminders of issue 5 (text encoding and segments, reminder rules
// and planning in the patient's time zone, PHI-free templates, reply keywords), Foundation only.
//
// - `SMSEncoding`, `SMSLength`, `GSM7Alphabet`: GSM-7 or UCS-2 and how many parts a text needs
//   (3GPP TS 23.038 §6.2; 3GPP TS 23.040 §9.2.3.24.1 for the concatenation header).
// - `ReminderRule` (`ReminderOffset`s, `QuietHours` of `LocalTime`s) and `ReminderPlanner`, which
//   gives `PlannedReminder`s with send times on the patient's wall clock and idempotency keys.
// - `ReminderTemplate` with the `ReminderField` placeholders only, rendered for a `ReminderLanguage`.
// - `ReplyClassifier`: a patient's reply as a `Reply` (confirm, reschedule, stop, start, help, other).
//
// Inputs are plain values (Dates, IANA time zone identifiers, BCP 47 locale tags, strings), so the
// module depends on no other CarePhone module.
