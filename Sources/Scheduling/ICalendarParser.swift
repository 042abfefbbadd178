import Foundation

/// Reads the VEVENTs of RFC 5545 iCalendar text: what CalDAV servers hand back, what our own
/// `ICalendarWriter` writes, and Google Calendar or Outlook exports.
///
/// Unfolding (§3.1), parameters with quoted values (§3.2) and TEXT unescaping (§3.3.11) are done
/// here; date-times are resolved to instants: UTC (`Z`), `TZID=` (see `ICalendarTimeZoneResolver`
/// for which TZIDs are understood) and floating times, which have no zone and are read in
/// `defaultTimeZone`, as are DATE values (all-day events start at midnight there).
///
/// A VEVENT without UID or DTSTART, a date that does not parse or a TZID that cannot be resolved
/// is an `ICalendarParseError` naming the line, rather than an event silently dropped or moved.
public struct ICalendarParser: Sendable {
    /// The zone for floating DATE-TIMEs and DATEs (RFC 5545 §3.3.5 form #1, §3.3.4).
    public var defaultTimeZone: TimeZone

    /// Creates a parser; pass the clinic's zone so floating and all-day times land on its wall clock.
    public init(defaultTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.defaultTimeZone = defaultTimeZone
    }

    /// Every VEVENT in `text`, in document order (overridden instances, with RECURRENCE-ID,
    /// come out as separate events with the same UID).
    public func events(in text: String) throws(ICalendarParseError) -> [ICalendarEvent] {
        var events: [ICalendarEvent] = []
        for calendar in try ICalendarComponent.calendars(in: text) {
            let zones = ICalendarTimeZoneResolver(calendar: calendar)
            for component in calendar.components where component.name == "VEVENT" {
                events.append(try event(component, zones: zones))
            }
        }
        return events
    }

    func event(_ component: ICalendarComponent, zones: ICalendarTimeZoneResolver) throws(ICalendarParseError)
        -> ICalendarEvent
    {
        guard let uid = component.first("UID"), !uid.value.isEmpty else {
            throw ICalendarParseError(line: component.lineNumber, reason: .missingProperty("UID", component: "VEVENT"))
        }
        guard let startLine = component.first("DTSTART") else {
            throw ICalendarParseError(
                line: component.lineNumber, reason: .missingProperty("DTSTART", component: "VEVENT"))
        }
        let start = try dateValue(startLine, zones: zones)
        let end: Date
        if let endLine = component.first("DTEND") {
            end = try dateValue(endLine, zones: zones).date
        } else if let durationLine = component.first("DURATION") {
            end = try Self.add(durationLine, to: start.date, in: start.zone)
        } else if start.isDate {
            // RFC 5545 §3.6.1: a DATE DTSTART without DTEND or DURATION lasts one day.
            end = Self.calendar(start.zone).date(byAdding: .day, value: 1, to: start.date) ?? start.date
        } else {
            end = start.date
        }
        var extensions: [String: String] = [:]
        for property in component.properties where property.name.hasPrefix("X-") && extensions[property.name] == nil {
            extensions[property.name] = ICalendarText.unescape(property.value)
        }
        var exceptionDates: [Date] = []
        for line in component.all("EXDATE") {
            for value in line.value.split(separator: ",") {
                var single = line
                single.value = String(value)
                exceptionDates.append(try dateValue(single, zones: zones).date)
            }
        }
        return ICalendarEvent(
            uid: uid.value,
            summary: component.first("SUMMARY").map { ICalendarText.unescape($0.value) },
            location: component.first("LOCATION").map { ICalendarText.unescape($0.value) },
            description: component.first("DESCRIPTION").map { ICalendarText.unescape($0.value) },
            start: start.date, end: end, isAllDay: start.isDate, timeZoneIdentifier: startLine.parameter("TZID"),
            sequence: try component.first("SEQUENCE").map(Self.integer) ?? 0,
            status: component.first("STATUS").flatMap { ICalendarEvent.Status(rawValue: $0.value.uppercased()) },
            recurrenceRule: component.first("RRULE")?.value,
            exceptionDates: exceptionDates,
            recurrenceID: try component.first("RECURRENCE-ID").map { line throws(ICalendarParseError) in
                try dateValue(line, zones: zones).date
            },
            lastModified: try component.first("LAST-MODIFIED").map { line throws(ICalendarParseError) in
                try dateValue(line, zones: zones).date
            },
            extensions: extensions)
    }

