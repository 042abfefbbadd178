import Foundation

/// Writes the VTIMEZONE component (RFC 5545 §3.6.5) that every TZID used in the object must have.
///
/// Foundation exposes transition instants rather than rules, so each observance is written as its
/// own STANDARD or DAYLIGHT sub-component with an exact DTSTART (no RRULE), covering only the span of
/// the appointments: the observance in effect at the first start, and every transition up to the last end.
struct ICalendarTimeZone {
    let zone: TimeZone

    /// How far back to look for the observance in effect at the first appointment.
    private static let lookback: TimeInterval = 400 * 24 * 3600

    /// The unfolded content lines of the VTIMEZONE covering `span`.
    func lines(covering span: ClosedRange<Date>) -> [String] {
        var transitions: [Date] = []
        var cursor = span.lowerBound.addingTimeInterval(-Self.lookback)
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= span.upperBound {
            transitions.append(next)
            cursor = next
        }
        // Keep the last transition at or before the span (it sets the offset in force) and those inside.
        if let lastBefore = transitions.lastIndex(where: { $0 <= span.lowerBound }) {
            transitions.removeFirst(lastBefore)
        }

        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"]
        if transitions.first.map({ $0 > span.lowerBound }) ?? true {
            // No transition found before the span: one observance from the epoch with a fixed offset.
            let offset = zone.secondsFromGMT(for: span.lowerBound)
            lines += observance(
                daylight: zone.isDaylightSavingTime(for: span.lowerBound), localStart: "19700101T000000", from: offset,
                to: offset, name: zone.abbreviation(for: span.lowerBound))
        }
        for transition in transitions {
            let from = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
            // RFC 5545 §3.6.5: DTSTART is local time in the offset in force before the change.
            let localStart = ICalendarWriter.utcDateTime(transition.addingTimeInterval(TimeInterval(from))).dropLast()
            lines += observance(
                daylight: zone.isDaylightSavingTime(for: transition), localStart: String(localStart), from: from,
                to: zone.secondsFromGMT(for: transition), name: zone.abbreviation(for: transition))
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    private func observance(daylight: Bool, localStart: String, from: Int, to: Int, name: String?) -> [String] {
        let kind = daylight ? "DAYLIGHT" : "STANDARD"
        var lines = [
            "BEGIN:\(kind)", "DTSTART:\(localStart)", "TZOFFSETFROM:\(Self.utcOffset(from))",
            "TZOFFSETTO:\(Self.utcOffset(to))",
        ]
        if let name { lines.append("TZNAME:\(ICalendarText.escape(name))") }
        lines.append("END:\(kind)")
        return lines
    }

    /// RFC 5545 §3.3.14 UTC-OFFSET: `+hhmm`, or `+hhmmss` when seconds are not zero; never `-0000`.
    static func utcOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = sign + two(magnitude / 3600) + two(magnitude / 60 % 60)
        return magnitude % 60 == 0 ? text : text + two(magnitude % 60)
    }
}
