import Testing

@testable import Media

@Suite("RTP packets")
struct RTPPacketTests {
    @Test("parses a plain G.711 packet byte for byte")
    func parsesPlain() throws {
        let bytes: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, 0xFF, 0xFE]
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.marker)
        #expect(packet.payloadType == 0)
        #expect(packet.sequenceNumber == 0x1234)
        #expect(packet.timestamp == 320)
        #expect(packet.ssrc == 0xDEAD_BEEF)
        #expect(packet.csrcs.isEmpty)
        #expect(packet.headerExtension == nil)
        #expect(packet.payload == [0xFF, 0xFE])
        #expect(packet.serialized() == bytes)
    }

    @Test("CSRCs, extension and padding round-trip and are read from the right places")
    func parsesEverything() throws {
        let packet = RTPPacket(
            marker: false, payloadType: 101, sequenceNumber: 65535, timestamp: 0xFFFF_FFFF, ssrc: 7,
            csrcs: [1, 2], headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4]),
            payload: [9, 8, 7], paddingCount: 5)
        let bytes = packet.serialized()
        #expect(bytes[0] == 0x80 | 0x20 | 0x10 | 2)
        #expect(bytes[1] == 101)
        #expect(bytes.count == 12 + 8 + 4 + 4 + 3 + 5)
        #expect(bytes.last == 5)
        #expect(try RTPPacket(parsing: bytes) == packet)
    }

    static let invalid: [([UInt8], RTPParseError)] = [
        ([0x80, 0, 0], .tooShort(length: 3, needed: 12)),
        ([0x40] + [UInt8](repeating: 0, count: 11), .unsupportedVersion(1)),
        ([0x82] + [UInt8](repeating: 0, count: 15), .tooShort(length: 16, needed: 20)),
        ([0x90] + [UInt8](repeating: 0, count: 13), .tooShort(length: 14, needed: 16)),
        ([0x90] + [UInt8](repeating: 0, count: 13) + [0, 2, 0, 0, 0, 0], .tooShort(length: 20, needed: 24)),
        ([0xA0] + [UInt8](repeating: 0, count: 12), .invalidPadding(count: 0, available: 1)),
        ([0xA0] + [UInt8](repeating: 0, count: 11) + [1, 3], .invalidPadding(count: 3, available: 2)),
    ]

    @Test("rejects short and invalid packets precisely", arguments: invalid)
    func rejects(bytes: [UInt8], error: RTPParseError) {
        #expect(throws: error) { try RTPPacket(parsing: bytes) }
    }

    @Test("padding that fills the whole payload leaves it empty")
    func paddingOnly() throws {
        let packet = try RTPPacket(parsing: [0xA0] + [UInt8](repeating: 0, count: 11) + [0, 2])
        #expect(packet.payload.isEmpty)
        #expect(packet.paddingCount == 2)
    }
}

/// Calls the mutating `update` outside `#expect`, which cannot capture inout state.
func feed(_ tracker: inout RTPSequenceTracker, _ sequence: UInt16) -> Bool {
    tracker.update(sequence)
}

@Suite("RTP sequence numbers")
struct RTPSequenceTests {
    @Test("distance and ordering wrap around 65535")
    func arithmetic() {
        #expect(RTPSequence.distance(from: 65535, to: 0) == 1)
        #expect(RTPSequence.distance(from: 0, to: 65535) == -1)
        #expect(RTPSequence.distance(from: 100, to: 90) == -10)
        #expect(RTPSequence.isNewer(2, than: 65530))
        #expect(!RTPSequence.isNewer(65530, than: 2))
        #expect(!RTPSequence.isNewer(5, than: 5))
    }

    @Test("probation: the first packet is held, the second in order validates the source")
    func probation() {
        var tracker = RTPSequenceTracker()
        #expect(!feed(&tracker, 1000))
        #expect(!tracker.isValid)
        #expect(feed(&tracker, 1001))
        #expect(tracker.isValid)
        #expect(tracker.baseSequence == 1001)
        #expect(tracker.received == 1)
    }

    @Test("extended sequence numbers count wrap-arounds; reordering across the wrap does not")
    func wrapAround() {
        var tracker = RTPSequenceTracker()
        tracker.update(65533)
        for sequence: UInt16 in [65534, 65535, 0, 1] { #expect(feed(&tracker, sequence)) }
        #expect(tracker.extendedMaxSequence == 65536 + 1)
        #expect(feed(&tracker, 65535))  // late packet from before the wrap
        #expect(tracker.extendedMaxSequence == 65537)
        #expect(tracker.extend(65535) == 65535)
        #expect(tracker.extend(3) == 65539)
        #expect(tracker.received == 5)
    }

    @Test("a big jump is accepted only when the next packet confirms it (source restart)")
    func restart() {
        var tracker = RTPSequenceTracker()
        tracker.update(10)
        tracker.update(11)
        #expect(!feed(&tracker, 40000))
        #expect(tracker.extendedMaxSequence == 11)
        #expect(feed(&tracker, 40001))
        #expect(tracker.extendedMaxSequence == 40001)
        #expect(tracker.baseSequence == 40001)
        // A loss burst under 3000 is just loss.
        #expect(feed(&tracker, 42000))
        #expect(tracker.extendedMaxSequence == 42000)
    }
}
