/// An error or warning found while compiling a dialplan, with the place it refers to.
///
/// Printed as `file:line:column: message` (errors) or `file:line:column: warning: message`, the
/// format compilers use, so editors can jump to the place.
public struct DialplanDiagnostic: Sendable, Equatable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in characters.
    public var column: Int
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    init(_ location: SourcePosition, _ message: String, severity: Severity = .error) {
        self.init(
            file: location.file, line: location.line, column: location.column, message: message, severity: severity)
    }

    public var description: String {
        switch severity {
        case .error: "\(file):\(line):\(column): \(message)"
        case .warning: "\(file):\(line):\(column): warning: \(message)"
        }
    }
}

/// A place in a dialplan file.
struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int

    /// The same place moved `count` characters to the right (the text in between has no newline).
    func advanced(by count: Int) -> SourcePosition {
        SourcePosition(file: file, line: line, column: column + count)
    }

    var description: String { "\(file):\(line):\(column)" }
}
