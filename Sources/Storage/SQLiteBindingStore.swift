import CSQLite
import Foundation
import Registrar

/// The registrar's location service on SQLite.
///
/// ``apply(_:)`` is the registrar's group commit: however many changes it is given, they are
/// written in one transaction with one fsync, through cached prepared statements, and are durable
/// when it returns.
public struct SQLiteBindingStore: BindingStore {
    public let database: SQLiteDatabase

    /// `database` must have been migrated (``SQLiteDatabase/open(path:options:migrations:)``).
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func loadAll() throws -> [Binding] {
        try database.query("SELECT \(Self.columns) FROM bindings ORDER BY aor, contact_uri", [], Self.decode)
    }

    /// The bindings of one address-of-record.
    public func bindings(aor: String) throws -> [Binding] {
        try database.query(
            "SELECT \(Self.columns) FROM bindings WHERE aor = ? ORDER BY contact_uri", [.text(aor)], Self.decode)
    }

    public func apply(_ changes: [BindingChange]) throws {
        guard !changes.isEmpty else { return }
        try database.transaction { connection in
            for change in changes {
                switch change {
                case .upsert(let binding):
                    try connection.execute(Self.upsertSQL, Self.values(binding))
                case .remove(let aor, let contactURI):
                    try connection.execute(
                        "DELETE FROM bindings WHERE aor = ? AND contact_uri = ?", [.text(aor), .text(contactURI)])
                case .removeAll(let aor):
                    try connection.execute("DELETE FROM bindings WHERE aor = ?", [.text(aor)])
                case .removeExpired(let time):
                    try connection.execute("DELETE FROM bindings WHERE expires_at <= ?", [.integer(time)])
                }
            }
        }
    }

    private static let columns = """
        aor, contact_uri, call_id, cseq, expires_at, q, instance_id, reg_id, path, user_agent, \
        transport, source_host, source_port, local_host, local_port
        """

    private static let upsertSQL = """
        INSERT INTO bindings (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (aor, contact_uri) DO UPDATE SET
            call_id = excluded.call_id, cseq = excluded.cseq, expires_at = excluded.expires_at,
            q = excluded.q, instance_id = excluded.instance_id, reg_id = excluded.reg_id,
            path = excluded.path, user_agent = excluded.user_agent, transport = excluded.transport,
            source_host = excluded.source_host, source_port = excluded.source_port,
            local_host = excluded.local_host, local_port = excluded.local_port
        """

    private static func values(_ binding: Binding) -> [SQLiteValue] {
        [
            .text(binding.aor), .text(binding.contactURI), .text(binding.callID), .integer(Int64(binding.cseq)),
            .integer(binding.expiresAt), SQLiteValue(binding.q), SQLiteValue(binding.instanceID),
            SQLiteValue(binding.regID), .text(encodePath(binding.path)), SQLiteValue(binding.userAgent),
            .text(binding.transport), .text(binding.sourceHost), .integer(Int64(binding.sourcePort)),
            .text(binding.localHost), .integer(Int64(binding.localPort)),
        ]
    }

    private static func decode(_ row: SQLiteRow) throws -> Binding {
        let cseq = try row.int64(3)
        guard let cseq32 = UInt32(exactly: cseq) else {
            throw SQLiteError.decoding("bindings.cseq \(cseq) does not fit in 32 bits", sql: row.sql)
        }
        return Binding(
            aor: try row.string(0), contactURI: try row.string(1), callID: try row.string(2), cseq: cseq32,
            expiresAt: try row.int64(4), q: try row.optionalDouble(5), instanceID: try row.optionalString(6),
            regID: try row.optionalInt(7), path: try decodePath(try row.string(8), sql: row.sql),
            userAgent: try row.optionalString(9), transport: try row.string(10), sourceHost: try row.string(11),
            sourcePort: try row.int(12), localHost: try row.string(13), localPort: try row.int(14))
    }

    /// Path values as a JSON array: they are URIs in angle brackets that may contain commas.
    private static func encodePath(_ path: [String]) -> String {
        guard !path.isEmpty else { return "[]" }
        // Encoding an array of strings cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: path, options: [.withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodePath(_ text: String, sql: String) throws -> [String] {
        if text == "[]" { return [] }
        guard let path = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw SQLiteError.decoding("bindings.path is not a JSON array of strings: \(text)", sql: sql)
        }
        return path
    }
}
