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

    public func removeItem(uid: String, providerID: Int64) throws {
        try database.execute("DELETE FROM caldav_items WHERE provider_id = ? AND appointment_uid = ?", [.integer(providerID), .text(uid)])
    }

    public func removeItems(providerID: Int64) throws {
        try database.execute("DELETE FROM caldav_items WHERE provider_id = ?", [.integer(providerID)])
    }

    public func recordConflict(_ conflict: CalDAVConflict) throws -> Bool {
        try database.transaction { c in
            let open = try c.queryFirst(
                "SELECT id FROM caldav_conflicts WHERE provider_id = ? AND appointment_uid = ? AND resolved_at IS NULL",
                [.integer(conflict.providerID), .text(conflict.uid)]
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
            SELECT \(Self.conflictColumns) FROM caldav_conflicts c
            JOIN providers p ON p.id = c.provider_id WHERE p.organisation_id = ?\(includeResolved ? "" : " AND c.resolved_at IS NULL")
            ORDER BY c.id
            """, [.integer(organisationID)], Self.conflictRow)
    }

    public func resolveConflict(id: Int64, organisationID: Int64, keep: String, at: Date) throws -> CalDAVConflict? {
        try database.transaction { c in
            try c.execute(
                """
                UPDATE caldav_conflicts SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL
                AND provider_id IN (SELECT id FROM providers WHERE organisation_id = ?)
                """, [.integer(Milliseconds.from(at)), .text(keep), .integer(id), .integer(organisationID)])
            guard c.changes == 1 else { return nil }
            return try c.queryFirst("SELECT \(Self.conflictColumns) FROM caldav_conflicts c WHERE id = ?", [.integer(id)], Self.conflictRow)
        }
    }

    public func pendingResolutions(providerID: Int64) throws -> [String: String] {
        let rows = try database.query(
            """
            SELECT appointment_uid, resolution FROM caldav_conflicts
            WHERE provider_id = ? AND resolution IS NOT NULL AND resolution NOT LIKE 'applied:%' ORDER BY id
            """, [.integer(providerID)]
        ) { (try $0.string(0), try $0.string(1)) }
        return Dictionary(rows, uniquingKeysWith: { _, last in last })
    }

    public func resolutionApplied(uid: String, providerID: Int64) throws {
        try database.execute(
            """
            UPDATE caldav_conflicts SET resolution = 'applied:' || resolution
            WHERE provider_id = ? AND appointment_uid = ? AND resolution IS NOT NULL AND resolution NOT LIKE 'applied:%'
            """, [.integer(providerID), .text(uid)])
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

    public func collectionTag(providerID: Int64) throws -> String? {
        try database.queryFirst("SELECT sync_token FROM caldav_collections WHERE provider_id = ?", [.integer(providerID)]) {
            try $0.optionalString(0)
        } ?? nil
    }

    public func setCollectionTag(_ tag: String?, providerID: Int64) throws {
        try database.execute("UPDATE caldav_collections SET sync_token = ? WHERE provider_id = ?", [SQLiteValue(tag), .integer(providerID)])
    }

    private static let conflictColumns = "c.id, c.provider_id, c.appointment_uid, c.href, c.reason, c.detected_at, c.resolved_at, c.resolution"

    private static func conflictRow(_ r: SQLiteRow) throws -> CalDAVConflict {
        var conflict = CalDAVConflict(
            id: try r.int64(0), providerID: try r.int64(1), uid: try r.string(2), href: try r.string(3), reason: try r.string(4),
            detectedAt: Milliseconds.date(try r.int64(5)), resolvedAt: try r.optionalInt64(6).map(Milliseconds.date))
        conflict.resolution = try r.optionalString(7)
        return conflict
    }
}
