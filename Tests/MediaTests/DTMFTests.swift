import Testing

@testable import Media

@Suite("RFC 4733 DTMF")
struct DTMFTests {
    @Test("digits map to event codes 0-15 and back")
    func digits() {
        #expect("0123456789*#ABCD".compactMap { DTMFDigit($0)?.code } == Array(0...15))
        #expect(DTMFDigit("d")?.code == 15)
        #expect(DTMFDigit("E") == nil)
        #expect(DTMFDigit(code: 16) == nil)
        #expect(DTMFDigit(code: 11)?.character == "#")
    }

    @Test("payload encodes event, E bit, volume and duration")
    func payload() throws {
        let event = TelephoneEvent(event: 11, isEnd: true, volume: 10, duration: 800)
        #expect(event.serialized() == [11, 0x8A, 0x03, 0x20])
        #expect(try TelephoneEvent(parsing: [5, 0x4A, 0, 160]) == TelephoneEvent(event: 5, volume: 10, duration: 160))
        #expect(throws: TelephoneEventError.tooShort(length: 3)) { try TelephoneEvent(parsing: [1, 2, 3]) }
    }

    @Test("sender: marker start, updates every 50 ms, three end packets with the final duration")
    func sender() throws {
        var stream = RTPStream(ssrc: 42, firstSequence: 65534)
        let schedule = DTMFSender().packets(
            for: DTMFDigit("5")!, length: .milliseconds(120), timestamp: 8000, stream: &stream)
        #expect(schedule.map(\.offset) == [0, 50, 100, 120, 140, 160].map { Duration.milliseconds($0) })
        #expect(schedule.map(\.packet.sequenceNumber) == [65534, 65535, 0, 1, 2, 3])
        #expect(schedule.map(\.packet.marker) == [true, false, false, false, false, false])
        #expect(schedule.allSatisfy { $0.packet.timestamp == 8000 && $0.packet.payloadType == 101 })
        let events = try schedule.map { try TelephoneEvent(parsing: $0.packet.payload) }
        #expect(events.map(\.duration) == [0, 400, 800, 960, 960, 960])
        #expect(events.map(\.isEnd) == [false, false, false, true, true, true])
        #expect(events.allSatisfy { $0.event == 5 })
        #expect(stream.nextSequence == 4)
        let firstTick = DTMFSender.due(schedule, after: nil, upTo: .milliseconds(20))
        #expect(firstTick.map(\.sequenceNumber) == [65534])
        let later = DTMFSender.due(schedule, after: .milliseconds(20), upTo: .milliseconds(125))
        #expect(later.map(\.sequenceNumber) == [65535, 0, 1])
    }

    @Test("receiver: one digit per event despite duplicate starts and end retransmissions")
    func receiverDeduplicates() {
        var stream = RTPStream(ssrc: 7, firstSequence: 1)
        let sender = DTMFSender()
        var packets = sender.packets(for: DTMFDigit("1")!, timestamp: 1000, stream: &stream).map(\.packet)
        packets.insert(packets[0], at: 1)  // duplicated start packet
        packets += sender.packets(for: DTMFDigit("#")!, timestamp: 3000, stream: &stream).map(\.packet)
        packets += sender.packets(for: DTMFDigit("1")!, timestamp: 5000, stream: &stream).map(\.packet)
        packets.append(packets[3])  // a late end packet of the first event
        packets.append(RTPPacket(payloadType: 0, sequenceNumber: 9, timestamp: 1, ssrc: 7, payload: [0xFF]))
        var receiver = DTMFReceiver()
        let presses = packets.compactMap { receiver.receive($0) }
        #expect(presses.map(\.digit.character) == ["1", "#", "1"])
        #expect(presses.map(\.timestamp) == [1000, 3000, 5000])
    }

    @Test("receiver: an event whose start packets were lost is reported from its end packet")
    func receiverLostStart() {
        var receiver = DTMFReceiver()
        let end = TelephoneEvent(event: 9, isEnd: true, duration: 800).serialized()
        let packet = RTPPacket(payloadType: 101, sequenceNumber: 3, timestamp: 16000, ssrc: 1, payload: end)
        #expect(receiver.receive(packet)?.digit == DTMFDigit("9"))
        #expect(receiver.receive(packet) == nil)
    }

    @Test("receiver: the next segment of a long event is not a second key press")
    func receiverLongEventSegments() {
        var receiver = DTMFReceiver()
        let full = TelephoneEvent(event: 2, duration: UInt16.max).serialized()
        let first = RTPPacket(marker: true, payloadType: 101, sequenceNumber: 1, timestamp: 100, ssrc: 1, payload: full)
        let next = RTPPacket(
            payloadType: 101, sequenceNumber: 2, timestamp: 100 + 65535, ssrc: 1,
            payload: TelephoneEvent(event: 2, duration: 400).serialized())
        #expect(receiver.receive(first)?.digit == DTMFDigit("2"))
        #expect(receiver.receive(next) == nil)
        // A real new press (marker) right after is reported.
        let again = RTPPacket(
            marker: true, payloadType: 101, sequenceNumber: 3, timestamp: 200_000, ssrc: 1,
            payload: TelephoneEvent(event: 2, duration: 0).serialized())
        #expect(receiver.receive(again)?.digit == DTMFDigit("2"))
    }
}
