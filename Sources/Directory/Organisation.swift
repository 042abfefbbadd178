import Foundation
import SIPCore

/// A tenant of the phone system: one clinic or practice, with its own SIP domain.
public struct Organisation: Sendable, Equatable, Hashable, Identifiable {
    /// Assigned by the store; `0` for an organisation not yet created.
    public var id: Int64
    public var name: String
    /// The SIP domain phones register to, e.g. `clinic.example`. Kept in lower case; lookups by
    /// domain are case-insensitive (RFC 3261 §19.1.4: hosts compare case-insensitively).
    public var sipDomain: String
    /// The digest realm of challenges (RFC 3261 §22.1). Device HA1 values depend on it, so
    /// changing it invalidates every stored credential of the organisation.
    public var realm: String
    /// IANA time zone identifier, e.g. `Europe/Rome`.
    public var timeZone: String
    /// BCP 47 language tag for prompts and texts, e.g. `en`, `it`, `zh-Hant`.
    public var locale: String
    /// Whether a Business Associate Agreement is signed. Recording requires it.
    public var baaSigned: Bool
    /// The digest algorithms offered in challenges, in order (RFC 8760 §2.4: one challenge per
    /// algorithm, preferred first). Defaults to MD5 alone: many phones, and SIPp, know no other.
    public var digestAlgorithms: [DigestAlgorithm]

    /// - Parameters:
    ///   - realm: the digest realm; defaults to `sipDomain`.
    public init(
        id: Int64 = 0, name: String, sipDomain: String, realm: String? = nil,
        timeZone: String = "UTC", locale: String = "en", baaSigned: Bool = false,
        digestAlgorithms: [DigestAlgorithm] = [.md5]
    ) {
        let domain = sipDomain.lowercased()
        self.id = id
        self.name = name
        self.sipDomain = domain
        self.realm = realm ?? domain
        self.timeZone = timeZone
        self.locale = locale
        self.baaSigned = baaSigned
        self.digestAlgorithms = digestAlgorithms
    }

    /// Checks the fields a store relies on; throws ``DirectoryError/invalidOrganisation(_:)``
    /// or ``DirectoryError/invalidDigestAlgorithms(_:)`` naming the first bad field.
    public func validate() throws(DirectoryError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidOrganisation("name is empty")
        }
        if !Organisation.isValidDomain(sipDomain) {
            throw .invalidOrganisation(
                "sip domain \"\(sipDomain)\" is not a host name (letters, digits, '-' and '.', e.g. clinic.example)")
        }
        if realm.isEmpty || realm.contains("\"") || realm.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw .invalidOrganisation("realm \"\(realm)\" must be non-empty, without quotes or control characters")
        }
        if TimeZone(identifier: timeZone) == nil {
            throw .invalidOrganisation("time zone \"\(timeZone)\" is not an IANA identifier such as Europe/Rome")
        }
        if locale.isEmpty {
            throw .invalidOrganisation("locale is empty; use a language tag such as en")
        }
        try Organisation.validateDigestAlgorithms(digestAlgorithms)
    }

    /// A list of offered algorithms must be non-empty and name each algorithm at most once.
    public static func validateDigestAlgorithms(_ algorithms: [DigestAlgorithm]) throws(DirectoryError) {
        if algorithms.isEmpty {
            throw .invalidDigestAlgorithms("at least one algorithm must be offered")
        }
        if Set(algorithms).count != algorithms.count {
            let names = algorithms.map(\.rawValue).joined(separator: ", ")
            throw .invalidDigestAlgorithms("\(names) names an algorithm more than once")
        }
    }

    /// A DNS host name or an IP literal: ASCII letters, digits, `-`, `.`, and for IPv6 `:` in
    /// brackets. Internationalised domains must be given in their `xn--` form.
    static func isValidDomain(_ domain: String) -> Bool {
        guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            return domain.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

extension DigestAlgorithm {
    /// Encodes an ordered list for storage as `MD5,SHA-256`.
    public static func encodeList(_ algorithms: [DigestAlgorithm]) -> String {
        algorithms.map(\.rawValue).joined(separator: ",")
    }

    /// Decodes ``encodeList(_:)``; `nil` if any name is unknown.
    public static func decodeList(_ text: String) -> [DigestAlgorithm]? {
        if text.isEmpty { return [] }
        var result: [DigestAlgorithm] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let algorithm = DigestAlgorithm(rawValue: String(name)) else { return nil }
            result.append(algorithm)
        }
        return result
    }
}
