import SIPCore

/// A SIP account that registers: a desk phone or softphone, belonging to a user.
///
/// Only the digest HA1 values are stored, `H(username:realm:password)` for each algorithm
/// (RFC 7616 §3.4.2, RFC 3261 §22.4), never the password. Both are computed with the
/// organisation's realm, so either algorithm can be offered without asking for the password again.
public struct Device: Sendable, Equatable, Hashable, Identifiable {
    /// Assigned by the store; `0` for a device not yet created.
    public var id: Int64
    public var organisationID: Int64
    public var userID: Int64
    /// The digest username, usually the user's extension. Unique within the organisation.
    public var username: String
    /// Lowercase hex MD5 HA1.
    public var ha1MD5: String
    /// Lowercase hex SHA-256 HA1.
    public var ha1SHA256: String
    /// Algorithms this device is challenged with, in order; `nil` means the organisation's.
    public var digestAlgorithms: [DigestAlgorithm]?

    public init(
        id: Int64 = 0, organisationID: Int64, userID: Int64, username: String,
        ha1MD5: String, ha1SHA256: String, digestAlgorithms: [DigestAlgorithm]? = nil
    ) {
        self.id = id
        self.organisationID = organisationID
        self.userID = userID
        self.username = username
        self.ha1MD5 = ha1MD5
        self.ha1SHA256 = ha1SHA256
        self.digestAlgorithms = digestAlgorithms
    }

    /// A device whose HA1 values are computed from `password` with `realm`. The password is not kept.
    public init(
        id: Int64 = 0, organisationID: Int64, userID: Int64, username: String,
        password: String, realm: String, digestAlgorithms: [DigestAlgorithm]? = nil
    ) {
        self.init(
            id: id, organisationID: organisationID, userID: userID, username: username,
            ha1MD5: DigestAlgorithm.md5.ha1(username: username, realm: realm, password: password),
            ha1SHA256: DigestAlgorithm.sha256.ha1(username: username, realm: realm, password: password),
            digestAlgorithms: digestAlgorithms)
    }

    /// Replaces both HA1 values with ones computed from a new password.
    public mutating func setPassword(_ password: String, realm: String) {
        ha1MD5 = DigestAlgorithm.md5.ha1(username: username, realm: realm, password: password)
        ha1SHA256 = DigestAlgorithm.sha256.ha1(username: username, realm: realm, password: password)
    }

    /// The stored HA1 for `algorithm`.
    public func ha1(for algorithm: DigestAlgorithm) -> String {
        switch algorithm {
        case .md5: return ha1MD5
        case .sha256: return ha1SHA256
        }
    }

    /// The algorithms to challenge this device with: its own override, else the organisation's.
    public func effectiveDigestAlgorithms(in organisation: Organisation) -> [DigestAlgorithm] {
        digestAlgorithms ?? organisation.digestAlgorithms
    }

    /// SIP passwords shorter than this are refused.
    public static let minimumPasswordLength = 8
    /// SIP passwords longer than this are refused (phones' configuration fields are limited).
    public static let maximumPasswordLength = 128

    /// Why `password` is not acceptable, or `nil` if it is.
    /// The wording fits after `line N: ` in an import report, and never repeats the password.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordLength {
            return "sip_password must be at least \(minimumPasswordLength) characters"
        }
        if password.count > maximumPasswordLength {
            return "sip_password must be at most \(maximumPasswordLength) characters"
        }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "sip_password contains a control character (such as a line break or tab)"
        }
        return nil
    }
}
