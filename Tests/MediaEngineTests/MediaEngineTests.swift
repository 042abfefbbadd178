import Foundation
import Media
import Testing

@testable import MediaEngine

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP socket on 127.0.0.1 for the tests (blocking reads with a timeout).
final class TestSocket {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8], to port: Int) {
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_addr.s_addr = inet_addr("127.0.0.1")
        target.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }

    /// The next datagram and the port it came from; nil after the timeout.
    func receive() -> (bytes: [UInt8], fromPort: UInt16)? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) } }
        guard n > 0 else { return nil }
        return (Array(buffer[0..<n]), UInt16(bigEndian: from.sin_port))
    }

    deinit { close(fd) }
}

@Suite(.serialized) struct MediaEngineTests {
    static func engine() -> MediaEngine {
        let first = 41000 + Int.random(in: 0..<500) * 20
        return MediaEngine(configuration: .init(bindHost: "127.0.0.1", ports: first...(first + 19), threads: 1))
    }

    static func packet(sequence: UInt16, payloadType: UInt8 = 0, timestamp: UInt32 = 0, payload: [UInt8] = [UInt8](repeating: 0xFF, count: 160)) -> [UInt8] {
        RTPPacket(marker: false, payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: 0x1234, payload: payload).serialized()
    }

    /// Two endpoints joined as a relay: packets cross unchanged, each side latches to where its
    /// phone really sends from (symmetric RTP) even when SDP named another port, and the receive
    /// figures count what came in.
    @Test func relaysBothWaysAndLatchesToTheRealSource() async throws {
        let engine = Self.engine()
        defer { engine.shutdown() }
        let a = try engine.openEndpoint()
        let b = try engine.openEndpoint(on: a.loop)
        #expect(a.localPort % 2 == 0 && b.localPort != a.localPort && engine.openEndpoints == 2)
        let caller = try TestSocket()
        let callee = try TestSocket()
        a.setRemote(host: "127.0.0.1", port: 9)  // what a phone behind NAT would put in SDP
        b.setRemote(host: "127.0.0.1", port: Int(callee.port))
        try await a.loop.submit {
            a.peer = b
            b.peer = a
        }.get()
        try await Task.sleep(for: .milliseconds(50))

        for sequence in 1...5 { caller.send(Self.packet(sequence: UInt16(sequence)), to: a.localPort) }
        for _ in 1...5 {
            let got = try #require(callee.receive(), "the relay did not pass the caller's packet on")
            #expect(got.fromPort == UInt16(b.localPort))
        }
        callee.send(Self.packet(sequence: 100), to: b.localPort)
        let back = try #require(caller.receive(), "the answer did not reach the caller's real port")
        let backPacket = try RTPPacket(parsing: back.bytes)
        #expect(back.fromPort == UInt16(a.localPort) && backPacket.sequenceNumber == 100)
        #expect(a.figures.packets == 5 && a.figures.lost == 0 && b.figures.packets == 1)
        caller.send(Self.packet(sequence: 8), to: a.localPort)  // 6 and 7 never come
        try await Task.sleep(for: .milliseconds(100))
        #expect(a.figures.lost == 2)

        a.close()
        b.close()
        try await Task.sleep(for: .milliseconds(100))
        #expect(engine.openEndpoints == 0, "ports go back to the pool")
    }

    /// A voice application's channel: paced prompt frames, an RFC 4733 key, a timeout without
    /// keys, and a recording that ends when the call does.
    @Test func channelPlaysHearsKeysAndRecords() async throws {
        let engine = Self.engine()
        defer { engine.shutdown() }
        let endpoint = try engine.openEndpoint()
        let phone = try TestSocket()
        endpoint.setRemote(host: "127.0.0.1", port: Int(phone.port))
        let channel = MediaChannel(endpoint: endpoint, audio: NegotiatedAudio(codec: .muLaw, dtmfPayloadType: 101, remoteHost: "127.0.0.1", remotePort: Int(phone.port)))
        try await Task.sleep(for: .milliseconds(50))

        let started = ContinuousClock.now
        try await channel.play([Int16](repeating: 1000, count: 480), interruptible: false)
        #expect(ContinuousClock.now - started >= .milliseconds(35), "three 20 ms frames are paced, not sent at once")
        let frames = (0..<3).compactMap { _ in phone.receive().flatMap { try? RTPPacket(parsing: $0.bytes) } }
        #expect(frames.count == 3 && frames[0].marker && !frames[1].marker && frames.allSatisfy { $0.payloadType == 0 && $0.payload.count == 160 })
        #expect(frames[1].sequenceNumber == frames[0].sequenceNumber &+ 1 && frames[1].timestamp == frames[0].timestamp &+ 160)

        #expect(try await channel.nextDigit(timeout: .milliseconds(100)) == nil)
        let key = TelephoneEvent(event: 5, isEnd: false, duration: 160)
        phone.send(Self.packet(sequence: 1, payloadType: 101, timestamp: 8000, payload: key.serialized()), to: endpoint.localPort)
        #expect(try await channel.nextDigit(timeout: .seconds(2)) == "5")

        try await channel.sendDigit("7")
        let events = (0..<5).compactMap { _ in phone.receive().flatMap { try? RTPPacket(parsing: $0.bytes) } }
        #expect(events.count == 5 && events.allSatisfy { $0.payloadType == 101 } && events[0].marker, "start, update, three ends")
        let decoded = try events.map { try TelephoneEvent(parsing: $0.payload) }
        #expect(decoded.allSatisfy { $0.event == 7 } && decoded.suffix(3).allSatisfy(\.isEnd) && events[0].sequenceNumber == frames[2].sequenceNumber &+ 1)

        let tone = (0..<160).map { i in Int16(8000 * sin(2 * Double.pi * 1000 * Double(i) / 8000)) }
        async let recording = channel.record(maxDuration: .seconds(10), silenceLimit: .seconds(5), stopKeys: ["#"])
        try await Task.sleep(for: .milliseconds(50))
        for n in 0..<25 {
            phone.send(Self.packet(sequence: UInt16(10 + n), timestamp: UInt32(16000 + 160 * n), payload: G711Codec.muLaw.encode(tone)), to: endpoint.localPort)
        }
        try await Task.sleep(for: .milliseconds(200))
        channel.hangUp()
        let result = try await recording
        #expect(result.end == .hungUp && result.heardVoice)
        #expect(result.duration == .milliseconds(500), "25 frames of 20 ms")
        #expect(result.samples.count == 4000 && FrameLevel.meanAbsolute(Array(result.samples.suffix(160))) > 1000)
        let wav = try WAVFile(parsing: result.wav)
        #expect(wav.format == .pcm16 && wav.frameCount == 4000)
        await #expect(throws: CallAudioError.hungUp) { try await channel.play([0], interruptible: false) }
        endpoint.close()
    }
}
