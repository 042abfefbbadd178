import Foundation

/// One user to create or update, as read from an import file (or built by a caller).
public struct UserImportRow: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the file the row starts on; `0` if it did not come from a file.
    public var line: Int
    public var `extension`: String
    public var displayName: String
    /// The SIP password. Only HA1 values derived from it are stored.
    public var password: String
    public var email: String
    /// `nil` when the file gives no role: new users become members, existing users keep theirs.
    public var role: Role?
    /// `nil` when the file gives no locale: new users use the organisation's, existing users keep theirs.
    public var locale: String?

    public init(
        line: Int = 0, extension: String, displayName: String, password: String, email: String,
        role: Role? = nil, locale: String? = nil
    ) {
        self.line = line
        self.extension = `extension`
        self.displayName = displayName
        self.password = password
        self.email = email
        self.role = role
        self.locale = locale
    }

    /// Never shows the password, so rows can be logged.
    public var description: String {
        "line \(line): \(`extension`) \(quoted(displayName)) <\(email)> \(role?.rawValue ?? "(no role)") password: <hidden>"
    }
}

/// A problem with one line of an import file.
public struct UserImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the file.
    public var line: Int
    /// What is wrong, e.g. `extension "10a1" must be 2-8 digits`.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// Reads a CSV file of users and checks every row before anything is written.
///
/// The first non-blank line is a header naming the columns, in any order:
/// `extension`, `display_name`, `sip_password` and `email` are required, `role` (owner, admin or
/// member) is optional, and other columns are ignored. Header names ignore case, surrounding
/// spaces, and `-` or a space in place of `_` (so `Display Name` works). The file is RFC 4180
/// CSV in UTF-8, with or without a byte order mark; see ``CSVReader``.
///
/// ```
/// extension,display_name,email,sip_password,role
/// 1001,"Rossi, Maria",maria@clinic.example,correct-horse-1,admin
/// 1002,Zhāng 張偉,zhang@clinic.example,battery-staple-2,
/// ```
///
/// Either every row is good and all are returned, or ``DirectoryError/invalidImport(_:)`` lists
/// every problem found, each with its line number.
public enum UserImport {
    /// Columns the header must name.
    public static let requiredColumns = ["extension", "display_name", "sip_password", "email"]
    /// Columns read when present.
    public static let optionalColumns = ["role", "locale"]

    /// Reads and validates a whole file.
    public static func parse(_ data: Data) throws(DirectoryError) -> [UserImportRow] {
        let (rows, errors) = read(data)
        if !errors.isEmpty { throw .invalidImport(errors) }
        return rows
    }

    /// Reads and validates CSV text.
    public static func parse(csv text: String) throws(DirectoryError) -> [UserImportRow] {
        try parse(Data(text.utf8))
    }

