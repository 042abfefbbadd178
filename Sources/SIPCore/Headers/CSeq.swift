/// The CSeq header field (RFC 3261 §20.16): a sequence number below 2^31 and a method.
public struct CSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method)" }

    public init(parsing text: String) throws(SIPParseError) {
        let b = Array(text.utf8)
        var i = Bytes.skipWhitespace(b, 0, b.count)
        let numberStart = i
        while i < b.count, b[i] != 0x20, b[i] != 0x09 { i += 1 }
        let numberEnd = i
        i = Bytes.skipWhitespace(b, i, b.count)
        let methodStart = i
        while i < b.count, b[i] != 0x20, b[i] != 0x09 { i += 1 }
        let methodEnd = i
        guard numberEnd > numberStart, methodEnd > methodStart, Bytes.skipWhitespace(b, i, b.count) == b.count else {
            throw .invalidHeaderValue(header: "CSeq", reason: "expected 'number METHOD'")
        }
        // RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31.
        var n: UInt64 = 0
        for k in numberStart..<numberEnd {
            guard SIPGrammar.isDigit(b[k]), n <= UInt64(Int32.max) else {
                throw .invalidHeaderValue(header: "CSeq", reason: "sequence number '\(Bytes.string(b, numberStart, min(numberEnd, numberStart + 24)))' is not below 2^31")
            }
            n = n * 10 + UInt64(b[k] - 0x30)
        }
        guard n <= UInt64(Int32.max) else {
            throw .invalidHeaderValue(header: "CSeq", reason: "sequence number '\(Bytes.string(b, numberStart, min(numberEnd, numberStart + 24)))' is not below 2^31")
        }
        for k in methodStart..<methodEnd where !SIPGrammar.isToken(b[k]) {
            throw .invalidHeaderValue(header: "CSeq", reason: "invalid method")
        }
        sequence = UInt32(n)
        method = SIPMethod(Bytes.string(b, methodStart, methodEnd))
    }
}
