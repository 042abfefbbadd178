import Calls
import Media
import MediaEngine
import NIOCore

/// The server's media for one call: the endpoint facing the caller, the one facing the callee
/// once somebody is rung through the server, and the voice channel while an application runs.
final class CallMediaSession {
    let callID: String
    let loop: EventLoop
    var callerSide: MediaEndpoint?
    var calleeSide: MediaEndpoint?
    /// What was agreed with the caller when the server answered it.
    var callerAudio: NegotiatedAudio?
    var channel: MediaChannel?
    /// The ringback tone playing while the server rings somebody for an answered caller.
    var ringback: Task<Void, Never>?
    /// o= line identity of our SDP; the version grows with each new description (RFC 4566 §5.2).
    let sessionID = UInt64.random(in: 1...UInt64(Int64.max))
    /// Per side: the version of the last description sent and what it said (without `o=`).
    private var versions: [CallSide: (version: UInt64, body: [UInt8])] = [:]

    init(callID: String, loop: EventLoop) {
        self.callID = callID
        self.loop = loop
    }

    /// `sdp` as sent towards `side`: our `o=` line, whose version grows only when the
    /// description changes (RFC 3264 §8: a repeated offer keeps it), whether the description is
    /// the server's own or a party's relayed one.
    func stamp(_ sdp: SessionDescription, towards side: CallSide, host: String) -> [UInt8] {
        let content = sdp.withOrigin(sessionID: sessionID, version: 0, host: host).serialized()
        var entry = versions[side] ?? (0, [])
        if entry.body != content {
            entry = (entry.version + 1, content)
            versions[side] = entry
        }
        return sdp.withOrigin(sessionID: sessionID, version: entry.version, host: host).serialized()
    }

    /// Our offer from `endpoint`: what was agreed with the caller (no transcoding, so a callee
    /// gets the caller's codec), or G.711 both laws and telephone-event when nothing was yet.
    func offer(from endpoint: MediaEndpoint, towards side: CallSide) -> [UInt8] {
        let agreed = callerAudio
        let offer = SessionDescription.audio(
            host: endpoint.host, port: endpoint.localPort, codecs: agreed.map { [$0.codec] } ?? [.muLaw, .aLaw],
            dtmfPayloadType: agreed == nil ? 101 : agreed?.dtmfPayloadType, sessionID: sessionID, version: 0)
        return stamp(offer, towards: side, host: endpoint.host)
    }

    /// Relays RTP between the two sides (each side's packets leave through the other).
    func join() {
        guard let a = callerSide, let b = calleeSide else { return }
        loop.execute {
            a.onPacket = nil
            b.onPacket = nil
            a.peer = b
            b.peer = a
        }
    }

    /// The CDR figures: what arrived from each side, and the worse direction's quality.
    func quality() -> MediaQuality? {
        let figures = [callerSide, calleeSide].map { $0?.figures }
        guard let fromCaller = figures[0] else { return nil }
        let fromCallee = figures[1]
        let loss = max(fromCaller.lossFraction, fromCallee?.lossFraction ?? 0)
        let jitter = max(fromCaller.jitterMilliseconds, fromCallee?.jitterMilliseconds ?? 0)
        let rtt = [fromCaller.roundTripMilliseconds, fromCallee?.roundTripMilliseconds].compactMap { $0 }.max()
        let mos = CallQuality(
            lossFraction: loss, jitter: .microseconds(Int64(jitter * 1000)), roundTrip: .microseconds(Int64((rtt ?? 0) * 1000))
        ).mos
        return MediaQuality(
            packetsFromCaller: fromCaller.packets, packetsFromCallee: fromCallee?.packets ?? 0, lossPercent: loss * 100,
            jitterMilliseconds: jitter, roundTripMilliseconds: rtt, mos: (mos * 100).rounded() / 100)
    }

    /// Stops the ringback tone, if one plays.
    func stopRingback() {
        guard let task = ringback else { return }
        ringback = nil
        task.cancel()
        channel?.stopBackground()
    }

    func close() {
        ringback?.cancel()
        channel?.hangUp()
        callerSide?.close()
        calleeSide?.close()
    }
}
