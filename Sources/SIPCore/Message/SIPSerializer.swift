/// Writes messages as bytes (RFC 3261 §7). Content-Length is always written and always
/// matches the body, as streams require it (§18.3).
extension SIPMessage {
    public func serialized() -> [UInt8] {
        switch self {
        case .request(let r): r.serialized()
        case .response(let r): r.serialized()
        }
    }
}

extension SIPRequest {
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        out.append(contentsOf: method.rawValue.utf8)
        out.append(0x20)
        out.append(contentsOf: uriString.utf8)
        out.append(contentsOf: " SIP/2.0\r\n".utf8)
        SIPSerialization.append(headers, body: body, to: &out)
        return out
    }
}

extension SIPResponse {
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        out.append(contentsOf: "SIP/2.0 ".utf8)
        out.append(contentsOf: String(statusCode).utf8)
        out.append(0x20)
        out.append(contentsOf: reasonPhrase.utf8)
        out.append(contentsOf: "\r\n".utf8)
        SIPSerialization.append(headers, body: body, to: &out)
        return out
    }
}

enum SIPSerialization {
    /// Header fields in their order; Content-Length where it stood (once, with the body's real
    /// length), or last when the message had none.
    static func append(_ headers: SIPHeaders, body: [UInt8], to out: inout [UInt8]) {
        var lengthWritten = false
        for field in headers {
            if field.key == "content-length" {
                if !lengthWritten { appendContentLength(body.count, to: &out) }
                lengthWritten = true
                continue
            }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !lengthWritten { appendContentLength(body.count, to: &out) }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: body)
    }

    static func appendContentLength(_ count: Int, to out: inout [UInt8]) {
        out.append(contentsOf: "Content-Length: ".utf8)
        out.append(contentsOf: String(count).utf8)
        out.append(contentsOf: "\r\n".utf8)
    }
}
