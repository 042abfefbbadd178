import CSQLite
import Foundation
import Testing

@testable import Storage

@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    let folder = TemporaryFolder()

    @Test func migratesFromEmpty() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        #expect(try database.userVersion() == 0)
        let result = try Migrations.migrate(database)
        #expect(result.from == 0)
        #expect(result.to == Migrations.latestVersion)
        #expect(try database.userVersion() == Migrations.latestVersion)
        let tables = try database.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ) { try $0.string(0) }
        #expect(
            tables == [
                "api_tokens", "appointment_history", "appointments", "audit_log", "bindings", "caldav_collections", "caldav_conflicts",
                "caldav_items", "call_records", "clinic_settings", "delegations", "devices", "mailbox_members", "mailboxes", "organisations", "patients",
                "providers", "sms_inbox", "sms_outbox", "users", "voicemail_messages", "working_hours",
            ])
        // Migrating again does nothing.
        let again = try Migrations.migrate(database)
        #expect(again.from == again.to)
    }

    @Test func connectionSettings() throws {
        let database = try folder.open()
        #expect(try database.queryFirst("PRAGMA journal_mode") { try $0.string(0) } == "wal")
        #expect(try database.queryFirst("PRAGMA synchronous") { try $0.int64(0) } == 2)  // FULL
        #expect(try database.queryFirst("PRAGMA foreign_keys") { try $0.int64(0) } == 1)
        #expect(try database.queryFirst("PRAGMA busy_timeout") { try $0.int64(0) } == 5000)
        let relaxed = try SQLiteDatabase(
            path: folder.url.appendingPathComponent("other.sqlite").path,
            options: .init(synchronous: .normal, busyTimeout: .milliseconds(250)))
        #expect(try relaxed.queryFirst("PRAGMA synchronous") { try $0.int64(0) } == 1)
        #expect(try relaxed.queryFirst("PRAGMA busy_timeout") { try $0.int64(0) } == 250)
    }

    @Test func refusesDatabaseFromNewerCode() throws {
        do {
            let database = try folder.open()
            try database.execute("PRAGMA user_version = \(Migrations.latestVersion + 1)")
        }
        #expect(
            throws: MigrationError.databaseTooNew(
                path: folder.databasePath, version: Migrations.latestVersion + 1, supported: Migrations.latestVersion)
        ) {
            try folder.open()
        }
    }

    @Test func failedMigrationLeavesPreviousVersion() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        let migrations = [
            Migration(version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER);"),
            Migration(version: 2, name: "two", sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"),
        ]
        #expect(throws: MigrationError.self) { try Migrations.migrate(database, migrations: migrations) }
        #expect(try database.userVersion() == 1)
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table'") { try $0.string(0) }
        #expect(tables == ["a"])
    }

    @Test func rejectsMisnumberedMigrations() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        #expect(throws: MigrationError.self) {
            try Migrations.migrate(database, migrations: [Migration(version: 2, name: "two", sql: "")])
        }
    }

    @Test func bindsAndDecodesEveryType() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        try database.execute(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            [.integer(Int64.min), .real(0.5), .text("Zhāng 張偉 \u{0}!"), .blob([0, 1, 255]), nil])
        try database.execute(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?)", [42, 1.0, "", .blob([]), SQLiteValue(nil as String?)])
        let rows = try database.query("SELECT i, r, s, b, n FROM t ORDER BY rowid") { row in
            (try row.int64(0), try row.double(1), try row.string(2), try row.blob(3), try row.optionalString(4))
        }
        #expect(rows[0].0 == Int64.min)
        #expect(rows[0].1 == 0.5)
        #expect(rows[0].2 == "Zhāng 張偉 \u{0}!")
        #expect(rows[0].3 == [0, 1, 255])
        #expect(rows[0].4 == nil)
        #expect(rows[1].0 == 42)
        #expect(rows[1].2 == "")
        #expect(rows[1].3 == [])
        let values = try database.queryFirst("SELECT i, r, s, b, n FROM t") { row in
            (0..<row.columnCount).map { row.value($0) }
        }
        #expect(values == [.integer(Int64.min), .real(0.5), .text("Zhāng 張偉 \u{0}!"), .blob([0, 1, 255]), .null])
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        do {
            _ = try database.queryFirst("SELECT NULL AS nickname") { try $0.string(0) }
            Issue.record("expected a decoding error")
        } catch let error as SQLiteError {
            #expect(error.message == "column 0 (nickname) is NULL, expected TEXT")
            #expect(error.sql == "SELECT NULL AS nickname")
        }
    }

    @Test func errorsCarryMessageAndSQL() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        try database.execute("INSERT INTO t VALUES (1)")
        do {
            try database.execute("INSERT INTO t VALUES (1)")
            Issue.record("expected a constraint error")
        } catch let error as SQLiteError {
            #expect(error.isConstraintViolation)
            #expect(error.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(error.message.contains("UNIQUE constraint failed: t.x"))
            #expect(error.sql == "INSERT INTO t VALUES (1)")
            #expect(error.description.contains("INSERT INTO t VALUES (1)"))
        }
        #expect(throws: SQLiteError.self) { try database.execute("SELEKT 1") }
        #expect(throws: SQLiteError.self) { try database.execute("SELECT ?", []) }
    }

    @Test func throwingTransactionLeavesNothing() throws {
        struct Abort: Error {}
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Abort.self) {
            try database.transaction { connection in
                try connection.execute("INSERT INTO t VALUES (1)")
                try connection.execute("INSERT INTO t VALUES (2)")
                throw Abort()
            }
        }
        #expect(try database.query("SELECT x FROM t") { try $0.int64(0) } == [])
        try database.withConnection { #expect(!$0.isInTransaction) }
    }

    @Test func nestedTransactionRollsBackOnlyItself() throws {
        struct Abort: Error {}
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        try database.transaction { connection in
            try connection.execute("INSERT INTO t VALUES (1)")
            _ = try? connection.transaction {
                try connection.execute("INSERT INTO t VALUES (2)")
                throw Abort()
            }
            try connection.transaction { try connection.execute("INSERT INTO t VALUES (3)") }
        }
        #expect(try database.query("SELECT x FROM t ORDER BY x") { try $0.int64(0) } == [1, 3])
    }

    @Test func statementsAreCached() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        let before = try database.withConnection { $0.cachedStatementCount }
        for value in 0..<10 { try database.execute("INSERT INTO t VALUES (?)", [.integer(Int64(value))]) }
        let after = try database.withConnection { $0.cachedStatementCount }
        #expect(after == before + 1)
    }

    @Test func sharedAcrossTasks() async throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for value in 0..<50 {
                        try database.transaction {
                            try $0.execute("INSERT INTO t VALUES (?)", [.integer(Int64(task * 100 + value))])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try database.queryFirst("SELECT count(*) FROM t") { try $0.int64(0) } == 400)
    }

    @Test func readerIsQueryOnly() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: SQLiteError.self) { try database.read { try $0.execute("INSERT INTO t VALUES (1)") } }
    }

    @Test func readsDoNotWaitForAnOpenWriteTransaction() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER)")
        try database.execute("INSERT INTO t VALUES (1)")
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        // A plain thread, not a task: it blocks while holding the writer.
        Thread {
            do {
                try database.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (2)")
                    inside.signal()
                    release.wait()
                }
            } catch {
                Issue.record(error)
            }
            finished.signal()
        }.start()
        inside.wait()
        // The read returns while the writer holds its lock, and does not see the uncommitted row.
        #expect(try database.query("SELECT x FROM t") { try $0.int64(0) } == [1])
        release.signal()
        finished.wait()
        #expect(try database.query("SELECT x FROM t ORDER BY x") { try $0.int64(0) } == [1, 2])
    }

    @Test func inMemoryDatabaseSharesOneConnection() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (x INTEGER)")
        try database.execute("INSERT INTO t VALUES (7)")
        #expect(try database.query("SELECT x FROM t") { try $0.int64(0) } == [7])
    }

    @Test func closedDatabaseThrows() throws {
        let database = try SQLiteDatabase(path: folder.databasePath)
        database.close()
        database.close()
        #expect(throws: SQLiteError.self) { try database.execute("SELECT 1") }
    }
}
