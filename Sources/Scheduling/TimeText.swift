import Foundation

/// Times as staff type them, shared by the HTTP API and the command line: ISO 8601 with `Z` or
/// an offset (`2027-03-29T07:00:00Z`, `2027-03-29T09:00:00+02:00`, fractions allowed), or a
/// wall-clock time (`2027-03-29T09:00[:ss]`, `2027-03-29 09:00`) in a given zone.
public enum TimeText {
    public static func parse(_ text: String, zone: TimeZone?) -> Date? {
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: text) { return d }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = iso.date(from: text) { return d }
        guard let zone else { return nil }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm"] {
            local.dateFormat = format
            if let d = local.date(from: text) { return d }
        }
        return nil
    }

    /// Whether `text` is a real wall-clock time (valid in UTC) that `zone` skips when its clocks
    /// go forward.
    public static func isInClockChangeGap(_ text: String, zone: TimeZone) -> Bool {
        let numbers = text.split(whereSeparator: { "-T: ".contains($0) }).compactMap { Int($0) }
        guard numbers.count >= 5, text.count <= 19 else { return false }
        let parts = DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4])
        var utc = Foundation.Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        var local = utc
        local.timeZone = zone
        return parts.isValidDate(in: utc) && !parts.isValidDate(in: local)
    }

    /// Why `text` is not a time, for an error naming its field or option.
    public static func problem(_ text: String, zone: TimeZone?) -> String {
        if let zone, isInClockChangeGap(text, zone: zone) {
            return "'\(text)' does not exist in \(zone.identifier): the clocks go forward then; choose a time outside the change"
        }
        return "'\(text)' is not a time; write 2027-03-29T09:00:00+02:00, 2027-03-29T07:00:00Z, or 2027-03-29T09:00 in the visit's zone"
    }
}

extension Appointment.Kind {
    /// The name in the API and on the command line: `in-person`, `phone`, `video`, `blocked`.
    public var name: String { self == .inPerson ? "in-person" : rawValue }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// `in-person, phone, video, blocked`, for errors.
    public static var names: String { allCases.map(\.name).joined(separator: ", ") }
}

extension Appointment.Status {
    /// The name in the API: `no-show` for `.noShow`, the raw value otherwise.
    public var name: String { self == .noShow ? "no-show" : rawValue }

    public init?(name: String) {
        guard let status = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = status
    }
}
