/// Why a message or header could not be parsed. `reasonPhrase` is the precise reason
/// sent in a 400 (or 505) response, so a phone's log tells its administrator what was wrong.
public enum SIPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case incomplete
    case messageTooLarge(limit: Int)
    case tooManyHeaders(limit: Int)
    case headerTooLong(limit: Int)
    case malformedStartLine(String)
    case unsupportedVersion(String)
    case invalidStatusCode(String)
    case malformedHeader(line: String)
    case invalidHeaderValue(header: String, reason: String)
    case invalidURI(String, String)
    case missingHeader(String)
    case duplicateHeader(String)
    case invalidContentLength(String)
    case bodyTooShort(declared: Int, available: Int)
    case bodyTooLarge(limit: Int)
    case methodMismatch(requestLine: String, cseq: String)

    /// The reason phrase for the 400 response (RFC 3261 §21.4.1: "the reason phrase SHOULD
    /// identify the syntax problem in more detail").
    public var reasonPhrase: String {
        switch self {
        case .incomplete: "Incomplete Message"
        case .messageTooLarge: "Message Too Large"
        case .tooManyHeaders(let limit): "Too Many Header Fields (limit \(limit))"
        case .headerTooLong(let limit): "Header Field Too Long (limit \(limit) bytes)"
        case .malformedStartLine(let why): "Malformed Request-Line: \(why)"
        case .unsupportedVersion(let v): "Version Not Supported: \(Self.printable(v))"
        case .invalidStatusCode(let c): "Invalid Status Code \(Self.printable(c))"
        case .malformedHeader(let line): "Malformed Header Field: \(Self.printable(line))"
        case .invalidHeaderValue(let h, let why): "Invalid \(h) Header: \(why)"
        case .invalidURI(let uri, let why): "Invalid URI \(Self.printable(uri)): \(why)"
        case .missingHeader(let h): "Missing \(h) Header"
        case .duplicateHeader(let h): "Multiple \(h) Header Values"
        case .invalidContentLength(let v): "Invalid Content-Length \(Self.printable(v))"
        case .bodyTooShort(let d, let a): "Content-Length \(d) Exceeds Body Size \(a)"
        case .bodyTooLarge(let limit): "Body Too Large (limit \(limit) bytes)"
        case .methodMismatch(let m, let c): "CSeq Method \(Self.printable(c)) Does Not Match Request Method \(Self.printable(m))"
        }
    }

    public var description: String { reasonPhrase }

    /// The status code a server answers this error with.
    public var statusCode: Int {
        switch self {
        case .unsupportedVersion: 505
        case .messageTooLarge, .bodyTooLarge: 513
        default: 400
        }
    }

    /// Keeps a reason phrase on one printable line of bounded length: reason phrases may not
    /// contain CR/LF (RFC 3261 §25.1), and echoing attacker bytes verbatim would be unwise.
    static func printable(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars.prefix(60) {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "?" } else { out.unicodeScalars.append(scalar) }
        }
        if s.unicodeScalars.count > 60 { out += "..." }
        return out
    }
}
