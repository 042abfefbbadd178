import CSQLite

/// A failure reported by SQLite, or found while decoding what it returned.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended result code (https://sqlite.org/rescode.html), e.g. 2067 for
    /// `SQLITE_CONSTRAINT_UNIQUE`. Decoding errors use `SQLITE_MISMATCH`.
    public var code: Int32
    /// SQLite's own message, or what did not decode.
    public var message: String
    /// The statement that failed, if there was one.
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code, e.g. `SQLITE_CONSTRAINT` for every kind of constraint failure.
    public var primaryCode: Int32 { code & 0xff }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    /// The database stayed locked by another process for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        var text = "SQLite error \(code) (\(name)): \(message)"
        if let sql { text += " [in: \(Self.abbreviated(sql))]" }
        return text
    }

    /// A value that could not be turned into the requested Swift type.
    static func decoding(_ message: String, sql: String?) -> SQLiteError {
        SQLiteError(code: SQLITE_MISMATCH, message: message, sql: sql)
    }

    /// One line, at most 200 characters, so long statements do not swamp a log.
    private static func abbreviated(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count <= 200 ? oneLine : oneLine.prefix(197) + "..."
    }
}
