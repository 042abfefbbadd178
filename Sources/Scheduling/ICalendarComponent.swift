import Foundation

/// A component (RFC 5545 §3.4, §3.6) with its properties and sub-components, as read from
/// `BEGIN:`/`END:` pairs. Properties keep their raw values; interpretation is the parser's job.
struct ICalendarComponent: Sendable, Equatable {
    var name: String
    var properties: [ICalendarContentLine] = []
    var components: [ICalendarComponent] = []
    /// Line of the BEGIN.
    var lineNumber: Int

    func first(_ property: String) -> ICalendarContentLine? { properties.first { $0.name == property } }
    func all(_ property: String) -> [ICalendarContentLine] { properties.filter { $0.name == property } }

    /// The top-level VCALENDAR objects in `text` (a file may concatenate several).
    static func calendars(in text: String) throws(ICalendarParseError) -> [ICalendarComponent] {
        var stack: [ICalendarComponent] = []
        var roots: [ICalendarComponent] = []
        for line in try ICalendarContentLine.lines(of: text) {
            switch line.name {
            case "BEGIN":
                stack.append(ICalendarComponent(name: line.value.uppercased(), lineNumber: line.lineNumber))
            case "END":
                let name = line.value.uppercased()
                guard let top = stack.popLast() else {
                    throw ICalendarParseError(
                        line: line.lineNumber, reason: .malformedLine("END:\(name) without a BEGIN"))
                }
                guard top.name == name else {
                    throw ICalendarParseError(
                        line: line.lineNumber, reason: .unbalancedComponent(expected: top.name, found: name))
                }
                if stack.isEmpty { roots.append(top) } else { stack[stack.count - 1].components.append(top) }
            default:
                // Lines outside any component (stray headers, mail signatures) carry nothing we use.
                if !stack.isEmpty { stack[stack.count - 1].properties.append(line) }
            }
        }
        if let open = stack.last {
            throw ICalendarParseError(
                line: open.lineNumber, reason: .unbalancedComponent(expected: open.name, found: nil))
        }
        let calendars = roots.filter { $0.name == "VCALENDAR" }
        guard !calendars.isEmpty else { throw ICalendarParseError(line: 1, reason: .noCalendar) }
        return calendars
    }
}
