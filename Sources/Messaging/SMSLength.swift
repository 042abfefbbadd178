import Foundation

/// How long a text is on the air: its encoding, its size in that encoding's code units, and the
/// number of SMS parts it needs.
///
/// The text is measured in Unicode canonical composed form (NFC), which is what a handset sends:
/// `e` followed by a combining grave accent counts as the single GSM-7 character `è`.
public struct SMSLength: Sendable, Equatable {
    /// The encoding the text will be sent in.
    public let encoding: SMSEncoding
    /// Septets for GSM-7 (extension characters count 2), 16-bit units for UCS-2 (characters outside
    /// the Basic Multilingual Plane count 2).
    public let units: Int
    /// Parts needed; an empty text still needs one.
    public let segments: Int

    /// A length with known parts, for comparisons in tests and callers that stored one.
    public init(encoding: SMSEncoding, units: Int, segments: Int) {
        self.encoding = encoding
        self.units = units
        self.segments = segments
    }

    /// Measures `text`, choosing the encoding with ``SMSEncoding/choose(for:)``.
    public init(measuring text: String) {
        let composed = text.precomposedStringWithCanonicalMapping
        let encoding = SMSEncoding.choose(for: composed)
        // Each entry is one indivisible unit group: an escape sequence or a surrogate pair must not be
        // split across parts (3GPP TS 23.038 §6.2.1.1; 3GPP TS 23.040 §9.2.3.24.1).
        let costs: [Int] =
            switch encoding {
            case .gsm7: composed.unicodeScalars.map { GSM7Alphabet.septets(for: $0) ?? 1 }
            case .ucs2: composed.unicodeScalars.map { $0.utf16.count }
            }
        self.encoding = encoding
        self.units = costs.reduce(0, +)
        self.segments = Self.segmentCount(costs: costs, encoding: encoding)
    }

    /// Fills parts greedily without splitting a unit group.
    private static func segmentCount(costs: [Int], encoding: SMSEncoding) -> Int {
        let total = costs.reduce(0, +)
        if total <= encoding.singleMessageCapacity { return 1 }
        let capacity = encoding.concatenatedPartCapacity
        var parts = 1
        var used = 0
        for cost in costs {
            if used + cost > capacity {
                parts += 1
                used = 0
            }
            used += cost
        }
        return parts
    }
}
