import Foundation

/// A value SQLite stores or returns: its five storage classes (https://sqlite.org/datatype3.html).
///
/// Bindings are written as an array of these, helped by literals and the optional-taking
/// initialisers: `[.text(name), .integer(id), SQLiteValue(maybeNote), nil]`.
public enum SQLiteValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public init(_ value: Int64?) { self = value.map(SQLiteValue.integer) ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Double?) { self = value.map(SQLiteValue.real) ?? .null }
    public init(_ value: String?) { self = value.map(SQLiteValue.text) ?? .null }
    public init(_ value: [UInt8]?) { self = value.map(SQLiteValue.blob) ?? .null }
    public init(_ value: Data?) { self = value.map { .blob(Array($0)) } ?? .null }
    /// Booleans are stored as 0 and 1, as SQLite itself does.
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}

extension SQLiteValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self.init(value) }
}

extension SQLiteValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return "'\(value.replacingOccurrences(of: "'", with: "''"))'"
        case .blob(let bytes): return "x'\(bytes.map { String(format: "%02x", $0) }.joined())'"
        }
    }
}
