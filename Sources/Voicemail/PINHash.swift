import Foundation
import SIPCore

/// Voicemail PINs, stored only as salted, stretched hashes: `v1$<salt hex>$<hash hex>`, where
/// the hash is HMAC-SHA256 keyed by the salt, applied `rounds` times to the PIN.
///
/// PINs are short, so no hash makes a stolen database safe against guessing; the stretching
/// makes guessing slower, and the phone interface limits wrong tries like SIP passwords.
public enum PINHash {
    public static let rounds = 5_000

    /// Why `pin` cannot be a PIN (4 to 10 digits), or nil.
    public static func problem(_ pin: String) -> String? {
        guard (4...10).contains(pin.count) else { return "a PIN has 4 to 10 digits" }
        guard pin.allSatisfy({ $0.isASCII && $0.isNumber }) else { return "a PIN has digits only" }
        return nil
    }

    public static func make(_ pin: String, salt: [UInt8]? = nil) -> String {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        return "v1$\(hex(salt))$\(hex(stretch(pin, salt: salt)))"
    }

    /// Whether `pin` matches `stored` (compared in constant time).
    public static func verify(_ pin: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 3, parts[0] == "v1", let salt = bytes(parts[1]), let expected = bytes(parts[2]) else { return false }
        let actual = stretch(pin, salt: salt)
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func stretch(_ pin: String, salt: [UInt8]) -> [UInt8] {
        var value = Array(pin.utf8)
        for _ in 0..<rounds { value = HMACSHA256.authenticationCode(key: salt, message: value) }
        return value
    }

    private static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    private static func bytes(_ text: Substring) -> [UInt8]? { Hex.decode(text) }
}
