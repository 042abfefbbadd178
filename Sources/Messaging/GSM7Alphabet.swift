import Foundation

/// The GSM 7-bit default alphabet and its extension table, 3GPP TS 23.038 §6.2.1.
///
/// A character of the basic table costs one septet; a character of the extension table costs two
/// (the escape `0x1B` followed by its code), and the two septets must travel in the same part.
enum GSM7Alphabet {
    /// 3GPP TS 23.038 §6.2.1, table 1 (the 128 code points less the escape 0x1B), in code order.
    /// Note that `É` is present and `È`, `Á`, `Í`, `Ó`, `Ú` are not; `Ç` (0x09) is the capital.
    static let basic: Set<Unicode.Scalar> = {
        let table =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        return Set(table.unicodeScalars)
    }()

    /// 3GPP TS 23.038 §6.2.1.1, the extension table: form feed, `^ { } \ [ ~ ] |` and the euro sign.
    static let extensionTable: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Septets one scalar costs, or `nil` when it is not in the alphabet.
    static func septets(for scalar: Unicode.Scalar) -> Int? {
        if basic.contains(scalar) { return 1 }
        if extensionTable.contains(scalar) { return 2 }
        return nil
    }

    /// Whether every scalar of the canonically composed `text` is in the alphabet.
    static func canEncode(_ text: String) -> Bool {
        text.precomposedStringWithCanonicalMapping.unicodeScalars.allSatisfy { septets(for: $0) != nil }
    }
}
