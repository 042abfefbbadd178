import CSQLite

/// One open SQLite connection and its cache of prepared statements.
///
/// Not thread-safe and not `Sendable`: it is only reached through ``SQLiteDatabase``, which
/// lends it to one closure at a time under its lock.
public final class SQLiteConnection {
    let handle: OpaquePointer
    /// Prepared statements by SQL text. Statements are reused after `sqlite3_reset`, which
    /// saves parsing and planning on every call (the registrar's hot path runs the same few).
    private var statements: [String: SQLiteStatement] = [:]
    private var savepointDepth = 0

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Finalises every cached statement and closes the connection.
    func close() {
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one statement, binding `bindings` to its `?` parameters in order.
    /// Any result rows are stepped through and dropped.
    public func execute(_ sql: String, _ bindings: [SQLiteValue] = []) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
    }

    /// Runs a statement and decodes each result row with `decode`.
    public func query<T>(
        _ sql: String, _ bindings: [SQLiteValue] = [], _ decode: (SQLiteRow) throws -> T
    ) throws -> [T] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var results: [T] = []
        while try statement.step() {
            results.append(try decode(SQLiteRow(statement: statement.handle, sql: sql)))
        }
        return results
    }

    /// The first result row decoded, or `nil` if there is none.
    public func queryFirst<T>(
        _ sql: String, _ bindings: [SQLiteValue] = [], _ decode: (SQLiteRow) throws -> T
    ) throws -> T? {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return try decode(SQLiteRow(statement: statement.handle, sql: sql))
    }

    /// Runs several `;`-separated statements without binding or caching, e.g. a schema script.
    public func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` then `COMMIT`, or `ROLLBACK` if anything
    /// throws (including the commit). Nested calls become savepoints, so an inner failure undoes
    /// only the inner work if the outer body catches it.
    ///
    /// IMMEDIATE takes the write lock at the start, so a transaction never fails half-way with
    /// `SQLITE_BUSY` upgrading a read to a write; the busy timeout covers the wait instead.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction {
            savepointDepth += 1
            defer { savepointDepth -= 1 }
            let name = "nested\(savepointDepth)"
            try execute("SAVEPOINT \(name)")
            do {
                let result = try body()
                try execute("RELEASE \(name)")
                return result
            } catch {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // After some errors (e.g. SQLITE_FULL) SQLite has already rolled back; then there is
            // no transaction left and ROLLBACK would fail, which is harmless.
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Whether a transaction is open (SQLite is not in autocommit mode).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Prepared statements currently cached.
    public var cachedStatementCount: Int { statements.count }

    func prepared(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        // The connection's message describes the latest failure; `code` may be the primary code
        // only, so prefer the extended one when they agree.
        let extended = sqlite3_extended_errcode(handle)
        return SQLiteError(
            code: extended & 0xff == code & 0xff ? extended : code,
            message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
