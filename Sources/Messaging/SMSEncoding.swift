import Foundation

/// The character encoding an SMS is sent in (3GPP TS 23.038 §4, data coding scheme).
public enum SMSEncoding: String, Sendable, Equatable, CaseIterable {
    /// GSM 7-bit default alphabet with its extension table (3GPP TS 23.038 §6.2.1).
    case gsm7
    /// UCS-2, 16-bit code units (3GPP TS 23.038 §6.2.3). Characters outside the Basic Multilingual
    /// Plane are sent as UTF-16 surrogate pairs, two units each, as handsets do in practice.
    case ucs2

    /// Code units a single, unconcatenated message can carry (140 octets of user data).
    public var singleMessageCapacity: Int {
        switch self {
        case .gsm7: 160
        case .ucs2: 70
        }
    }

    /// Code units each part of a concatenated message can carry: the 6-octet user data header
    /// (3GPP TS 23.040 §9.2.3.24.1) leaves 153 septets or 67 UCS-2 units.
    public var concatenatedPartCapacity: Int {
        switch self {
        case .gsm7: 153
        case .ucs2: 67
        }
    }

    /// The cheapest encoding that can carry `text`: GSM-7 when every character is in the default
    /// alphabet or its extension table, UCS-2 otherwise.
    public static func choose(for text: String) -> SMSEncoding {
        GSM7Alphabet.canEncode(text) ? .gsm7 : .ucs2
    }
}
