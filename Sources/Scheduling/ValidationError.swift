import Foundation

/// One problem with one field of a record, phrased for the person who entered it.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, as named in the model, e.g. "mobile" or "end".
    public var field: String
    /// What is wrong and what is expected.
    public var message: String

    /// Creates a validation error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// "field: message".
    public var description: String { "\(field): \(message)" }
}
