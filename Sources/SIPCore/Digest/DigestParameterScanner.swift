/// Reads and writes the `Digest name=value, ...` syntax shared by challenges and credentials
/// (RFC 3261 §25.1 `challenge` / `credentials`, RFC 7616 §3.3-3.4).
///
/// Reading is liberal where that is safe: the scheme and parameter names are case-insensitive,
/// linear whitespace (including folded CRLF) may surround `=` and `,`, empty list elements are
/// skipped, and an unquoted value may hold any byte but comma, whitespace and `"` (phones send
/// unquoted `nc`, `qop`, `algorithm`, and some send unquoted base64 nonces with `/` and `=`).
enum DigestParameterScanner {
    /// One `name=value`, the name lowercased and the value unescaped.
    struct Parameter: Equatable {
        var name: String
        var value: String
    }

    /// Checks the scheme is `Digest` and returns the parameters in order.
    static func parameters(of header: some StringProtocol) throws(DigestParseError) -> [Parameter] {
        let bytes = Array(header.utf8)
        var i = skipWhitespace(bytes, from: 0)
        guard i < bytes.count else { throw .empty }

        let schemeStart = i
        while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
        guard i > schemeStart else {
            throw .malformed(reason: "expected an authentication scheme such as 'Digest'", offset: i)
        }
        // A scheme runs up to whitespace; anything else glued to it makes it some other scheme.
        while i < bytes.count, !isWhitespace(bytes[i]) { i += 1 }
        let scheme = bytes[schemeStart..<i]
        guard scheme.count == 6, asciiLowercased(scheme) == "digest" else {
            throw .unsupportedScheme(String(decoding: scheme, as: UTF8.self))
        }

        var parameters: [Parameter] = []
        parameters.reserveCapacity(10)
        while true {
            // Skip whitespace and empty list elements (RFC 7230 §7 #rule).
            while i < bytes.count, isWhitespace(bytes[i]) || bytes[i] == UInt8(ascii: ",") { i += 1 }
            guard i < bytes.count else { break }

            let nameStart = i
            while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
            guard i > nameStart else {
                throw .malformed(reason: "expected a parameter name, found '\(printable(bytes[i]))'", offset: i)
            }
            let name = asciiLowercased(bytes[nameStart..<i])
            i = skipWhitespace(bytes, from: i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                throw .malformed(reason: "parameter '\(name)' has no '=value'", offset: i)
            }
            i = skipWhitespace(bytes, from: i + 1)
            guard i < bytes.count else {
                throw .malformed(reason: "parameter '\(name)' has no value after '='", offset: i)
            }

            let value: String
            if bytes[i] == UInt8(ascii: "\"") {
                // quoted-string with quoted-pair escapes (RFC 3261 §25.1).
                let openQuote = i
                var unescaped: [UInt8] = []
                i += 1
                var closed = false
                while i < bytes.count {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        i += 1
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        i += 1
                        guard i < bytes.count else { break }
                    }
                    unescaped.append(bytes[i])
                    i += 1
                }
                guard closed else {
                    throw .malformed(reason: "the quoted value of '\(name)' is not closed", offset: openQuote)
                }
                value = String(decoding: unescaped, as: UTF8.self)
            } else {
                let valueStart = i
                while i < bytes.count, !isWhitespace(bytes[i]), bytes[i] != UInt8(ascii: ","),
                    bytes[i] != UInt8(ascii: "\"")
                {
                    i += 1
                }
                guard i > valueStart else {
                    throw .malformed(reason: "parameter '\(name)' has an empty value", offset: i)
                }
                value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
            }
            parameters.append(Parameter(name: name, value: value))

            i = skipWhitespace(bytes, from: i)
            guard i == bytes.count || bytes[i] == UInt8(ascii: ",") else {
                throw .malformed(reason: "expected ',' after parameter '\(name)'", offset: i)
            }
        }
        return parameters
    }

    /// Appends `name="value"`, escaping `"` and `\`. CR and LF cannot be escaped in a
    /// quoted-string and would split the header, so they are dropped.
    static func appendQuoted(_ name: String, _ value: String, to out: inout String) {
        out += out.isEmpty || out.hasSuffix(" ") ? "" : ", "
        out += name
        out += "=\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\":
                out.unicodeScalars.append("\\")
                out.unicodeScalars.append(scalar)
            case "\r", "\n":
                continue
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Appends `name=value` for values that are tokens by construction (algorithm, qop, nc,
    /// stale). Falls back to quoting if the value is not a token after all.
    static func appendToken(_ name: String, _ value: String, to out: inout String) {
        guard !value.isEmpty, value.utf8.allSatisfy(isTokenByte) else {
            appendQuoted(name, value, to: &out)
            return
        }
        out += out.isEmpty || out.hasSuffix(" ") ? "" : ", "
        out += name
        out += "="
        out += value
    }

    /// RFC 3261 §25.1 `token` characters: alphanumerics and `-.!%*_+`'~`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
        return i
    }

    private static func asciiLowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.lazy.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private static func printable(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7f ? String(UnicodeScalar(byte)) : "\\x" + DigestAlgorithm.lowercaseHex([byte])
    }
}
