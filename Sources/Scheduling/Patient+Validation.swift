import Foundation

extension Patient {
    /// Every problem with this record, in field order; empty when the patient can be saved.
    public func validate() -> [ValidationError] {
        [
            FieldValidation.nonEmpty(firstName, field: "firstName"),
            FieldValidation.nonEmpty(lastName, field: "lastName"),
            FieldValidation.e164(mobile, field: "mobile"),
            FieldValidation.localeTag(localeTag, field: "localeTag"),
            FieldValidation.timeZone(timeZoneIdentifier, field: "timeZoneIdentifier"),
            FieldValidation.nonEmpty(smsConsent.source, field: "smsConsent.source"),
        ].compactMap { $0 }
    }
}
