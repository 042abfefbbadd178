import Foundation

extension Appointment {
    /// Every problem with this record, in field order; empty when the appointment can be saved.
    public func validate() -> [ValidationError] {
        var errors = [
            FieldValidation.endAfterStart(start: start, end: end),
            FieldValidation.timeZone(bookedTimeZoneIdentifier, field: "bookedTimeZoneIdentifier"),
        ].compactMap { $0 }
        if let location, location.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(ValidationError(field: "location", message: "must not be blank; leave it unset instead"))
        }
        if version < 1 {
            errors.append(ValidationError(field: "version", message: "must be 1 or more, got \(version)"))
        }
        return errors
    }
}