    /// Reads a file, returning the good rows and every problem, ordered by line.
    /// Callers that import must refuse the file if `errors` is not empty.
    public static func read(_ data: Data) -> (rows: [UserImportRow], errors: [UserImportError]) {
        let (records, csvErrors) = CSVReader.read(data)
        var errors = csvErrors
        guard let header = records.first else {
            if errors.isEmpty {
                errors.append(
                    UserImportError(
                        line: 1,
                        message: "the file is empty; the first line must be a header naming the columns "
                            + listed(requiredColumns)))
            }
            return ([], sorted(errors))
        }
        guard let columns = columnIndexes(header, errors: &errors) else {
            return ([], sorted(errors))
        }

        var rows: [UserImportRow] = []
        for record in records.dropFirst() {
            var fields = record.fields
            // Spreadsheets pad short rows with empty cells; empty extra cells are harmless.
            while fields.count > header.fields.count, fields.last?.isEmpty == true { fields.removeLast() }
            guard fields.count == header.fields.count else {
                errors.append(
                    UserImportError(
                        line: record.line,
                        message: "expected \(header.fields.count) fields as in the header, found \(fields.count)"))
                continue
            }
            func value(_ column: String) -> String {
                fields[columns[column]!].trimmingCharacters(in: .whitespaces)
            }
            var role: Role?
            if let roleIndex = columns["role"] {
                let text = fields[roleIndex].trimmingCharacters(in: .whitespaces)
                if !text.isEmpty {
                    role = Role(rawValue: text.lowercased())
                    if role == nil {
                        errors.append(
                            UserImportError(
                                line: record.line,
                                message: "role \(quoted(text)) must be one of "
                                    + Role.allCases.map(\.rawValue).joined(separator: ", ")))
                    }
                }
            }
            var locale: String?
            if let localeIndex = columns["locale"] {
                let text = fields[localeIndex].trimmingCharacters(in: .whitespaces)
                if !text.isEmpty {
                    if let problem = User.localeProblem(text) {
                        errors.append(UserImportError(line: record.line, message: problem))
                    } else {
                        locale = text
                    }
                }
            }
            rows.append(
                UserImportRow(
                    line: record.line,
                    extension: value("extension"),
                    // NFC, so a name typed on one system compares equal, byte for byte, to the
                    // same name typed on another.
                    displayName: value("display_name").precomposedStringWithCanonicalMapping,
                    // Passwords are kept exactly as written: their bytes are hashed.
                    password: fields[columns["sip_password"]!],
                    email: value("email").precomposedStringWithCanonicalMapping,
                    role: role, locale: locale))
        }
        errors += validate(rows)
        return (errors.isEmpty ? rows : [], sorted(errors))
    }

    /// Every problem with the rows: each field's rules, and extensions repeated between rows.
    /// Rows that did not come from a file (line 0) are numbered by position, from 1.
    public static func validate(_ rows: [UserImportRow]) -> [UserImportError] {
        var errors: [UserImportError] = []
        var firstLine: [String: Int] = [:]
        for (position, row) in rows.enumerated() {
            let line = row.line > 0 ? row.line : position + 1
            if let problem = User.extensionProblem(row.extension) {
                errors.append(UserImportError(line: line, message: problem))
            } else if let first = firstLine[row.extension] {
                errors.append(
                    UserImportError(
                        line: line, message: "extension \(row.extension) is repeated (first on line \(first))"))
            } else {
                firstLine[row.extension] = line
            }
            for problem in [
                User.displayNameProblem(row.displayName), Device.passwordProblem(row.password),
                User.emailProblem(row.email),
            ] {
                if let problem { errors.append(UserImportError(line: line, message: problem)) }
            }
        }
        return errors
    }

    /// Maps each known column name to its index, or reports what is wrong with the header.
    private static func columnIndexes(_ header: CSVRecord, errors: inout [UserImportError]) -> [String: Int]? {
        var columns: [String: Int] = [:]
        var bad = false
        for (index, raw) in header.fields.enumerated() {
            let name = normalisedColumnName(raw)
            guard requiredColumns.contains(name) || optionalColumns.contains(name) else { continue }
            if let first = columns[name] {
                errors.append(
                    UserImportError(
                        line: header.line,
                        message:
                            "column \(quoted(name)) appears twice in the header (columns \(first + 1) and \(index + 1))"
                    ))
                bad = true
            } else {
                columns[name] = index
            }
        }
        let missing = requiredColumns.filter { columns[$0] == nil }
        if !missing.isEmpty {
            let what = missing.count == 1 ? "column \(quoted(missing[0]))" : "columns " + listed(missing)
            errors.append(
                UserImportError(
                    line: header.line,
                    message: "the header is missing \(what); the first line must name the columns "
                        + listed(requiredColumns) + " (in any order)"))
            bad = true
        }
        return bad ? nil : columns
    }

    private static func normalisedColumnName(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: "-", with: "_")
    }

    private static func listed(_ names: [String]) -> String {
        let quotedNames = names.map { quoted($0) }
        guard quotedNames.count > 1 else { return quotedNames.first ?? "" }
        return quotedNames.dropLast().joined(separator: ", ") + " and " + quotedNames.last!
    }

    private static func sorted(_ errors: [UserImportError]) -> [UserImportError] {
        // Stable: problems on one line keep the order they were found in (column order).
        errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
    }
}
