import Testing

@testable import Dialplan

@Suite struct NumberPatternTests {
    static let table: [(pattern: String, number: String, matches: Bool)] = [
        ("1001", "1001", true), ("1001", "10011", false), ("1001", "100", false),
        ("*97", "*97", true), ("*97", "97", false), ("+390612345678", "+390612345678", true),
        ("1XXX", "1234", true), ("1XXX", "2234", false), ("1XXX", "123", false), ("1XXX", "12a4", false),
        ("NXX", "200", true), ("NXX", "100", false), ("ZX", "10", true), ("ZX", "01", false),
        ("[1-5]X", "59", true), ("[1-5]X", "69", false), ("[13579]", "7", true), ("[13579]", "8", false),
        ("[0-35-7]", "3", true), ("[0-35-7]", "4", false), ("[0-35-7]", "6", true),
        ("9.", "9", false), ("9.", "90", true), ("9.", "9+39", true),
        ("9!", "9", true), ("9!", "912", true), ("!", "", true), ("!", "anything", true),
        ("*31#X", "*31#5", true), ("+39X.", "+3906", true), ("+39X.", "+390", false),
    ]

    @Test(arguments: table)
    func matching(_ row: (pattern: String, number: String, matches: Bool)) throws {
        let pattern = try NumberPattern.parse(row.pattern).get()
        #expect(pattern.matches(row.number) == row.matches, "\(row.pattern) ~ \(row.number)")
    }

    @Test func coverage() throws {
        func covers(_ a: String, _ b: String) throws -> Bool {
            try NumberPattern.parse(a).get().covers(NumberPattern.parse(b).get())
        }
        #expect(try covers("1XXX", "1001"))
        #expect(try covers("1XXX", "1[2-4]XX"))
        #expect(try !covers("1[2-4]XX", "1XXX"))
        #expect(try covers("X.", "1XXX"))
        #expect(try !covers("X.", "1"))
        #expect(try covers("X!", "1"))
        #expect(try covers("!", "*97"))
        #expect(try covers("9.", "9X."))
        #expect(try !covers("9X.", "9."))
        #expect(try !covers("1XXX", "1X."))
        #expect(try covers("NXX", "[2-9]XX"))
        #expect(try !covers("NXX", "ZXX"))
        #expect(try !covers("1XXX", "1XX"))
    }

    @Test func badPatterns() {
        #expect(NumberPattern.parse("9.X").failure == PatternError(offset: 2, message: "`.` may only end a pattern"))
        #expect(NumberPattern.parse("1[5-2]").failure?.offset == 2)
        #expect(NumberPattern.parse("1[23").failure == PatternError(offset: 1, message: "`[` without a closing `]`"))
        #expect(NumberPattern.parse("12a").failure?.offset == 2)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
