/// What a user may do in the administration interface.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Holds the organisation's account; may do everything, including appointing admins.
    case owner
    /// Manages users, devices, dialplans and policies.
    case admin
    /// Uses phones, voicemail and the calendar.
    case member
}

/// A person in an organisation, reachable at an extension.
public struct User: Sendable, Equatable, Hashable, Identifiable {
    /// Assigned by the store; `0` for a user not yet created.
    public var id: Int64
    public var organisationID: Int64
    /// 2 to 8 digits, not starting with 0 (0 is kept for the operator and outside lines).
    /// Unique within the organisation.
    public var `extension`: String
    public var displayName: String
    public var email: String
    public var role: Role
    /// The language of this user's voice prompts (`*97`, their voicemail greeting); nil: the
    /// organisation's.
    public var locale: String?

    public init(
        id: Int64 = 0, organisationID: Int64, extension: String, displayName: String,
        email: String, role: Role = .member, locale: String? = nil
    ) {
        self.id = id
        self.organisationID = organisationID
        self.extension = `extension`
        self.displayName = displayName
        self.email = email
        self.role = role
        self.locale = locale
    }

    /// Why `text` is not a language tag (`en`, `it`, `zh-TW`), or `nil` if it is one.
    public static func localeProblem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let ok = (2...3).contains(parts[0].count) && parts[0].allSatisfy { $0.isASCII && $0.isLetter }
            && parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        return ok ? nil : "locale \(quoted(text)) must be a language tag such as en, it or zh-TW"
    }

    /// Extensions have at least this many digits.
    public static let extensionLengths = 2...8

    /// Why `text` is not a valid extension, or `nil` if it is one.
    /// The wording fits after `line N: ` in an import report.
    public static func extensionProblem(_ text: String) -> String? {
        if text.isEmpty { return "extension is empty" }
        let allDigits = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        if !allDigits || !extensionLengths.contains(text.unicodeScalars.count) {
            let lengths = "\(extensionLengths.lowerBound)-\(extensionLengths.upperBound)"
            return "extension \(quoted(text)) must be \(lengths) digits"
        }
        if text.hasPrefix("0") {
            return "extension \(quoted(text)) may not start with 0 (0 is for the operator and outside lines)"
        }
        return nil
    }

    /// Display names longer than this are refused (they appear in SIP From headers and on
    /// phone screens).
    public static let maximumDisplayNameLength = 100

    /// Why `text` is not a valid display name, or `nil` if it is one.
    public static func displayNameProblem(_ text: String) -> String? {
        if text.isEmpty { return "display_name is empty" }
        if text.count > maximumDisplayNameLength {
            return "display_name is longer than \(maximumDisplayNameLength) characters"
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "display_name contains a control character (such as a line break or tab)"
        }
        return nil
    }

    /// Why `text` is not a plausible e-mail address, or `nil` if it is one.
    ///
    /// Deliberately simple: one `@`, a non-empty local part, and a domain of at least two
    /// non-empty labels, with no spaces or control characters. Whether the mailbox exists is
    /// for the mail server to say.
    public static func emailProblem(_ text: String) -> String? {
        if text.isEmpty { return "email is empty" }
        let invalid = "email \(quoted(text)) is not a valid address"
        if text.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
                || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0 == "\""
        }) {
            return invalid
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return invalid }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.first != "-" && $0.last != "-" })
        else { return invalid }
        return nil
    }
}

/// Quotes a value for an error message, escaping quotes and line breaks inside it.
func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
