import Foundation
import SIPCore

#if canImport(Glibc)
    import Glibc
#endif

/// The media side of a scripted phone: a UDP socket on loopback that sends RFC 4733 key
/// presses and G.711 audio, and counts what the server sends back (packets, marker bits: a
/// marker starts each prompt the server plays), from a reader thread. Stopped by `close()`.
final class RTPPeer: @unchecked Sendable {
    let socket: Int32
    let port: UInt16
    private let lock = NSLock()
    private var packets = 0
    private var markers = 0
    private var payloadTypes: [UInt8: Int] = [:]
    private var sources = Set<String>()
    private var closed = false
    private var reader: Thread?
    private var sequence = UInt16.random(in: 0...1000)
    private var timestamp = UInt32.random(in: 0...100_000)
    private let ssrc = UInt32.random(in: 1...UInt32.max)

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw HarnessError("socket() failed") }
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else {
            Glibc.close(socket)
            throw HarnessError("bind failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [weak self] in self?.readLoop() }
        reader = thread
        thread.start()
    }

    /// An SDP offer for this socket: PCMU and telephone-event 101.
    var offer: String {
        [
            "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio \(port) RTP/AVP 0 101",
            "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=sendrecv", "",
        ].joined(separator: "\r\n")
    }

    /// Where the SDP of `response` asks for media.
    static func mediaAddress(_ response: SIPResponse) -> (host: String, port: UInt16)? {
        let text = String(decoding: response.body, as: UTF8.self)
        var host: String?
        var port: UInt16?
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("c=IN IP4 ") { host = String(line.dropFirst(9)) }
            if line.hasPrefix("m=audio ") { port = line.split(separator: " ").dropFirst().first.flatMap { UInt16($0) } }
        }
        guard let host, let port else { return nil }
        return (host, port)
    }

    var receivedPackets: Int { lock.withLock { packets } }
    var receivedMarkers: Int { lock.withLock { markers } }
    /// Addresses RTP came from.
    var receivedFrom: Set<String> { lock.withLock { sources } }

    /// One key press as RFC 4733 packets: start (marker), two updates, three end packets.
    func sendDigit(_ key: Character, to address: (host: String, port: UInt16)) throws {
        let event = UInt8("0123456789*#".firstIndex(of: key).map { "0123456789*#".distance(from: "0123456789*#".startIndex, to: $0) } ?? 0)
        timestamp &+= 1600
        for (i, duration) in [0, 400, 800, 960, 960, 960].enumerated() {
            let end = i >= 3
            var payload: [UInt8] = [event, (end ? 0x80 : 0) | 10]
            payload += [UInt8(duration >> 8), UInt8(duration & 0xFF)]
            try send(payloadType: 101, marker: i == 0, payload: payload, to: address)
            usleep(20_000)
        }
    }

    /// `frames` 20 ms µ-law frames of a tone, paced in real time.
    func sendTone(frequency: Double, frames: Int, to address: (host: String, port: UInt16)) throws {
        for f in 0..<frames {
            let payload = (0..<160).map { i -> UInt8 in
                let t = Double(f * 160 + i) / 8000
                return Self.muLaw(Int16(8000 * sin(2 * .pi * frequency * t)))
            }
            timestamp &+= 160
            try send(payloadType: 0, marker: f == 0, payload: payload, to: address)
            usleep(20_000)
        }
    }

    private func send(payloadType: UInt8, marker: Bool, payload: [UInt8], to address: (host: String, port: UInt16)) throws {
        sequence &+= 1
        var bytes: [UInt8] = [0x80, (marker ? 0x80 : 0) | payloadType, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((timestamp >> UInt32(shift)) & 0xFF)) }
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((ssrc >> UInt32(shift)) & 0xFF)) }
        bytes += payload
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_addr.s_addr = inet_addr(address.host)
        target.sin_port = address.port.bigEndian
        let sent = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == bytes.count else { throw HarnessError("sendto failed") }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !lock.withLock({ closed }) {
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, &buffer, buffer.count, 0, $0, &length) }
            }
            guard n >= 12 else { continue }
            let source = "\(String(cString: inet_ntoa(from.sin_addr))):\(UInt16(bigEndian: from.sin_port))"
            lock.withLock {
                packets += 1
                if buffer[1] & 0x80 != 0 { markers += 1 }
                payloadTypes[buffer[1] & 0x7F, default: 0] += 1
                sources.insert(source)
            }
        }
    }

    func close() {
        lock.withLock { closed = true }
        usleep(250_000)
        Glibc.close(socket)
    }

    /// G.711 µ-law encoding of one sample (ITU-T G.711, with the usual bias of 0x84).
    static func muLaw(_ sample: Int16) -> UInt8 {
        var value = Int(sample)
        let sign: Int = value < 0 ? 0x80 : 0
        if value < 0 { value = -value }
        value = min(value, 32635) + 0x84
        var exponent = 7
        var mask = 0x4000
        while exponent > 0, value & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (value >> (exponent + 3)) & 0x0F
        return UInt8(~(sign | exponent << 4 | mantissa) & 0xFF)
    }
}
