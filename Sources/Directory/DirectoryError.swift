/// Why a directory operation was refused. Each description says what was wrong and what to do.
public enum DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No organisation has this id.
    case organisationNotFound(id: Int64)
    /// No device has this id.
    case deviceNotFound(id: Int64)
    /// Another organisation already uses this SIP domain (domains compare case-insensitively).
    case domainTaken(String)
    /// A field of an organisation is not acceptable; the message names the field.
    case invalidOrganisation(String)
    /// A list of digest algorithms is empty or repeats one.
    case invalidDigestAlgorithms(String)
    /// Rows given to ``DirectoryStore/importUsers(_:organisationID:)`` failed validation;
    /// nothing was written.
    case invalidImport([UserImportError])
    /// The import clashes with what is already stored; nothing was written.
    case importConflict(UserImportError)

    public var description: String {
        switch self {
        case .organisationNotFound(let id):
            return "no organisation has id \(id); list organisations to find the right one"
        case .deviceNotFound(let id):
            return "no device has id \(id)"
        case .domainTaken(let domain):
            return "the SIP domain \"\(domain)\" is already used by another organisation; choose another domain"
        case .invalidOrganisation(let message):
            return "invalid organisation: \(message)"
        case .invalidDigestAlgorithms(let message):
            return "invalid digest algorithms: \(message)"
        case .invalidImport(let errors):
            let lines = errors.map { "  \($0)" }.joined(separator: "\n")
            return "the import has \(errors.count) bad row(s); nothing was imported:\n\(lines)"
        case .importConflict(let error):
            return "the import clashes with stored data; nothing was imported: \(error)"
        }
    }
}
