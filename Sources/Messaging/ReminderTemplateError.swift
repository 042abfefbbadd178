import Foundation

/// Why a reminder template was refused or could not be rendered.
public enum ReminderTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `{name}` is not one of the allowed placeholders.
    case unknownPlaceholder(String)
    /// A `{` at this character offset has no matching `}`.
    case unterminatedPlaceholder(offset: Int)
    /// The patient's time zone identifier is not in the time zone database.
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownPlaceholder(let name):
            "Reminder template uses {\(name)}, which is not allowed; use only "
                + ReminderField.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")
                + ". Reminders must not carry health details."
        case .unterminatedPlaceholder(let offset):
            "Reminder template has a \"{\" at character \(offset) without a closing \"}\"; close it or remove it."
        case .unknownTimeZone(let id):
            "Unknown patient time zone \"\(id)\"; use an IANA identifier such as \"Europe/Rome\"."
        }
    }
}
