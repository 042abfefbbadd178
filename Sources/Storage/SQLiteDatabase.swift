import CSQLite
import Foundation

/// An SQLite database file, safe to share between threads.
///
/// Two connections, each used by one caller at a time under its own lock:
/// - the writer, for ``withConnection(_:)``, ``transaction(_:)`` and ``execute(_:_:)``. SQLite
///   allows one writer at a time anyway, and the registrar batches its writes into one
///   transaction (see ``SQLiteBindingStore``), so a pool of writers would add nothing;
/// - a query-only reader, for ``read(_:)``, ``query(_:_:_:)`` and ``queryFirst(_:_:_:)``. In
///   WAL mode it sees every committed transaction and never waits for the writer, so lookups
///   carry on while a commit is being fsynced. Reads inside a transaction must use the
///   transaction's connection to see its uncommitted changes.
///
/// ```swift
/// let database = try SQLiteDatabase.open(path: "data/carephone.sqlite")
/// try database.transaction { connection in
///     try connection.execute("UPDATE users SET role = ? WHERE id = ?", ["admin", .integer(id)])
/// }
/// let names = try database.query("SELECT display_name FROM users") { try $0.string(0) }
/// ```
public final class SQLiteDatabase: @unchecked Sendable {
    // @unchecked: each connection is only used with its lock held (see `Guarded`).
    private let writer: Guarded
    /// `nil` when reads share the writer (in-memory databases, or `separateReader` off).
    private let reader: Guarded?

    /// The file path, or `:memory:`.
    public let path: String
    public let options: Options

    public struct Options: Sendable {
        /// `PRAGMA synchronous` (https://sqlite.org/pragma.html#pragma_synchronous).
        public enum Synchronous: String, Sendable {
            case off = "OFF"
            case normal = "NORMAL"
            case full = "FULL"
            case extra = "EXTRA"
        }

        /// When commits reach the disk. Default `.full`.
        ///
        /// Our rule is "acknowledged means durable": a 200 OK to a REGISTER, or an imported
        /// user, must survive the server being killed and the machine losing power. In WAL mode:
        /// - `NORMAL` writes each commit to the WAL but fsyncs only at checkpoints. A commit
        ///   survives `kill -9` of the process (the data is in the OS page cache), but a power
        ///   cut or kernel crash can lose the last commits.
        /// - `FULL` also fsyncs the WAL on every commit, so a commit survives power loss too.
        ///   It costs one fsync per transaction, which is why the registrar commits many
        ///   binding changes in one transaction (group commit).
        /// Choose `.normal` only where losing the last second of changes on power loss is fine,
        /// e.g. a benchmark or a disposable test database.
        public var synchronous: Synchronous
        /// How long to wait for another process holding the write lock before failing with
        /// `SQLITE_BUSY`.
        public var busyTimeout: Duration
        /// `PRAGMA journal_mode=WAL`: readers do not block the writer, and a commit appends to
        /// one file instead of rewriting pages. Turn off only for file systems without shared
        /// memory support (some network mounts).
        public var writeAheadLog: Bool

        /// Open a second, query-only connection for ``SQLiteDatabase/query(_:_:_:)`` and
        /// ``SQLiteDatabase/read(_:)``, so lookups (a device's credentials during a REGISTER) do
        /// not wait behind a commit's fsync. Needs `writeAheadLog`; ignored for `:memory:`.
        public var separateReader: Bool

