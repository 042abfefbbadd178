import Foundation

/// Turns a TZID parameter (RFC 5545 §3.2.19) into a Foundation `TimeZone`.
///
/// Tried in order:
/// 1. the TZID as an IANA name (Google, Apple, Radicale, and our own `ICalendarWriter`);
/// 2. a Windows zone name as Outlook and Exchange write it ("W. Europe Standard Time"), through a
///    short table of common zones taken from CLDR's windowsZones (territory 001);
/// 3. the object's VTIMEZONE (§3.6.5) with that TZID: its `X-LIC-LOCATION` (Mozilla, Evolution),
///    an IANA name at the end of a prefixed TZID (`/mozilla.org/20050126_1/Europe/Rome`), or, when
///    every observance has the same TZOFFSETTO, a fixed-offset zone.
///
/// VTIMEZONE rules with RRULE observances are not evaluated, so a custom zone with daylight
/// saving and no recognisable name is refused (`.unknownTimeZone`) rather than guessed.
struct ICalendarTimeZoneResolver: Sendable {
    /// VTIMEZONE components of the object by TZID.
    var definitions: [String: ICalendarComponent]

    init(calendar: ICalendarComponent) {
        var definitions: [String: ICalendarComponent] = [:]
        for zone in calendar.components where zone.name == "VTIMEZONE" {
            if let tzid = zone.first("TZID")?.value { definitions[tzid] = zone }
        }
        self.definitions = definitions
    }

    func zone(for tzid: String) -> TimeZone? {
        if let zone = Self.iana(tzid) { return zone }
        if let name = Self.windowsZones[tzid], let zone = TimeZone(identifier: name) { return zone }
        guard let definition = definitions[tzid] else { return nil }
        if let location = definition.first("X-LIC-LOCATION")?.value, let zone = Self.iana(location) { return zone }
        let offsets = Set(definition.components.compactMap { $0.first("TZOFFSETTO").flatMap { Self.offset($0.value) } })
        if offsets.count == 1, let seconds = offsets.first { return TimeZone(secondsFromGMT: seconds) }
        return nil
    }

    /// An IANA name, alone or as the last one to three `/`-separated parts of a prefixed TZID.
    static func iana(_ tzid: String) -> TimeZone? {
        let name = tzid.trimmingCharacters(in: .whitespaces)
        // Only real region names: Foundation also accepts abbreviations such as "EST", which are ambiguous.
        if name.contains("/") || name == "UTC" || name == "GMT", let zone = TimeZone(identifier: name) { return zone }
        let parts = name.split(separator: "/")
        for count in [3, 2] where parts.count > count {
            if let zone = TimeZone(identifier: parts.suffix(count).joined(separator: "/")) { return zone }
        }
        return nil
    }

    /// RFC 5545 §3.3.14 UTC-OFFSET (`+hhmm` or `+hhmmss`) in seconds.
    static func offset(_ text: String) -> Int? {
        let scalars = Array(text.utf8)
        guard scalars.count == 5 || scalars.count == 7,
            scalars[0] == UInt8(ascii: "+") || scalars[0] == UInt8(ascii: "-"),
            let digits = Int(String(text.dropFirst()))
        else { return nil }
        let seconds =
            scalars.count == 5
            ? (digits / 100) * 3600 + (digits % 100) * 60
            : (digits / 10000) * 3600 + (digits / 100 % 100) * 60 + digits % 100
        return scalars[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    /// Common Windows zone names (CLDR windowsZones.xml, territory 001).
    static let windowsZones: [String: String] = [
        "UTC": "UTC",
        "GMT Standard Time": "Europe/London",
        "Greenwich Standard Time": "Atlantic/Reykjavik",
        "W. Europe Standard Time": "Europe/Berlin",
        "Romance Standard Time": "Europe/Paris",
        "Central Europe Standard Time": "Europe/Budapest",
        "Central European Standard Time": "Europe/Warsaw",
        "E. Europe Standard Time": "Europe/Chisinau",
        "FLE Standard Time": "Europe/Kiev",
        "GTB Standard Time": "Europe/Bucharest",
        "Russian Standard Time": "Europe/Moscow",
        "Eastern Standard Time": "America/New_York",
        "Central Standard Time": "America/Chicago",
        "Mountain Standard Time": "America/Denver",
        "US Mountain Standard Time": "America/Phoenix",
        "Pacific Standard Time": "America/Los_Angeles",
        "Alaskan Standard Time": "America/Anchorage",
        "Hawaiian Standard Time": "Pacific/Honolulu",
        "India Standard Time": "Asia/Kolkata",
        "China Standard Time": "Asia/Shanghai",
        "Taipei Standard Time": "Asia/Taipei",
        "Singapore Standard Time": "Asia/Singapore",
        "Tokyo Standard Time": "Asia/Tokyo",
        "AUS Eastern Standard Time": "Australia/Sydney",
    ]
}
