/// `hours` and `group` statements.
extension Parser {
    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    private static let longWeekdayNames = [
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    ]

    /// `hours NAME { mon-fri 08:30-18:00; closed 2026-12-25 }`.
    mutating func hours() throws {
        let name = try word("a name for the hours, like `office`")
        try checkName(name, "hours")
        var hours = OfficeHours(name: name.text, location: name.location)
        let open = try openBrace(after: "`hours \(name.text)`")
        try block(opened: open) { parser in
            if parser.current.isWord("closed") {
                parser.take()
                guard parser.current.kind == .word else {
                    throw parser.fail(
                        parser.current, "expected a date like `2026-12-25`, `12-25` or `12-24..12-26` after `closed`")
                }
                while parser.current.kind == .word {
                    hours.closures.append(try parser.closure())
                }
                return
            }
            let weekdays = try parser.weekdays()
            guard parser.current.kind == .word else {
                throw parser.fail(
                    parser.current, "expected a time range like `08:30-18:00`, found \(parser.current.quoted)")
            }
            while parser.current.kind == .word {
                let (start, end) = try parser.timeRange(parser.take())
                hours.openings.append(OfficeHours.Opening(weekdays: weekdays, start: start, end: end))
            }
        }
        file.hours.append(hours)
    }

    /// `mon-fri`, `mon,wed,fri`, `sat`, `daily`; as `Calendar` weekday numbers.
    private mutating func weekdays() throws -> Set<Int> {
        var days: Set<Int> = []
        while true {
            let token = try word("days like `mon-fri`, `mon,wed,fri`, `sat` or `closed`")
            if token.text.lowercased() == "daily" {
                days.formUnion(1...7)
            } else {
                let ends = token.text.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else {
                    throw fail(token, "bad days `\(token.text)`; write a range like `mon-fri`")
                }
                var offset = 0
                var numbers: [Int] = []
                for end in ends {
                    numbers.append(try weekday(String(end), at: token.location.advanced(by: offset)))
                    offset += end.count + 1
                }
                // A range may run over the weekend: `fri-mon`.
                var day = numbers[0]
                days.insert(day)
                while day != numbers[numbers.count - 1] {
                    day = day % 7 + 1
                    days.insert(day)
                }
            }
            guard current.kind == .comma else { return days }
            take()
        }
    }

    private mutating func weekday(_ text: String, at location: SourcePosition) throws -> Int {
        let lower = text.lowercased()
        if let index = Parser.weekdayNames.firstIndex(of: lower) ?? Parser.longWeekdayNames.firstIndex(of: lower) {
            return index + 1
        }
        if lower == "closed" {
            throw fail(at: location, "`closed` takes dates only, like `closed 12-25`")
        }
        let hint = Suggestion.hint(for: text, in: Parser.weekdayNames)
        throw fail(at: location, "unknown day `\(text)`\(hint); use mon, tue, wed, thu, fri, sat, sun or daily")
    }

    /// `08:30-18:00` as minutes after midnight; the end may be 24:00 and must be after the start.
    private mutating func timeRange(_ token: Token) throws -> (Int, Int) {
        let ends = token.text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2 else {
            throw fail(token, "expected a time range like `08:30-18:00`, found `\(token.text)`")
        }
        let endLocation = token.location.advanced(by: ends[0].count + 1)
        guard let start = minutes(ends[0]), start < 24 * 60 else {
            throw fail(token, "bad time `\(ends[0])`; write HH:MM from 00:00 to 23:59")
        }
        guard let end = minutes(ends[1]) else {
            throw fail(at: endLocation, "bad time `\(ends[1])`; write HH:MM from 00:00 to 24:00")
        }
        guard end > start else {
            let relation = end == start ? "the same as" : "before"
            throw fail(
                at: endLocation,
                "end \(ends[1]) is \(relation) start \(ends[0]); split an overnight range into two lines, like `mon 18:00-24:00` and `tue 00:00-08:00`"
            )
        }
        return (start, end)
    }