        public init(
            synchronous: Synchronous = .full, busyTimeout: Duration = .seconds(5), writeAheadLog: Bool = true,
            separateReader: Bool = true
        ) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.writeAheadLog = writeAheadLog
            self.separateReader = separateReader
        }
    }

    /// Opens (creating if needed, with its parent folders) the database at `path` and applies
    /// the connection settings. Does not touch the schema; see ``open(path:options:migrations:)``.
    public init(path: String, options: Options = Options()) throws {
        let isFile = path != ":memory:" && !path.isEmpty && !path.hasPrefix("file:")
        if isFile {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw SQLiteError(
                    code: SQLITE_CANTOPEN,
                    message: "cannot create the folder \(folder.path) for the database: \(error.localizedDescription)")
            }
        }
        self.path = path
        self.options = options

        let writer = try Self.connect(path: path, options: options)
        do {
            if options.writeAheadLog {
                let mode = try writer.queryFirst("PRAGMA journal_mode=WAL") { try $0.string(0) }
                // An in-memory database reports "memory"; a file that cannot use WAL keeps its mode.
                if path != ":memory:" && mode?.lowercased() != "wal" {
                    throw SQLiteError(
                        code: SQLITE_ERROR,
                        message: "cannot switch \(path) to WAL journaling (it stays in \(mode ?? "unknown") mode); "
                            + "is the file on a network file system?")
                }
            }
        } catch {
            writer.close()
            throw error
        }
        self.writer = Guarded(writer)

        if options.separateReader && options.writeAheadLog && path != ":memory:" && !path.isEmpty {
            do {
                let reader = try Self.connect(path: path, options: options)
                try reader.execute("PRAGMA query_only=ON")
                self.reader = Guarded(reader)
            } catch {
                writer.close()
                throw error
            }
        } else {
            self.reader = nil
        }
    }

    /// Opens one connection with the settings every connection shares.
    private static func connect(path: String, options: Options) throws -> SQLiteConnection {
        var handle: OpaquePointer?
        // NOMUTEX: SQLite's own per-connection mutex is redundant under our locks.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: "cannot open the database at \(path): \(message)")
        }
        sqlite3_extended_result_codes(handle, 1)
        let (seconds, attoseconds) = options.busyTimeout.components
        sqlite3_busy_timeout(handle, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        let connection = SQLiteConnection(handle: handle)
        do {
            try connection.execute("PRAGMA synchronous=\(options.synchronous.rawValue)")
            try connection.execute("PRAGMA foreign_keys=ON")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Opens the database and brings its schema up to date with `migrations`.
    /// Throws ``MigrationError/databaseTooNew(path:version:supported:)`` if the file was written
    /// by a newer CarePhone.
    public static func open(
        path: String, options: Options = Options(), migrations: [Migration] = Migrations.all
    ) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path, options: options)
        try Migrations.migrate(database, migrations: migrations)
        return database
    }

    /// Lends the writer connection to `body`, holding its lock until `body` returns. Statements
    /// run in autocommit mode (each its own transaction) unless `body` opens one.
    public func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try writer.use(path: path, body)
    }

    /// Lends the reader connection to `body` (the writer if there is no separate reader).
    /// Statements that write fail with `SQLITE_READONLY` on the reader.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try (reader ?? writer).use(path: path, body)
    }

    /// Runs `body` in one transaction on the writer; see ``SQLiteConnection/transaction(_:)``.
    public func transaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.transaction { try body(connection) }
        }
    }

    /// Runs one statement on the writer; see ``SQLiteConnection/execute(_:_:)``.
    public func execute(_ sql: String, _ bindings: [SQLiteValue] = []) throws {
        try withConnection { try $0.execute(sql, bindings) }
    }

    /// Runs a query on the reader; see ``SQLiteConnection/query(_:_:_:)``.
    public func query<T>(
        _ sql: String, _ bindings: [SQLiteValue] = [], _ decode: (SQLiteRow) throws -> T
    ) throws -> [T] {
        try read { try $0.query(sql, bindings, decode) }
    }

    /// The first row of a query on the reader, decoded; see ``SQLiteConnection/queryFirst(_:_:_:)``.
    public func queryFirst<T>(
        _ sql: String, _ bindings: [SQLiteValue] = [], _ decode: (SQLiteRow) throws -> T
    ) throws -> T? {
        try read { try $0.queryFirst(sql, bindings, decode) }
    }

    /// `PRAGMA user_version`: the schema version ``Migrations`` last applied.
    public func userVersion() throws -> Int32 {
        try withConnection { connection in
            Int32(try connection.queryFirst("PRAGMA user_version") { try $0.int64(0) } ?? 0)
        }
    }

    /// Closes the connections; later calls throw. Closing twice is harmless.
    public func close() {
        reader?.close()
        writer.close()
    }

    /// A connection and the lock that serialises its use. The lock is recursive so a closure
    /// that calls back into the same connection does not deadlock.
    private final class Guarded: @unchecked Sendable {
        private let lock = NSRecursiveLock()
        private let connection: SQLiteConnection
        private var isClosed = false

        init(_ connection: SQLiteConnection) {
            self.connection = connection
        }

        deinit {
            if !isClosed { connection.close() }
        }

        func use<T>(path: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
            lock.lock()
            defer { lock.unlock() }
            guard !isClosed else {
                throw SQLiteError(code: SQLITE_MISUSE, message: "the database at \(path) is closed")
            }
            return try body(connection)
        }

        func close() {
            lock.lock()
            defer { lock.unlock() }
            if !isClosed {
                connection.close()
                isClosed = true
            }
        }
    }
}
