import SIPCore

@testable import Calls

/// The trunk provider of the tests, which challenges with Digest (RFC 3261 §22).
enum Carrier {
    static let destination = CallDestination(transport: "udp", host: "203.0.113.5", port: 5060)
    static let realm = "carrier.example"
    static let username = "clinic"
    static let password = "s3cret"

    static func trunk(register: Bool = false) -> Trunk {
        Trunk(
            name: "carrier", destination: destination, domain: "sip.carrier.example", username: username,
            password: password, register: register, registerExpires: 600, callerID: "+390612345678")
    }

    static func challenge(nonce: String, stale: Bool = false) -> String {
        "Digest realm=\"\(realm)\", nonce=\"\(nonce)\", algorithm=MD5, qop=\"auth\"" + (stale ? ", stale=true" : "")
    }

    /// Whether `header` (an Authorization or Proxy-Authorization value) is right for our password.
    static func credentials(_ header: String?) -> DigestCredentials? {
        header.flatMap { try? DigestCredentials(parsing: $0) }
    }

    static var ha1: String { DigestAlgorithm.md5.ha1(username: username, realm: realm, password: password) }
}
