// Scheduling: the shared calendar of issue 5 (providers, patients, appointments, delegation,
// recurrence, availability, iCalendar), Foundation only.
//
// Named `Scheduling` rather than DESIGN.md's `Calendar`: a module called `Calendar` would make
// `Calendar` ambiguous with Foundation's type in every file that imports both.
//
// Overview
// - Models: `Provider`, `Patient` (with `SMSConsent`), `Appointment`, `Delegation`. Plain Sendable
//   values; identifiers are the storage layer's Int64 row ids.
// - Validation: `Patient.validate()` and `Appointment.validate()` return every problem at once as
//   `ValidationError`s that name the field, so an API can show them next to the right input.
// - `SchedulingPolicy`: who may book, move or cancel for a provider (the provider, an organisation
//   owner/admin, or a delegated scheduler); refusals are a typed `SchedulingRefusal`.
// - `RecurrenceRule`: RFC 5545 §3.3.10 RRULE subset, expanded on wall-clock time in the booking's
//   zone so a 09:00 visit stays at 09:00 across daylight-saving changes.
// - `ICalendarWriter`: RFC 5545 VCALENDAR export without patient names by default.