    /// A DATE (§3.3.4) or DATE-TIME (§3.3.5) property value, with the zone it was read in.
    func dateValue(_ line: ICalendarContentLine, zones: ICalendarTimeZoneResolver) throws(ICalendarParseError)
        -> (date: Date, isDate: Bool, zone: TimeZone)
    {
        let bad = ICalendarParseError(line: line.lineNumber, reason: .badDate(property: line.name, value: line.value))
        let text = Array(line.value.trimmingCharacters(in: .whitespaces).utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= text.count else { return nil }
            var value = 0
            for byte in text[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            (1...12).contains(month), (1...31).contains(day)
        else { throw bad }
        var zone = defaultTimeZone
        var components = DateComponents(year: year, month: month, day: day)
        let isDate = text.count == 8
        if !isDate {
            guard text.count == 15 || (text.count == 16 && text[15] == UInt8(ascii: "Z")), text[8] == UInt8(ascii: "T"),
                let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
                hour < 24, minute < 60, second <= 60
            else { throw bad }
            components.hour = hour
            components.minute = minute
            components.second = min(second, 59)  // a leap second is read as :59
            if text.count == 16 {
                zone = TimeZone(identifier: "UTC")!
            } else if let tzid = line.parameter("TZID") {
                guard let resolved = zones.zone(for: tzid) else {
                    throw ICalendarParseError(line: line.lineNumber, reason: .unknownTimeZone(tzid))
                }
                zone = resolved
            }
        }
        let calendar = Self.calendar(zone)
        // Foundation rolls 31 April over to 1 May; refuse such a day instead of moving it.
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day,
            calendar.component(.month, from: date) == month
        else { throw bad }
        return (date, isDate, zone)
    }

    /// DTSTART + DURATION (§3.3.6): weeks and days are nominal (calendar days in the event's
    /// zone, so a day across a daylight-saving change is 23 or 25 hours), hours to seconds exact.
    static func add(_ line: ICalendarContentLine, to start: Date, in zone: TimeZone) throws(ICalendarParseError)
        -> Date
    {
        guard let (days, seconds) = duration(line.value) else {
            throw ICalendarParseError(line: line.lineNumber, reason: .badDuration(line.value))
        }
        let shifted = calendar(zone).date(byAdding: .day, value: days, to: start) ?? start
        return shifted.addingTimeInterval(TimeInterval(seconds))
    }

    /// `[+|-]P[nW]` or `[+|-]P[nD][T[nH][nM][nS]]` as signed (days, seconds).
    static func duration(_ text: String) -> (days: Int, seconds: Int)? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        var sign = 1
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var days = 0
        var seconds = 0
        var inTime = false
        var digits = ""
        var sawUnit = false
        for character in rest {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            if character == "T", digits.isEmpty, !inTime {
                inTime = true
                continue
            }
            // At most a year in any unit: longer durations are refused, never overflowed.
            guard digits.count <= 8, let value = Int(digits) else { return nil }
            switch (character, inTime) {
            case ("W", false): days += 7 * value
            case ("D", false): days += value
            case ("H", true): seconds += 3600 * value
            case ("M", true): seconds += 60 * value
            case ("S", true): seconds += value
            default: return nil
            }
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty, days <= 366, seconds <= 366 * 86_400 else { return nil }
        return (sign * days, sign * seconds)
    }

    static func integer(_ line: ICalendarContentLine) throws(ICalendarParseError) -> Int {
        guard let value = Int(line.value.trimmingCharacters(in: .whitespaces)) else {
            throw ICalendarParseError(
                line: line.lineNumber, reason: .badInteger(property: line.name, value: line.value))
        }
        return value
    }

    static func calendar(_ zone: TimeZone) -> Foundation.Calendar {
        var calendar = Foundation.Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}
