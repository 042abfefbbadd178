import Testing

@testable import SIPCore

/// Hostile input never crashes the parser: every torture message, mutated many ways (bytes
/// flipped, cut, duplicated, CR/LF and quotes injected), either parses or throws.
@Suite struct ParserRobustnessTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The message with its Content-Length removed: printing adds one (with the body's real
    /// length) when a datagram had none, so that is the one field a round trip may change.
    static func withoutLength(_ message: SIPMessage) -> SIPMessage {
        switch message {
        case .request(var r):
            r.headers.remove(HeaderName.contentLength)
            return .request(r)
        case .response(var r):
            r.headers.remove(HeaderName.contentLength)
            return .response(r)
        }
    }

    static let specials: [UInt8] = Array("\r\n\t :;,<>\"\\%@?=[]/0123456789".utf8) + [0, 0xFF, 0xC3]

    @Test(arguments: TortureCase.all)
    func mutationsNeverCrash(_ c: TortureCase) {
        var rng = SeededGenerator(state: UInt64(c.file.utf8.reduce(7) { $0 &* 31 &+ Int($1) }).magnitude)
        var outcomes = (parsed: 0, rejected: 0)
        for _ in 0..<150 {
            var bytes = c.bytes
            for _ in 0..<Int.random(in: 1...6, using: &rng) where !bytes.isEmpty {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[i] = Self.specials.randomElement(using: &rng)!
                case 1: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...40, using: &rng)))
                case 2: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 30)], at: i)
                case 3: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                default: bytes = Array(bytes.prefix(i))
                }
            }
            do {
                let message = try SIPParser().parseDatagram(bytes)
                let routing = try RoutingHeaders(message)
                _ = routing.contacts
                // What parses, prints back to bytes that parse to the same message.
                let again = try SIPParser().parseDatagram(message.serialized())
                #expect(Self.withoutLength(again) == Self.withoutLength(message), "\(c.file): mutant does not survive print and parse")
                #expect(try RoutingHeaders(again) == routing)
                if case .request(let r) = message {
                    _ = RequestInspection(allowedMethods: [.register, .options]).inspect(r)
                    _ = SIPResponse(replyingTo: r, statusCode: 400, toTag: "t").serialized()
                }
                _ = try? Via.all(in: message.headers)
                outcomes.parsed += 1
            } catch {
                _ = error.reasonPhrase
                outcomes.rejected += 1
            }
            // The same bytes on a stream, fed in two pieces.
            let cut = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            _ = try? SIPParser().parseStream(Array(bytes.prefix(cut)))
            _ = try? SIPParser().parseStream(bytes)
        }
        #expect(outcomes.parsed + outcomes.rejected == 150)
        if c.parserValid { #expect(outcomes.parsed > 0, "\(c.file): no mutant of a valid message parsed") }
    }
}
