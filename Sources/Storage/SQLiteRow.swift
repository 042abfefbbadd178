import CSQLite

/// The current row of a query, read column by column.
///
/// Valid only inside the closure it is passed to: it reads straight from the statement, without
/// copying the row first, so do not keep it. (It is not `~Copyable`, which would enforce that,
/// because Swift 6.3's optimiser crashes inlining closures that borrow one.) Columns are numbered
/// from 0; ``columnIndex(_:)`` finds one by name. Typed getters throw when the stored value has
/// another type, or is NULL where a value was expected.
public struct SQLiteRow {
    let statement: OpaquePointer
    let sql: String

    public var columnCount: Int32 { sqlite3_column_count(statement) }

    public func columnName(_ index: Int32) -> String {
        sqlite3_column_name(statement, index).map { String(cString: $0) } ?? ""
    }

    /// The index of the column named `name`.
    public func columnIndex(_ name: String) throws -> Int32 {
        for index in 0..<columnCount where columnName(index) == name {
            return index
        }
        throw SQLiteError.decoding("the result has no column named \"\(name)\"", sql: sql)
    }

    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// The column as SQLite stored it.
    public func value(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return .text(text(index))
        case SQLITE_BLOB: return .blob(bytes(index))
        default: return .null
        }
    }

    public func int64(_ index: Int32) throws -> Int64 {
        try expect(SQLITE_INTEGER, index, "INTEGER")
        return sqlite3_column_int64(statement, index)
    }

    public func optionalInt64(_ index: Int32) throws -> Int64? {
        isNull(index) ? nil : try int64(index)
    }

    public func int(_ index: Int32) throws -> Int {
        Int(try int64(index))
    }

    public func optionalInt(_ index: Int32) throws -> Int? {
        try optionalInt64(index).map { Int($0) }
    }

    /// A REAL column; an INTEGER is accepted too, since SQLite stores whole REALs that way in
    /// columns without REAL affinity.
    public func double(_ index: Int32) throws -> Double {
        if sqlite3_column_type(statement, index) == SQLITE_INTEGER {
            return Double(sqlite3_column_int64(statement, index))
        }
        try expect(SQLITE_FLOAT, index, "REAL")
        return sqlite3_column_double(statement, index)
    }

    public func optionalDouble(_ index: Int32) throws -> Double? {
        isNull(index) ? nil : try double(index)
    }

    public func string(_ index: Int32) throws -> String {
        try expect(SQLITE_TEXT, index, "TEXT")
        return text(index)
    }

    public func optionalString(_ index: Int32) throws -> String? {
        isNull(index) ? nil : try string(index)
    }

    public func blob(_ index: Int32) throws -> [UInt8] {
        try expect(SQLITE_BLOB, index, "BLOB")
        return bytes(index)
    }

    public func optionalBlob(_ index: Int32) throws -> [UInt8]? {
        isNull(index) ? nil : try blob(index)
    }

    /// An INTEGER column holding 0 or 1.
    public func bool(_ index: Int32) throws -> Bool {
        switch try int64(index) {
        case 0: return false
        case 1: return true
        case let other:
            throw SQLiteError.decoding("column \(index) (\(columnName(index))) is \(other), expected 0 or 1", sql: sql)
        }
    }

    private func expect(_ type: Int32, _ index: Int32, _ typeName: String) throws {
        let actual = sqlite3_column_type(statement, index)
        guard actual != type else { return }
        let found: String
        switch actual {
        case SQLITE_NULL: found = "NULL"
        case SQLITE_INTEGER: found = "an INTEGER"
        case SQLITE_FLOAT: found = "a REAL"
        case SQLITE_TEXT: found = "TEXT"
        default: found = "a BLOB"
        }
        throw SQLiteError.decoding(
            "column \(index) (\(columnName(index))) is \(found), expected \(typeName)", sql: sql)
    }

    private func text(_ index: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private func bytes(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, index))
        guard count > 0, let pointer = sqlite3_column_blob(statement, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
