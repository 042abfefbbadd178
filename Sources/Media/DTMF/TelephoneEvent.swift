/// A DTMF key as an RFC 4733 event code (§3.2, Table 3): 0-9 are 0-9, `*` 10, `#` 11, A-D 12-15.
public struct DTMFDigit: Sendable, Hashable, CustomStringConvertible {
    public let code: UInt8

    /// The digit for an event code 0...15, or nil for other events (tones, flash).
    public init?(code: UInt8) {
        guard code <= 15 else { return nil }
        self.code = code
    }

    /// The digit for a key character ("0"-"9", "*", "#", "A"-"D", case-insensitive).
    public init?(_ character: Character) {
        switch character {
        case "0"..."9": code = UInt8(character.asciiValue! - 48)
        case "*": code = 10
        case "#": code = 11
        case "A"..."D": code = UInt8(character.asciiValue! - 65 + 12)
        case "a"..."d": code = UInt8(character.asciiValue! - 97 + 12)
        default: return nil
        }
    }

    public var character: Character { Array("0123456789*#ABCD")[Int(code)] }
    public var description: String { String(character) }
}

/// The telephone-event payload (RFC 4733 §2.3):
/// ```
/// |     event     |E|R| volume    |          duration             |
/// ```
/// `duration` is in RTP timestamp units since the event's timestamp; `volume` is the power
/// level in -dBm0, 0...63.
public struct TelephoneEvent: Sendable, Equatable {
    public var event: UInt8
    public var isEnd: Bool
    public var volume: UInt8
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume
        self.duration = duration
    }

    /// Parses the first four bytes of a payload. §2.3: the R bit is ignored by receivers; a
    /// payload may carry more events (RFC 4733 §2.5.1.5 redundancy is not used here).
    public init(parsing payload: [UInt8]) throws(TelephoneEventError) {
        guard payload.count >= 4 else { throw .tooShort(length: payload.count) }
        event = payload[0]
        isEnd = payload[1] & 0x80 != 0
        volume = payload[1] & 0x3F
        duration = UInt16(payload[2]) << 8 | UInt16(payload[3])
    }

    public func serialized() -> [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(truncatingIfNeeded: duration)]
    }

    /// The event as a DTMF digit, if it is one.
    public var digit: DTMFDigit? { DTMFDigit(code: event) }
}

public enum TelephoneEventError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(length: Int)

    public var description: String {
        switch self {
        case .tooShort(let length): "telephone-event payload of \(length) bytes; RFC 4733 §2.3 needs 4"
        }
    }
}