    /// `HH:MM` (one-digit hours allowed) up to 24:00.
    private func minutes(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), hour >= 0, (0..<60).contains(minute)
        else { return nil }
        let total = hour * 60 + minute
        return total <= 24 * 60 ? total : nil
    }

    /// `2026-12-25`, `12-25`, or a range of either joined by `..`.
    private mutating func closure() throws -> OfficeHours.Closure {
        let token = take()
        var text = token.text
        // Allow `12-24 .. 12-26` and `12-24.. 12-26`.
        if text.hasSuffix("..") || current.isWord("..") || (current.kind == .word && current.text.hasPrefix("..")) {
            while current.kind == .word, text.hasSuffix("..") || current.text.hasPrefix("..") {
                text += take().text
            }
        }
        let ends = text.components(separatedBy: "..")
        guard ends.count <= 2 else { throw fail(token, "bad date range `\(text)`; write `12-24..12-26`") }
        let first = try day(ends[0], at: token.location)
        guard ends.count == 2 else { return OfficeHours.Closure(first: first, last: first) }
        let last = try day(ends[1], at: token.location.advanced(by: ends[0].count + 2))
        guard (first.year == nil) == (last.year == nil) else {
            throw fail(token, "both ends of `\(text)` must have a year, or neither")
        }
        if first.year != nil, last.sortKey < first.sortKey {
            throw fail(token, "the range `\(text)` ends before it starts")
        }
        return OfficeHours.Closure(first: first, last: last)
    }

    private mutating func day(_ text: String, at location: SourcePosition) throws -> OfficeHours.Day {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let numbers = parts.map { $0.allSatisfy { $0.isASCII && $0.isNumber } ? Int($0) : nil }
        let shapeOK =
            (parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2)
            || (parts.count == 2 && parts[0].count == 2 && parts[1].count == 2)
        guard shapeOK, numbers.allSatisfy({ $0 != nil }) else {
            throw fail(at: location, "bad date `\(text)`; write `2026-12-25`, or `12-25` for every year")
        }
        let year = parts.count == 3 ? numbers[0]! : nil
        let month = numbers[numbers.count - 2]!
        let day = numbers[numbers.count - 1]!
        guard (1...12).contains(month), (1...Parser.daysIn(month: month, year: year)).contains(day) else {
            throw fail(at: location, "`\(text)` is not a date")
        }
        return OfficeHours.Day(year: year, month: month, day: day)
    }

    /// Days in a month; February has 29 in leap years and in annual dates.
    static func daysIn(month: Int, year: Int?) -> Int {
        switch month {
        case 2:
            guard let year else { return 29 }
            return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `group NAME { members 1002 1003; strategy in-order; each 15s }`.
    mutating func group() throws {
        let name = try word("a group name")
        try checkName(name, "group")
        var group = RingGroup(name: name.text, location: name.location, members: [])
        var sawMembers = false
        let open = try openBrace(after: "`group \(name.text)`")
        try block(opened: open) { parser in
            let keyword = try parser.word("`members`, `strategy` or `each`")
            switch keyword.text {
            case "members":
                sawMembers = true
                while parser.current.kind == .word || parser.current.kind == .comma {
                    let token = parser.take()
                    guard token.kind == .word else { continue }
                    guard token.text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                        throw parser.fail(token, "group member `\(token.text)` must be an extension number")
                    }
                    group.members.append((token.text, token.location))
                }
            case "strategy":
                let value = try parser.word("`simultaneous` or `in-order`")
                guard let strategy = RingGroup.Strategy(rawValue: value.text) else {
                    let hint = Suggestion.hint(for: value.text, in: ["simultaneous", "in-order"])
                    throw parser.fail(
                        value, "unknown strategy `\(value.text)`\(hint); use `simultaneous` or `in-order`")
                }
                group.strategy = strategy
            case "each":
                group.eachSeconds = try parser.duration(after: "`each`")
            default:
                let hint = Suggestion.hint(for: keyword.text, in: ["members", "strategy", "each"])
                throw parser.fail(
                    keyword, "unknown group setting `\(keyword.text)`\(hint); use `members`, `strategy` or `each`")
            }
        }
        if !sawMembers || group.members.isEmpty {
            report(name, "group `\(name.text)` has no members; add `members 1002 1003`")
        }
        file.groups.append(group)
    }

    /// `20s`, `2m` or `20` (seconds), from 1 s to 1 h.
    mutating func duration(after what: String) throws -> Int {
        let token = try word("a time like `20s` after \(what)")
        var text = Substring(token.text)
        var scale = 1
        if text.hasSuffix("s") {
            text = text.dropLast()
        } else if text.hasSuffix("m") {
            text = text.dropLast()
            scale = 60
        }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), (1...3600).contains(value),
            value * scale <= 3600
        else { throw fail(token, "expected a time like `20s` (1s to 60m) after \(what), found `\(token.text)`") }
        return value * scale
    }
}
