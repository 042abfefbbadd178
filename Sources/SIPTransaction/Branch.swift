/// Via branch values (RFC 3261 §8.1.1.7): the magic cookie z9hG4bK followed by 128 random bits,
/// unique across space and time.
public enum Branch {
    /// The cookie that marks a branch as an RFC 3261 transaction identifier.
    public static let magicCookie = "z9hG4bK"

    // Token characters only (RFC 3261 §25.1), 64 of them: 6 bits each.
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.".utf8)

    /// A fresh branch from the system's random generator.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh branch from `generator` (tests pass a seeded one).
    public static func random<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        var bytes: [UInt8] = Array(magicCookie.utf8)
        bytes.reserveCapacity(7 + 22)
        for _ in 0..<2 {
            var bits: UInt64 = generator.next()
            for _ in 0..<11 {
                bytes.append(alphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
