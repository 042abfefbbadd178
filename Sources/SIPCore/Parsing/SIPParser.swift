/// Parses SIP messages from bytes (RFC 3261 §7, §18.3, §25).
///
/// Datagrams carry one message each: a missing Content-Length means "the rest of the
/// datagram", and octets beyond Content-Length are discarded (RFC 3261 §18.3; RFC 4475
/// §3.1.1.8). On streams Content-Length is required and frames the message.
public struct SIPParser: Sendable {
    public var limits: ParserLimits

    public init(limits: ParserLimits = .default) { self.limits = limits }

    /// Parses the one message of a UDP datagram.
    public func parseDatagram(_ bytes: [UInt8]) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageSize else { throw .messageTooLarge(limit: limits.maxMessageSize) }
        guard let (message, _) = try parse(bytes, from: 0, stream: false) else {
            throw .malformedHeader(line: "no empty line after the header fields")
        }
        return message
    }

    /// Parses the next message from a stream buffer starting at `offset`.
    /// Returns nil when more bytes are needed, else the message and the index after it.
    /// Leading CRLFs (keep-alives, RFC 5626 §3.5.1) are skipped.
    public func parseStream(_ bytes: [UInt8], from offset: Int = 0) throws(SIPParseError) -> (SIPMessage, Int)? {
        try parse(bytes, from: offset, stream: true)
    }

    /// Index of the first byte that is not CR or LF, from `offset`.
    public static func skipKeepAlives(_ bytes: [UInt8], from offset: Int) -> Int {
        var i = offset
        while i < bytes.count, bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        return i
    }

    private func parse(_ bytes: [UInt8], from offset: Int, stream: Bool) throws(SIPParseError) -> (SIPMessage, Int)? {
        let start = Self.skipKeepAlives(bytes, from: offset)
        guard let (headerEnd, bodyStart) = Self.findHeaderEnd(bytes, from: start) else {
            if bytes.count - start > limits.maxMessageSize { throw .messageTooLarge(limit: limits.maxMessageSize) }
            return nil
        }
        if headerEnd - start > limits.maxMessageSize { throw .messageTooLarge(limit: limits.maxMessageSize) }

        let lines = try unfoldedLines(bytes, start, headerEnd)
        guard let startLine = lines.first else { throw .malformedStartLine("empty") }
        var headers = SIPHeaders()
        for line in lines.dropFirst() {
            headers.appendRaw(try header(line))
        }
        if headers.count > limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }

        // Content-Length (RFC 3261 §20.14, §18.3)
        let lengths = headers.values(HeaderName.contentLength)
        if lengths.count > 1 { throw .duplicateHeader(HeaderName.contentLength) }
        var bodyLength: Int
        if let text = lengths.first {
            guard let n = SIPGrammar.decimal(Substring(text), limit: UInt64(Int32.max)) else {
                throw .invalidContentLength(text)
            }
            bodyLength = Int(n)
        } else if stream {
            // RFC 3261 §18.3 makes it mandatory on streams; we are liberal and read it as 0.
            bodyLength = 0
        } else {
            bodyLength = bytes.count - bodyStart
        }
        if bodyLength > limits.maxBodySize { throw .bodyTooLarge(limit: limits.maxBodySize) }
        let available = bytes.count - bodyStart
        if bodyLength > available {
            if stream { return nil }
            throw .bodyTooShort(declared: bodyLength, available: available)
        }
        let body = Array(bytes[bodyStart..<(bodyStart + bodyLength)])
        let message = try self.message(startLine: startLine, headers: headers, body: body)
        return (message, bodyStart + bodyLength)
    }

    /// Finds the empty line ending the header section (CRLFCRLF, tolerating bare LF).
    static func findHeaderEnd(_ bytes: [UInt8], from start: Int) -> (headerEnd: Int, bodyStart: Int)? {
        var i = start
        let n = bytes.count
        while i < n {
            if bytes[i] == 0x0A {
                if i + 1 < n, bytes[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < n, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// Splits the header section into lines and joins folded continuation lines with one SP
    /// (RFC 3261 §7.3.1: "LWS ... is equivalent to a single SP").
    /// Lines are slices of the input (no copy) except folded ones, which are joined into new storage.
    private func unfoldedLines(_ bytes: [UInt8], _ start: Int, _ end: Int) throws(SIPParseError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(16)
        var i = start
        while i < end {
            var j = i
            while j < end, bytes[j] != 0x0A { j += 1 }
            var lineEnd = j
            if lineEnd > i, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let isContinuation = bytes[i] == 0x20 || bytes[i] == 0x09
            if isContinuation, lines.count > 1 {
                var k = i
                while k < lineEnd, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                let lastIndex = lines.count - 1
                var joined = Array(lines[lastIndex])
                while let last = joined.last, last == 0x20 || last == 0x09 { joined.removeLast() }
                joined.append(0x20)
                joined.append(contentsOf: bytes[k..<lineEnd])
                if joined.count > limits.maxHeaderLength { throw .headerTooLong(limit: limits.maxHeaderLength) }
                lines[lastIndex] = joined[...]
            } else if isContinuation {
                throw .malformedStartLine("starts with whitespace")
            } else {
                if lineEnd - i > limits.maxHeaderLength { throw .headerTooLong(limit: limits.maxHeaderLength) }
                lines.append(bytes[i..<lineEnd])
            }
            i = j + 1
        }
        return lines
    }

    private func header(_ line: ArraySlice<UInt8>) throws(SIPParseError) -> SIPHeader {
        // header-name HCOLON value; HCOLON = *( SP / HTAB ) ":" SWS
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .malformedHeader(line: String(decoding: line, as: UTF8.self))
        }
        let first = line.startIndex
        var nameEnd = colon
        while nameEnd > first, SIPGrammar.isWhitespace(line[nameEnd - 1]) { nameEnd -= 1 }
        let name = line[first..<nameEnd]
        guard !name.isEmpty, name.allSatisfy(SIPGrammar.isToken) else {
            throw .malformedHeader(line: String(decoding: line, as: UTF8.self))
        }
        var v = colon + 1
        while v < line.endIndex, SIPGrammar.isWhitespace(line[v]) { v += 1 }
        var e = line.endIndex
        while e > v, SIPGrammar.isWhitespace(line[e - 1]) { e -= 1 }
        return SIPHeader(name: String(decoding: name, as: UTF8.self), value: String(decoding: line[v..<e], as: UTF8.self))
    }

    private func message(startLine: ArraySlice<UInt8>, headers: SIPHeaders, body: [UInt8]) throws(SIPParseError) -> SIPMessage {
        if startLine.starts(with: Array("SIP/".utf8)) {
            return .response(try response(startLine, headers: headers, body: body))
        }
        return .request(try request(startLine, headers: headers, body: body))
    }

    /// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2)
    private func response(_ line: ArraySlice<UInt8>, headers: SIPHeaders, body: [UInt8]) throws(SIPParseError) -> SIPResponse {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { throw .malformedStartLine("Status-Line needs a version and a code") }
        guard parts[0].uppercased() == "SIP/2.0" else { throw .unsupportedVersion(String(parts[0])) }
        guard parts[1].utf8.count == 3, let code = SIPGrammar.decimal(parts[1], limit: 699), code >= 100 else {
            throw .invalidStatusCode(String(parts[1]))
        }
        let reason = parts.count == 3 ? String(parts[2]) : ""
        return SIPResponse(statusCode: Int(code), reasonPhrase: reason, headers: headers, body: body)
    }

    /// Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1): exactly one SP
    /// between elements (RFC 4475 §3.1.2.9, §3.1.2.10) and no <> around the URI (§3.1.2.7).
    private func request(_ line: ArraySlice<UInt8>, headers: SIPHeaders, body: [UInt8]) throws(SIPParseError) -> SIPRequest {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            if text.contains("\t") || parts.contains(where: \.isEmpty) {
                throw .malformedStartLine("elements must be separated by exactly one space")
            }
            throw .malformedStartLine(parts.count < 3 ? "expected Method SP Request-URI SP SIP/2.0" : "whitespace inside the Request-URI")
        }
        guard SIPGrammar.isToken(parts[0]) else { throw .malformedStartLine("invalid method") }
        if parts[2].uppercased() != "SIP/2.0" {
            guard parts[2].uppercased().hasPrefix("SIP/") else { throw .malformedStartLine("invalid SIP-Version") }
            throw .unsupportedVersion(String(parts[2]))
        }
        let uriText = String(parts[1])
        if uriText.hasPrefix("<") { throw .invalidURI(uriText, "Request-URI must not be enclosed in <>") }
        let uri = try URI(parsing: uriText)
        if case .sip(let sip) = uri, !sip.headers.isEmpty {
            // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
            throw .invalidURI(uriText, "headers are not allowed in the Request-URI")
        }
        return SIPRequest(method: SIPMethod(String(parts[0])), uriString: uriText, parsed: uri, headers: headers, body: body)
    }
}
