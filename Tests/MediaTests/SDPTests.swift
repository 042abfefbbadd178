import Testing

@testable import Media

/// SDP parsing (RFC 4566), G.711 negotiation (RFC 3264) and the relay's rewriting.
@Suite struct SDPTests {
    /// An offer as baresip sends it (with video and ICE candidates added to exercise the relay).
    static let offer = """
        v=0\r
        o=- 3913 1 IN IP4 192.0.2.10\r
        s=-\r
        c=IN IP4 192.0.2.10\r
        t=0 0\r
        a=ice-lite\r
        m=audio 4000 RTP/AVP 8 0 101\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-15\r
        a=rtcp:4001\r
        a=candidate:1 1 UDP 2130706431 192.0.2.10 4000 typ host\r
        a=sendonly\r
        m=video 5000 RTP/AVP 96\r
        a=rtpmap:96 H264/90000\r

        """

    @Test func parsesAndNegotiatesTheOfferersPreference() throws {
        let sdp = try SessionDescription(parsing: Array(Self.offer.utf8))
        #expect(sdp.media.count == 2 && sdp.connectionAddress == "192.0.2.10")
        let audio = try sdp.negotiateAudio()
        #expect(audio.codec == .aLaw, "the first G.711 listed wins (RFC 3264 §6.1)")
        #expect(audio.dtmfPayloadType == 101 && audio.remoteHost == "192.0.2.10" && audio.remotePort == 4000)
        #expect(audio.direction == "sendonly")
        #expect(try sdp.negotiateAudio(preferring: .muLaw).codec == .muLaw)
    }

    @Test func refusesWhatItCannotUse() throws {
        let opus = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"
        #expect(throws: NegotiationError.noCommonCodec("111")) { try SessionDescription(parsing: Array(opus.utf8)).negotiateAudio() }
        let video = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n"
        #expect(throws: NegotiationError.noAudio) { try SessionDescription(parsing: Array(video.utf8)).negotiateAudio() }
        #expect(throws: SDPError.badVersion) { try SessionDescription(parsing: Array("v=1\r\n".utf8)) }
        #expect(throws: SDPError.badMediaLine("audio x RTP/AVP 0")) { try SessionDescription(parsing: Array("v=0\r\nm=audio x RTP/AVP 0\r\n".utf8)) }
    }

    @Test func theRelayedOfferLeadsEverythingThroughTheRelay() throws {
        let relayed = try SessionDescription(parsing: Array(Self.offer.utf8)).relayed(through: "203.0.113.5", port: 30000)
        let text = String(decoding: relayed.serialized(), as: UTF8.self)
        #expect(text.contains("c=IN IP4 203.0.113.5\r\n") && !text.contains("c=IN IP4 192.0.2.10"))
        #expect(text.contains("m=audio 30000 RTP/AVP 8 0 101\r\n"))
        #expect(text.contains("m=video 0 RTP/AVP 96"), "streams the relay does not carry are disabled")
        #expect(!text.contains("candidate") && !text.contains("a=rtcp:") && !text.contains("ice-lite"))
        #expect(text.contains("a=sendonly") && text.contains("a=fmtp:101 0-15"), "the rest is kept")
        // Parsing what we wrote gives the same description.
        #expect(try SessionDescription(parsing: relayed.serialized()) == relayed)
    }

    /// RFC 3264 §6: as many m= lines as offered, in order; what we do not take is refused with
    /// port 0. SRTP cannot be terminated here, so it is refused.
    @Test func theAnswerMirrorsTheOfferedStreams() throws {
        let offer = try SessionDescription(parsing: Array(Self.offer.replacingOccurrences(of: "m=audio 4000", with: "m=video 5002 RTP/AVP 97\r\nm=audio 4000").utf8))
        let ours = SessionDescription.audio(host: "127.0.0.1", port: 20000, codecs: [.aLaw], dtmfPayloadType: 101, sessionID: 1, version: 1)
        let answer = SessionDescription.answer(to: offer, with: ours)
        #expect(answer.media.map(\.kind) == ["video", "audio", "video"] && answer.media.map(\.port) == [0, 20000, 0])
        let stamped = String(decoding: answer.withOrigin(sessionID: 9, version: 3, host: "127.0.0.1").serialized(), as: UTF8.self)
        #expect(stamped.contains("o=CarePhone 9 3 IN IP4 127.0.0.1\r\n"))
        let srtp = Self.offer.replacingOccurrences(of: "RTP/AVP 8 0 101", with: "RTP/SAVP 8 0 101")
        #expect(throws: NegotiationError.unsupportedProfile("RTP/SAVP")) { try SessionDescription(parsing: Array(srtp.utf8)).negotiateAudio() }
        // A port or address missing its value is refused, not a crash.
        #expect(throws: SDPError.badMediaLine("audio / RTP/AVP 0")) { try SessionDescription(parsing: Array("v=0\r\nm=audio / RTP/AVP 0\r\n".utf8)) }
        #expect(try SessionDescription(parsing: Array("v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nc=IN IP4 /\r\nt=0 0\r\n".utf8)).connectionAddress == nil)
    }

    @Test func ourAnswerNamesOneCodecAndEvents() throws {
        let answer = SessionDescription.audio(host: "127.0.0.1", port: 20000, codecs: [.muLaw], dtmfPayloadType: 101, sessionID: 7, version: 2, direction: "recvonly")
        let parsed = try SessionDescription(parsing: answer.serialized())
        let audio = try parsed.negotiateAudio()
        #expect(audio.codec == .muLaw && audio.dtmfPayloadType == 101 && audio.remotePort == 20000 && audio.direction == "recvonly")
        #expect(parsed.sessionLines.contains(SessionDescription.Line("o", "CarePhone 7 2 IN IP4 127.0.0.1")))
    }
}
