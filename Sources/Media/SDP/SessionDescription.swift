/// An SDP session description (RFC 4566), kept as its lines so a relay can rewrite addresses and
/// ports without disturbing what it does not understand.
///
/// Parsing is lenient in what it keeps (unknown lines survive) and strict in what it needs: a
/// `v=0` first line, `type=value` lines, and `m=` lines with a port and payload types.
public struct SessionDescription: Sendable, Equatable {
    /// One `type=value` line.
    public struct Line: Sendable, Equatable {
        public var type: Character
        public var value: String

        public init(_ type: Character, _ value: String) {
            self.type = type
            self.value = value
        }
    }

    /// One `m=` section: the media line and the lines under it.
    public struct MediaSection: Sendable, Equatable {
        public var kind: String
        public var port: Int
        public var proto: String
        /// Payload types (formats) as listed, in order of preference (RFC 3264 §5.1).
        public var formats: [String]
        public var lines: [Line]

        /// `c=` address of this section, if it has its own.
        public var connectionAddress: String? { lines.first { $0.type == "c" }.flatMap { SessionDescription.address(in: $0.value) } }

        /// Values of `a=name:value` attributes.
        public func attributes(_ name: String) -> [String] {
            lines.compactMap { line in
                guard line.type == "a" else { return nil }
                if line.value == name { return "" }
                guard line.value.hasPrefix(name + ":") else { return nil }
                return String(line.value.dropFirst(name.count + 1))
            }
        }

        /// The direction attribute (RFC 3264 §5.1), `sendrecv` when absent.
        public var direction: String {
            for d in ["sendonly", "recvonly", "inactive", "sendrecv"] where !attributes(d).isEmpty { return d }
            return "sendrecv"
        }

        /// `rtpmap` encodings by payload type, e.g. 101 → `telephone-event/8000`.
        public var rtpmaps: [UInt8: String] {
            var result: [UInt8: String] = [:]
            for value in attributes("rtpmap") {
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let pt = UInt8(parts[0]) { result[pt] = parts[1].lowercased() }
            }
            return result
        }
    }

    /// Lines before the first `m=`.
    public var sessionLines: [Line]
    public var media: [MediaSection]

    public init(sessionLines: [Line], media: [MediaSection]) {
        self.sessionLines = sessionLines
        self.media = media
    }

    /// Parses `bytes` (CRLF or LF line ends).
    public init(parsing bytes: [UInt8]) throws(SDPError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        var session: [Line] = []
        var sections: [MediaSection] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let rawLine = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if rawLine.isEmpty { continue }
            guard rawLine.count >= 2, let type = rawLine.first, rawLine.dropFirst().first == "=", type.isLetter else {
                throw .badLine(number, String(rawLine.prefix(40)))
            }
            let value = String(rawLine.dropFirst(2))
            if number == 1, type != "v" || value != "0" { throw .badVersion }
            if type == "m" {
                let fields = value.split(separator: " ")
                guard fields.count >= 3, let portText = fields[1].split(separator: "/").first, let port = Int(portText), (0...65535).contains(port) else {
                    throw .badMediaLine(value)
                }
                sections.append(MediaSection(kind: String(fields[0]), port: port, proto: String(fields[2]), formats: fields.dropFirst(3).map(String.init), lines: []))
            } else if sections.isEmpty {
                session.append(Line(type, value))
            } else {
                sections[sections.count - 1].lines.append(Line(type, value))
            }
        }
        guard !session.isEmpty else { throw .badVersion }
        sessionLines = session
        media = sections
    }

    /// The session-level `c=` address.
    public var connectionAddress: String? { sessionLines.first { $0.type == "c" }.flatMap { Self.address(in: $0.value) } }

    /// The first audio section with a non-zero port, and its index.
    public var audio: (index: Int, section: MediaSection)? {
        for (i, m) in media.enumerated() where m.kind == "audio" && m.port != 0 { return (i, m) }
        return nil
    }

    /// Where the audio of section `index` is to be sent: its own `c=` or the session's.
    public func address(ofMedia index: Int) -> String? { media[index].connectionAddress ?? connectionAddress }

    /// `IN IP4 192.0.2.1` → `192.0.2.1` (a multicast `/ttl` suffix dropped).
    static func address(in connection: String) -> String? {
        let fields = connection.split(separator: " ")
        guard fields.count == 3, fields[0] == "IN", let address = fields[2].split(separator: "/").first else { return nil }
        return String(address)
    }

    /// The `c=` value for `address`.
    public static func connection(_ address: String) -> String { "IN \(address.contains(":") ? "IP6" : "IP4") \(address)" }

    /// The description's bytes, CRLF line ends (RFC 4566 §5).
    public func serialized() -> [UInt8] {
        var text = ""
        for line in sessionLines { text += "\(line.type)=\(line.value)\r\n" }
        for m in media {
            text += "m=\(m.kind) \(m.port) \(m.proto)\(m.formats.map { " " + $0 }.joined())\r\n"
            for line in m.lines { text += "\(line.type)=\(line.value)\r\n" }
        }
        return Array(text.utf8)
    }
}

/// Why an SDP body could not be used.
public enum SDPError: Error, Sendable, Equatable, CustomStringConvertible {
    case notUTF8
    case badVersion
    case badLine(Int, String)
    case badMediaLine(String)

    public var description: String {
        switch self {
        case .notUTF8: "SDP is not UTF-8"
        case .badVersion: "SDP must start with v=0"
        case .badLine(let n, let text): "SDP line \(n) is not type=value: \(text)"
        case .badMediaLine(let text): "SDP m= line is malformed: \(text)"
        }
    }
}
