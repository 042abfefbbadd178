import Foundation

/// A person who books appointments with the clinic.
public struct Patient: Sendable, Hashable, Codable, Identifiable {
    /// Storage identifier of the patient.
    public var id: Int64
    /// The clinic organisation the patient record belongs to.
    public var organisationID: Int64
    /// Given name.
    public var firstName: String
    /// Family name.
    public var lastName: String
    /// Mobile number in E.164 form, e.g. "+393471234567", used for SMS reminders.
    public var mobile: String
    /// BCP 47 language tag for messages to the patient, e.g. "en", "it", "zh-TW".
    public var localeTag: String
    /// IANA time zone identifier the patient lives in, e.g. "America/New_York".
    public var timeZoneIdentifier: String
    /// Whether, how and when the patient agreed to receive SMS.
    public var smsConsent: SMSConsent

    /// Creates a patient.
    public init(
        id: Int64, organisationID: Int64, firstName: String, lastName: String, mobile: String,
        localeTag: String, timeZoneIdentifier: String, smsConsent: SMSConsent
    ) {
        self.id = id
        self.organisationID = organisationID
        self.firstName = firstName
        self.lastName = lastName
        self.mobile = mobile
        self.localeTag = localeTag
        self.timeZoneIdentifier = timeZoneIdentifier
        self.smsConsent = smsConsent
    }
}

/// A record of the patient's answer about SMS messages, kept as evidence of consent.
public struct SMSConsent: Sendable, Hashable, Codable {
    /// True when the patient agreed to receive SMS; false when they declined or withdrew.
    public var granted: Bool
    /// Where the answer was given, e.g. "intake form", "phone call", "reply STOP".
    public var source: String
    /// When the answer was recorded.
    public var at: Date

    /// Creates a consent record.
    public init(granted: Bool, source: String, at: Date) {
        self.granted = granted
        self.source = source
        self.at = at
    }
}
