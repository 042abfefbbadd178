/// Character classes of the RFC 3261 §25.1 ABNF, as byte tables for the parsers.
enum SIPGrammar {
    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    static let tokenTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in "-.!%*_+`'~".utf8 { t[Int(c)] = true }
        return t
    }()

    @inline(__always) static func isToken(_ b: UInt8) -> Bool { tokenTable[Int(b)] }
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isToken(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { isToken($0) }
    }
    static func isToken(_ s: String) -> Bool { isToken(Substring(s)) }

    /// Trims SP and HTAB on both ends.
    static func trim(_ s: Substring) -> Substring {
        var start = s.startIndex
        var end = s.endIndex
        while start < end, s[start] == " " || s[start] == "\t" { start = s.index(after: start) }
        while end > start {
            let before = s.index(before: end)
            if s[before] == " " || s[before] == "\t" { end = before } else { break }
        }
        return s[start..<end]
    }

    /// Parses an unsigned decimal that must fit `limit`; nil when empty, non-digit or too large.
    static func decimal(_ s: Substring, limit: UInt64) -> UInt64? {
        if s.isEmpty { return nil }
        var value: UInt64 = 0
        for b in s.utf8 {
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            if o1 || o2 || a > limit { return nil }
            value = a
        }
        return value
    }
}
