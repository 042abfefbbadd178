import Registrar
import SIPCore

/// Builds the 400 (or 505/513) for a request that could not be parsed, from whatever header
/// lines can still be read (RFC 3261 §21.4.1: the reason phrase names the problem).
/// Without a Via there is nowhere to send it, and responses are never answered: nil.
enum MalformedRequestResponder {
    static func response(to bytes: [UInt8], error: SIPParseError) -> (SIPResponse, topVia: Via?)? {
        // Split bytes, not Characters: "\r\n" is one Character in Swift.
        var lines = bytes.prefix(16_384).split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
        }
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        guard let startLine = lines.first, !startLine.hasPrefix("SIP/") else { return nil }
        var headers = SIPHeaders()
        var current: (String, String)?
        func flush() {
            if let (name, value) = current {
                let canonical = HeaderName.canonicalize(name)
                if [HeaderName.via, HeaderName.from, HeaderName.to, HeaderName.callID, HeaderName.cseq].contains(canonical) {
                    headers.add(canonical, value)
                }
            }
            current = nil
        }
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if let (n, v) = current { current = (n, v + " " + line.trimmingWhitespace()) }
                continue
            }
            flush()
            guard let colon = line.firstIndex(of: ":") else { continue }
            current = (String(line[..<colon]).trimmingWhitespace(), String(line[line.index(after: colon)...]).trimmingWhitespace())
        }
        flush()
        guard let viaValue = headers.listElements(HeaderName.via).first else { return nil }
        let via = try? Via(parsing: viaValue)
        let request = SIPRequest(method: SIPMethod("UNKNOWN"), uri: "sip:invalid", headers: headers)
        let response = SIPResponse(replyingTo: request, statusCode: error.statusCode, reasonPhrase: error.reasonPhrase, toTag: Registrar.newTag())
        return (response, via)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
