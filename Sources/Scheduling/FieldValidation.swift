import Foundation

/// Checks of single values shared by the models' `validate()` methods.
/// Each returns nil when the value is acceptable, or an error naming `field`.
public enum FieldValidation {
    /// E.164 (ITU-T): "+" then 8 to 15 digits, the first (country code) not 0.
    public static func e164(_ value: String, field: String) -> ValidationError? {
        let digits = value.dropFirst()
        let isValid =
            value.first == "+" && (8...15).contains(digits.count)
            && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
        if isValid { return nil }
        return ValidationError(
            field: field,
            message: "'\(value)' is not an E.164 number; expected '+' then 8-15 digits starting with the country code, "
                + "e.g. +393471234567")
    }

    /// The identifier names a time zone Foundation knows, e.g. "Europe/Rome".
    public static func timeZone(_ identifier: String, field: String) -> ValidationError? {
        if !identifier.isEmpty, TimeZone(identifier: identifier) != nil { return nil }
        return ValidationError(
            field: field, message: "'\(identifier)' is not a known time zone; use an IANA name such as Europe/Rome")
    }

    /// `end` is strictly after `start`.
    public static func endAfterStart(start: Date, end: Date, field: String = "end") -> ValidationError? {
        if end > start { return nil }
        return ValidationError(field: field, message: "must be after the start time")
    }

    /// A language tag of the shape "en" or "zh-TW": a 2-3 letter lowercase language,
    /// optionally "-" and a 2-letter uppercase region (BCP 47 subset).
    public static func localeTag(_ tag: String, field: String) -> ValidationError? {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        func letters(_ s: Substring, _ counts: ClosedRange<Int>, upper: Bool) -> Bool {
            counts.contains(s.count)
                && s.allSatisfy { $0.isASCII && $0.isLetter && (upper ? $0.isUppercase : $0.isLowercase) }
        }
        let isValid =
            switch parts.count {
            case 1: letters(parts[0], 2...3, upper: false)
            case 2: letters(parts[0], 2...3, upper: false) && letters(parts[1], 2...2, upper: true)
            default: false
            }
        if isValid { return nil }
        return ValidationError(
            field: field,
            message: "'\(tag)' is not a language tag; expected a language and optional region like en, it or zh-TW")
    }

    /// The value has at least one non-whitespace character.
    public static func nonEmpty(_ value: String, field: String) -> ValidationError? {
        if !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
        return ValidationError(field: field, message: "must not be empty")
    }
}
