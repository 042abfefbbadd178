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
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2 else { throw .invalidHeaderValue(header: "CSeq", reason: "expected 'number METHOD'") }
        // RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31.
        guard let n = SIPGrammar.decimal(parts[0], limit: UInt64(Int32.max)) else {
            throw .invalidHeaderValue(header: "CSeq", reason: "sequence number '\(parts[0].prefix(24))' is not below 2^31")
        }
        guard SIPGrammar.isToken(parts[1]) else { throw .invalidHeaderValue(header: "CSeq", reason: "invalid method") }
        sequence = UInt32(n)
        method = SIPMethod(String(parts[1]))
    }
}
