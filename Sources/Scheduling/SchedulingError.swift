import Foundation

/// Why a calendar change was not made. Nothing was changed.
public enum SchedulingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad input, each error naming its field (HTTP 400).
    case invalid([ValidationError])
    /// Not allowed (HTTP 403).
    case refused(SchedulingRefusal)
    /// No such provider, patient or appointment in the user's organisation (HTTP 404).
    case notFound(field: String, message: String)
    /// The slot is taken, outside working hours, or someone else changed it first (HTTP 409).
    case conflict(field: String, message: String)
    /// The meeting service failed (HTTP 502).
    case meeting(String)
    /// The database failed (HTTP 500).
    case storage(String)

    public var description: String {
        switch self {
        case .invalid(let errors): errors.map(\.description).joined(separator: "; ")
        case .refused(let refusal): refusal.description
        case .notFound(let field, let message), .conflict(let field, let message): "\(field): \(message)"
        case .meeting(let why): "the meeting service failed: \(why)"
        case .storage(let why): why
        }
    }
}
