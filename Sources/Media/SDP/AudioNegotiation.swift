/// The audio a call leg agreed on in SDP offer/answer (RFC 3264): one G.711 law, the
/// telephone-event payload type if both ends use RFC 4733, and where the far end receives.
public struct NegotiatedAudio: Sendable, Equatable {
    public var codec: G711Codec
    /// The payload type carrying audio (0 or 8: both are static, RFC 3551).
    public var payloadType: UInt8 { codec.payloadType }
    /// RFC 4733 events (commonly 101), nil when the far end did not offer them.
    public var dtmfPayloadType: UInt8?
    /// Where the far end wants RTP (its `c=` and `m=` port); RTCP goes to port + 1 (RFC 3550 §11).
    public var remoteHost: String
    public var remotePort: Int
    /// The far end's direction attribute.
    public var direction: String

    public init(codec: G711Codec, dtmfPayloadType: UInt8?, remoteHost: String, remotePort: Int, direction: String = "sendrecv") {
        self.codec = codec
        self.dtmfPayloadType = dtmfPayloadType
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.direction = direction
    }
}

extension SessionDescription {
    /// What we can use from an offer or answer: the first G.711 law it lists (its preference,
    /// RFC 3264 §6.1) and its telephone-event type. Throws when it has no usable audio.
    public func negotiateAudio(preferring preferred: G711Codec? = nil) throws(NegotiationError) -> NegotiatedAudio {
        guard let (index, section) = audio else { throw .noAudio }
        // Plain RTP only: the server cannot decrypt SRTP (RTP/SAVP), so it must refuse it.
        guard ["RTP/AVP", "RTP/AVPF"].contains(section.proto.uppercased()) else { throw .unsupportedProfile(section.proto) }
        guard let host = address(ofMedia: index) else { throw .noAddress }
        let maps = section.rtpmaps
        var codecs: [G711Codec] = []
        var dtmf: UInt8?
        for format in section.formats {
            guard let pt = UInt8(format) else { continue }
            if let map = maps[pt] {
                if map.hasPrefix("pcmu/8000") { codecs.append(.muLaw) }
                if map.hasPrefix("pcma/8000") { codecs.append(.aLaw) }
                if map.hasPrefix("telephone-event/8000"), dtmf == nil { dtmf = pt }
            } else if let codec = G711Codec(payloadType: pt) {
                codecs.append(codec)
            }
        }
        guard let first = codecs.first else { throw .noCommonCodec(section.formats.joined(separator: " ")) }
        let codec = preferred.flatMap { codecs.contains($0) ? $0 : nil } ?? first
        return NegotiatedAudio(codec: codec, dtmfPayloadType: dtmf, remoteHost: host, remotePort: section.port, direction: section.direction)
    }

    /// Our own description: one audio stream at `host:port` with `codecs` (in preference order)
    /// and telephone-event if `dtmfPayloadType` is given. `version` must grow with every change
    /// of a session (RFC 4566 §5.2).
    public static func audio(
        host: String, port: Int, codecs: [G711Codec], dtmfPayloadType: UInt8?, sessionID: UInt64, version: UInt64,
        direction: String = "sendrecv"
    ) -> SessionDescription {
        let addressType = host.contains(":") ? "IP6" : "IP4"
        var formats = codecs.map { String($0.payloadType) }
        var lines = codecs.map { Line("a", "rtpmap:\($0.payloadType) \($0.encodingName)/8000") }
        if let dtmf = dtmfPayloadType {
            formats.append(String(dtmf))
            lines.append(Line("a", "rtpmap:\(dtmf) telephone-event/8000"))
            lines.append(Line("a", "fmtp:\(dtmf) 0-16"))
        }
        lines.append(Line("a", "ptime:20"))
        lines.append(Line("a", direction))
        return SessionDescription(
            sessionLines: [
                Line("v", "0"), Line("o", "CarePhone \(sessionID) \(version) IN \(addressType) \(host)"), Line("s", "CarePhone"),
                Line("c", connection(host)), Line("t", "0 0"),
            ],
            media: [MediaSection(kind: "audio", port: port, proto: "RTP/AVP", formats: formats, lines: lines)])
    }

    /// Our answer to `offer` (RFC 3264 §6): one `m=` line per offered one, in the same order;
    /// the audio stream `audio` was negotiated from is answered with `ours`, every other stream
    /// is refused with port 0.
    public static func answer(to offer: SessionDescription, with ours: SessionDescription) -> SessionDescription {
        guard let audioIndex = offer.audio?.index, let ourAudio = ours.media.first else { return ours }
        var answer = ours
        answer.media = offer.media.enumerated().map { i, section in
            i == audioIndex ? ourAudio : MediaSection(kind: section.kind, port: 0, proto: section.proto, formats: section.formats, lines: [])
        }
        return answer
    }

    /// This description with the `o=` line (RFC 4566 §5.2) naming `sessionID` and `version`.
    public func withOrigin(sessionID: UInt64, version: UInt64, host: String) -> SessionDescription {
        var copy = self
        let origin = Line("o", "CarePhone \(sessionID) \(version) IN \(host.contains(":") ? "IP6" : "IP4") \(host)")
        if let i = copy.sessionLines.firstIndex(where: { $0.type == "o" }) {
            copy.sessionLines[i] = origin
        } else {
            copy.sessionLines.insert(origin, at: min(1, copy.sessionLines.count))
        }
        return copy
    }

    /// The description with its audio sent to `host:port` instead (a relay between the parties):
    /// every `c=` names `host`, the audio port is `port`, other streams are disabled (port 0, RFC
    /// 3264 §8.2), and attributes that would lead media around the relay (ICE candidates,
    /// RFC 3605 `a=rtcp`) are dropped.
    public func relayed(through host: String, port: Int) -> SessionDescription {
        var copy = self
        let connection = Self.connection(host)
        copy.sessionLines = sessionLines.map { line in
            line.type == "c" ? Line("c", connection) : line
        }
        let audioIndex = audio?.index
        for i in copy.media.indices {
            if i == audioIndex {
                copy.media[i].port = port
            } else if copy.media[i].port != 0 {
                copy.media[i].port = 0
            }
            copy.media[i].lines = copy.media[i].lines.compactMap { line in
                if line.type == "c" { return Line("c", connection) }
                if line.type == "a", Self.bypassing.contains(where: { line.value == $0 || line.value.hasPrefix($0 + ":") }) { return nil }
                return line
            }
        }
        if !copy.sessionLines.contains(where: { $0.type == "c" }), let index = audioIndex, copy.media[index].connectionAddress == nil {
            copy.media[index].lines.insert(Line("c", connection), at: 0)
        }
        copy.sessionLines.removeAll { $0.type == "a" && ($0.value == "ice-lite" || $0.value.hasPrefix("ice-")) }
        return copy
    }

    private static let bypassing = ["candidate", "remote-candidates", "end-of-candidates", "ice-ufrag", "ice-pwd", "ice-options", "rtcp"]
}

/// Why an offer or answer cannot be used for audio.
public enum NegotiationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noAudio
    case noAddress
    case unsupportedProfile(String)
    case noCommonCodec(String)

    public var description: String {
        switch self {
        case .noAudio: "no audio stream offered"
        case .noAddress: "the audio stream has no connection address"
        case .unsupportedProfile(let p): "media profile \(p) is not supported (RTP/AVP only)"
        case .noCommonCodec(let formats): "no G.711 (PCMU/PCMA) among payload types \(formats)"
        }
    }
}
