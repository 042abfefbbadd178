import Foundation
import Scheduling

/// CalDAV sync state on SQLite (tables `caldav_collections`, `caldav_items`, `caldav_conflicts`).
public struct SQLiteCalDAVStore: CalDAVSyncStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func items(providerID: Int64) throws -> [CalDAVItem] {
        try database.query(
            "SELECT appointment_uid, provider_id, href, etag, synced_version FROM caldav_items WHERE provider_id = ?", [.integer(providerID)]
        ) { CalDAVItem(uid: try $0.string(0), providerID: try $0.int64(1), href: try $0.string(2), etag: try $0.optionalString(3), syncedVersion: try $0.int(4)) }
    }

    public func saveItem(_ item: CalDAVItem) throws {
        try database.execute(
            "INSERT OR REPLACE INTO caldav_items (appointment_uid, provider_id, href, etag, synced_version) VALUES (?, ?, ?, ?, ?)",
            [.text(item.uid), .integer(item.providerID), .text(item.href), SQLiteValue(item.etag), SQLiteValue(item.syncedVersion)])
    }

    public func removeItem(uid: String) throws {
        try database.execute("DELETE FROM caldav_items WHERE appointment_uid = ?", [.text(uid)])
    }

    public func recordConflict(_ conflict: CalDAVConflict) throws -> Bool {
        try database.transaction { c in
            let open = try c.queryFirst(
                "SELECT id FROM caldav_conflicts WHERE appointment_uid = ? AND resolved_at IS NULL", [.text(conflict.uid)]
            ) { try $0.int64(0) }
            guard open == nil else { return false }
            try c.execute(
                "INSERT INTO caldav_conflicts (provider_id, appointment_uid, href, reason, detected_at) VALUES (?, ?, ?, ?, ?)",
                [.integer(conflict.providerID), .text(conflict.uid), .text(conflict.href), .text(conflict.reason),
                 .integer(Milliseconds.from(conflict.detectedAt))])
            return true
        }
    }

    public func conflicts(organisationID: Int64, includeResolved: Bool) throws -> [CalDAVConflict] {
        try database.query(
            """
            SELECT c.id, c.provider_id, c.appointment_uid, c.href, c.reason, c.detected_at, c.resolved_at FROM caldav_conflicts c
            JOIN providers p ON p.id = c.provider_id WHERE p.organisation_id = ?\(includeResolved ? "" : " AND c.resolved_at IS NULL")
            ORDER BY c.id
            """, [.integer(organisationID)], Self.conflictRow)
    }

    public func resolveConflict(id: Int64, at: Date) throws -> CalDAVConflict? {
        try database.transaction { c in
            try c.execute("UPDATE caldav_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", [.integer(Milliseconds.from(at)), .integer(id)])
            return try c.queryFirst(
                "SELECT id, provider_id, appointment_uid, href, reason, detected_at, resolved_at FROM caldav_conflicts WHERE id = ?", [.integer(id)],
                Self.conflictRow)
        }
    }

    public func collectionURL(providerID: Int64) throws -> String? {
        try database.queryFirst("SELECT url FROM caldav_collections WHERE provider_id = ?", [.integer(providerID)]) { try $0.string(0) }
    }

    public func setCollection(providerID: Int64, url: String, syncedAt: Date?) throws {
        try database.execute(
            """
            INSERT INTO caldav_collections (provider_id, url, last_sync_at) VALUES (?, ?, ?)
            ON CONFLICT(provider_id) DO UPDATE SET url = excluded.url, last_sync_at = COALESCE(excluded.last_sync_at, last_sync_at)
            """, [.integer(providerID), .text(url), SQLiteValue(syncedAt.map(Milliseconds.from))])
    }

    private static func conflictRow(_ r: SQLiteRow) throws -> CalDAVConflict {
        CalDAVConflict(
            id: try r.int64(0), providerID: try r.int64(1), uid: try r.string(2), href: try r.string(3), reason: try r.string(4),
            detectedAt: Milliseconds.date(try r.int64(5)), resolvedAt: try r.optionalInt64(6).map(Milliseconds.date))
    }
}
