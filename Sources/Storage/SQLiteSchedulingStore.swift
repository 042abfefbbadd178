import Foundation
import Scheduling

/// Providers, delegations, working hours, patients and appointments on SQLite (schema v7).
public struct SQLiteSchedulingStore: SchedulingStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    // MARK: providers

    public func createProvider(_ provider: Provider) throws -> Provider {
        try database.transaction { c in
            try c.execute(
                "INSERT INTO providers (organisation_id, user_id, display_name, time_zone, reminder_offsets) VALUES (?, ?, ?, ?, ?)",
                [.integer(provider.organisationID), .integer(provider.userID), .text(provider.displayName), .text(provider.timeZoneIdentifier),
                 SQLiteValue(provider.reminderOffsets)])
            var created = provider
            created.id = c.lastInsertRowID
            return created
        }
    }

    public func provider(id: Int64) throws -> Provider? {
        try database.queryFirst("SELECT \(Self.providerColumns) FROM providers WHERE id = ?", [.integer(id)], Self.providerRow)
    }

    public func provider(userID: Int64) throws -> Provider? {
        try database.queryFirst("SELECT \(Self.providerColumns) FROM providers WHERE user_id = ?", [.integer(userID)], Self.providerRow)
    }

    public func providers(organisationID: Int64) throws -> [Provider] {
        try database.query(
            "SELECT \(Self.providerColumns) FROM providers WHERE organisation_id = ? ORDER BY id", [.integer(organisationID)],
            Self.providerRow)
    }

    public func delegations(providerID: Int64) throws -> [Delegation] {
        try database.query(
            "SELECT provider_id, scheduler_user_id FROM delegations WHERE provider_id = ? ORDER BY scheduler_user_id",
            [.integer(providerID)]
        ) { Delegation(providerID: try $0.int64(0), schedulerUserID: try $0.int64(1)) }
    }

    public func addDelegation(_ delegation: Delegation) throws {
        try database.execute(
            "INSERT OR IGNORE INTO delegations (provider_id, scheduler_user_id) VALUES (?, ?)",
            [.integer(delegation.providerID), .integer(delegation.schedulerUserID)])
    }

    public func removeDelegation(_ delegation: Delegation) throws {
        try database.execute(
            "DELETE FROM delegations WHERE provider_id = ? AND scheduler_user_id = ?",
            [.integer(delegation.providerID), .integer(delegation.schedulerUserID)])
    }

    public func workingHours(providerID: Int64) throws -> [WorkingHours] {
        try database.query(
            "SELECT weekday, start_minute, end_minute FROM working_hours WHERE provider_id = ? ORDER BY weekday, start_minute",
            [.integer(providerID)]
        ) { WorkingHours(weekday: try $0.int(0), startMinute: try $0.int(1), endMinute: try $0.int(2)) }
    }

    public func setWorkingHours(_ hours: [WorkingHours], providerID: Int64) throws {
        try database.transaction { c in
            try c.execute("DELETE FROM working_hours WHERE provider_id = ?", [.integer(providerID)])
            for h in hours {
                try c.execute(
                    "INSERT INTO working_hours (provider_id, weekday, start_minute, end_minute) VALUES (?, ?, ?, ?)",
                    [.integer(providerID), SQLiteValue(h.weekday), SQLiteValue(h.startMinute), SQLiteValue(h.endMinute)])
            }
        }
    }

    public func setReminderOffsets(_ offsets: String?, providerID: Int64) throws {
        try database.execute("UPDATE providers SET reminder_offsets = ? WHERE id = ?", [SQLiteValue(offsets), .integer(providerID)])
    }

    public func setFeedTokenHash(_ hash: String?, providerID: Int64) throws {
        try database.execute("UPDATE providers SET feed_token_hash = ? WHERE id = ?", [SQLiteValue(hash), .integer(providerID)])
    }

    public func provider(feedTokenHash: String) throws -> Provider? {
        try database.queryFirst(
            "SELECT \(Self.providerColumns) FROM providers WHERE feed_token_hash = ?", [.text(feedTokenHash)], Self.providerRow)
    }

    // MARK: clinic settings

    public func clinicSettings(organisationID: Int64) throws -> ClinicSettings {
        try database.queryFirst(
            "SELECT reminder_offsets, quiet_hours, clinic_name, clinic_phone, patient_names_in_feeds FROM clinic_settings WHERE organisation_id = ?",
            [.integer(organisationID)]
        ) { r in
            ClinicSettings(
                reminderOffsets: try r.optionalString(0), quietHours: try r.optionalString(1), clinicName: try r.optionalString(2),
                clinicPhone: try r.optionalString(3), patientNamesInFeeds: try r.optionalInt64(4).map { $0 != 0 })
        } ?? ClinicSettings()
    }

    public func setClinicSettings(_ s: ClinicSettings, organisationID: Int64) throws {
        try database.execute(
            """
            INSERT OR REPLACE INTO clinic_settings (organisation_id, reminder_offsets, quiet_hours, clinic_name, clinic_phone,
                patient_names_in_feeds) VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(organisationID), SQLiteValue(s.reminderOffsets), SQLiteValue(s.quietHours), SQLiteValue(s.clinicName),
                SQLiteValue(s.clinicPhone), s.patientNamesInFeeds.map { SQLiteValue($0) } ?? .null,
            ])
    }

    // MARK: patients

    public func createPatient(_ patient: Patient) throws -> Patient {
        try database.transaction { c in
            try c.execute(
                """
                INSERT INTO patients (organisation_id, first_name, last_name, mobile, locale, time_zone, sms_consent,
                    consent_source, consent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, Self.patientValues(patient))
            var created = patient
            created.id = c.lastInsertRowID
            return created
        }
    }

    public func updatePatient(_ patient: Patient) throws {
        try database.execute(
            """
            UPDATE patients SET organisation_id = ?, first_name = ?, last_name = ?, mobile = ?, locale = ?, time_zone = ?,
                sms_consent = ?, consent_source = ?, consent_at = ? WHERE id = ?
            """, Self.patientValues(patient) + [.integer(patient.id)])
    }

    public func patient(id: Int64) throws -> Patient? {
        try database.queryFirst("SELECT \(Self.patientColumns) FROM patients WHERE id = ?", [.integer(id)], Self.patientRow)
    }

    public func patients(organisationID: Int64) throws -> [Patient] {
        try database.query(
            "SELECT \(Self.patientColumns) FROM patients WHERE organisation_id = ? ORDER BY last_name, first_name, id",
            [.integer(organisationID)], Self.patientRow)
    }

    public func patients(mobile: String) throws -> [Patient] {
        try database.query(
            "SELECT \(Self.patientColumns) FROM patients WHERE mobile = ? ORDER BY id", [.text(mobile)], Self.patientRow)
    }

    // MARK: appointments

    public func insertAppointments(_ appointments: [Appointment], change: AppointmentChange) throws -> [Appointment] {
        try database.transaction { c in
            var created: [Appointment] = []
            for a in appointments {
                try c.execute(
                    "INSERT INTO appointments (\(Self.appointmentInsertColumns)) VALUES (\(Self.appointmentPlaceholders))",
                    Self.appointmentValues(a))
                var stored = a
                stored.id = c.lastInsertRowID
                var line = change
                line.appointmentID = stored.id
                line.version = stored.version
                try Self.insertHistory(line, c)
                created.append(stored)
            }
            return created
        }
    }

    public func updateAppointment(_ appointment: Appointment, expectedVersion: Int, change: AppointmentChange) throws -> Bool {
        try database.transaction { c in
            let sets = Self.appointmentInsertColumns.split(separator: ",").map { "\($0.trimmingCharacters(in: .whitespaces)) = ?" }
                .joined(separator: ", ")
            try c.execute(
                "UPDATE appointments SET \(sets) WHERE id = ? AND version = ?",
                Self.appointmentValues(appointment) + [.integer(appointment.id), SQLiteValue(expectedVersion)])
            guard c.changes == 1 else { return false }
            try Self.insertHistory(change, c)
            return true
        }
    }

    public func deleteAppointment(id: Int64, change: AppointmentChange) throws {
        try database.transaction { c in
            try c.execute("DELETE FROM appointments WHERE id = ?", [.integer(id)])
            try Self.insertHistory(change, c)
        }
    }

    public func appointment(id: Int64) throws -> Appointment? {
        try database.queryFirst(
            "SELECT \(Self.appointmentColumns) FROM appointments WHERE id = ?", [.integer(id)], Self.appointmentRow)
    }

    public func appointment(uid: String, providerID: Int64) throws -> Appointment? {
        try database.queryFirst(
            "SELECT \(Self.appointmentColumns) FROM appointments WHERE provider_id = ? AND uid = ?", [.integer(providerID), .text(uid)],
            Self.appointmentRow)
    }

    public func appointments(organisationID: Int64, providerID: Int64?, from: Date?, to: Date?) throws -> [Appointment] {
        var sql = "SELECT \(Self.appointmentColumns) FROM appointments WHERE organisation_id = ?"
        var values: [SQLiteValue] = [.integer(organisationID)]
        if let providerID {
            sql += " AND provider_id = ?"
            values.append(.integer(providerID))
        }
        if let from {
            sql += " AND end_at > ?"
            values.append(.integer(Milliseconds.from(from)))
        }
        if let to {
            sql += " AND start_at < ?"
            values.append(.integer(Milliseconds.from(to)))
        }
        return try database.query(sql + " ORDER BY start_at, id", values, Self.appointmentRow)
    }

    public func appointments(patientID: Int64) throws -> [Appointment] {
        try database.query(
            "SELECT \(Self.appointmentColumns) FROM appointments WHERE patient_id = ? ORDER BY start_at, id", [.integer(patientID)],
            Self.appointmentRow)
    }

    public func pendingAppointments(startingAfter instant: Date) throws -> [Appointment] {
        try database.query(
            "SELECT \(Self.appointmentColumns) FROM appointments WHERE start_at > ? AND status IN ('booked', 'confirmed') ORDER BY start_at, id",
            [.integer(Milliseconds.from(instant))], Self.appointmentRow)
    }

    public func history(appointmentID: Int64) throws -> [AppointmentChange] {
        try database.query(
            "SELECT appointment_id, version, action, user_id, source, at, detail FROM appointment_history WHERE appointment_id = ? ORDER BY id",
            [.integer(appointmentID)]
        ) { r in
            AppointmentChange(
                appointmentID: try r.int64(0), version: try r.int(1), action: AppointmentChange.Action(rawValue: try r.string(2)) ?? .updated,
                userID: try r.optionalInt64(3), source: try r.string(4), at: Milliseconds.date(try r.int64(5)), detail: try r.string(6))
        }
    }

    // MARK: rows

    private static func insertHistory(_ change: AppointmentChange, _ c: SQLiteConnection) throws {
        try c.execute(
            "INSERT INTO appointment_history (appointment_id, version, action, user_id, source, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(change.appointmentID), SQLiteValue(change.version), .text(change.action.rawValue), SQLiteValue(change.userID),
                .text(change.source), .integer(Milliseconds.from(change.at)), .text(change.detail),
            ])
    }

    private static let providerColumns = "id, organisation_id, user_id, display_name, time_zone, reminder_offsets"

    private static func providerRow(_ r: SQLiteRow) throws -> Provider {
        Provider(
            id: try r.int64(0), organisationID: try r.int64(1), userID: try r.int64(2), displayName: try r.string(3),
            timeZoneIdentifier: try r.string(4), reminderOffsets: try r.optionalString(5))
    }

    private static let patientColumns =
        "id, organisation_id, first_name, last_name, mobile, locale, time_zone, sms_consent, consent_source, consent_at"

    private static func patientValues(_ p: Patient) -> [SQLiteValue] {
        [
            .integer(p.organisationID), .text(p.firstName), .text(p.lastName), .text(p.mobile), .text(p.localeTag),
            .text(p.timeZoneIdentifier), SQLiteValue(p.smsConsent.granted), .text(p.smsConsent.source),
            .integer(Milliseconds.from(p.smsConsent.at)),
        ]
    }

    private static func patientRow(_ r: SQLiteRow) throws -> Patient {
        Patient(
            id: try r.int64(0), organisationID: try r.int64(1), firstName: try r.string(2), lastName: try r.string(3),
            mobile: try r.string(4), localeTag: try r.string(5), timeZoneIdentifier: try r.string(6),
            smsConsent: SMSConsent(granted: try r.int64(7) != 0, source: try r.string(8), at: Milliseconds.date(try r.int64(9))))
    }

    private static let appointmentInsertColumns =
        "uid, organisation_id, provider_id, patient_id, start_at, end_at, time_zone, kind, location, title, status, version, "
        + "changed_by, changed_at, meeting_id, meeting_passcode, meeting_url, series_id, created_at"
    private static let appointmentPlaceholders = Array(repeating: "?", count: 19).joined(separator: ", ")
    private static let appointmentColumns = "id, " + appointmentInsertColumns

    private static func appointmentValues(_ a: Appointment) -> [SQLiteValue] {
        [
            .text(a.uid), .integer(a.organisationID), .integer(a.providerID), SQLiteValue(a.patientID),
            .integer(Milliseconds.from(a.start)), .integer(Milliseconds.from(a.end)), .text(a.bookedTimeZoneIdentifier),
            .text(a.kind.rawValue), SQLiteValue(a.location), SQLiteValue(a.title), .text(a.status.rawValue), SQLiteValue(a.version),
            .integer(a.changedBy), .integer(Milliseconds.from(a.changedAt)), SQLiteValue(a.meeting?.id),
            SQLiteValue(a.meeting?.passcode), SQLiteValue(a.meeting?.joinURL), SQLiteValue(a.seriesID),
            .integer(Milliseconds.from(a.createdAt)),
        ]
    }

    private static func appointmentRow(_ r: SQLiteRow) throws -> Appointment {
        var meeting: Meeting?
        if let url = try r.optionalString(17) {
            meeting = Meeting(id: try r.optionalString(15) ?? "", passcode: try r.optionalString(16), joinURL: url)
        }
        return Appointment(
            id: try r.int64(0), organisationID: try r.int64(2), providerID: try r.int64(3), patientID: try r.optionalInt64(4),
            start: Milliseconds.date(try r.int64(5)), end: Milliseconds.date(try r.int64(6)), bookedTimeZoneIdentifier: try r.string(7),
            kind: Appointment.Kind(rawValue: try r.string(8)) ?? .inPerson, location: try r.optionalString(9),
            status: Appointment.Status(rawValue: try r.string(11)) ?? .booked, version: try r.int(12), changedBy: try r.int64(13),
            changedAt: Milliseconds.date(try r.int64(14)), uid: try r.string(1), title: try r.optionalString(10), meeting: meeting,
            seriesID: try r.optionalString(18), createdAt: Milliseconds.date(try r.int64(19)))
    }
}
