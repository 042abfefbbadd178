/// Byte-level helpers for the header parsers: they work on `[UInt8]` with integer indices,
/// which is several times faster than walking `Character`s (a CRLF is one Character, and
/// every Character step pays for grapheme breaking).
enum Bytes {
    @inline(__always) static func string(_ b: [UInt8], _ from: Int, _ to: Int) -> String {
        from >= to ? "" : String(decoding: b[from..<to], as: UTF8.self)
    }

    @inline(__always) static func skipWhitespace(_ b: [UInt8], _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
        return i
    }

    @inline(__always) static func trimEnd(_ b: [UInt8], _ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
        return e
    }

    @inline(__always) static func find(_ byte: UInt8, in b: [UInt8], from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            if b[i] == byte { return i }
            i += 1
        }
        return nil
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    /// ASCII case-insensitive comparison of a byte range with a lower-case literal.
    static func equalsLowercase(_ b: [UInt8], _ from: Int, _ to: Int, _ literal: StaticString) -> Bool {
        guard to - from == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { lit in
            for k in 0..<lit.count where lower(b[from + k]) != lit[k] { return false }
            return true
        }
    }
}
