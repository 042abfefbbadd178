@testable import Calls

/// The organisation's users and their registered contacts, set by each test.
final class FakeDirectory: CallDirectory {
    private var users: [String: [ContactTarget]] = [:]

    /// Makes `number` a user with these registered contacts (none: a user who is not registered).
    func add(_ number: String, contacts: [ContactTarget]) {
        users[number] = contacts
    }

    func lookup(extension number: String, organisationID: Int64) -> ExtensionLookup {
        guard let contacts = users[number] else { return .unknown }
        return .user(displayName: "User \(number)", contacts: contacts)
    }
}

/// The phones of the tests, each with its own address.
enum Phones {
    static func contact(
        _ number: String, host: String, port: Int = 5060, transport: String = "udp", userAgent: String? = nil
    ) -> ContactTarget {
        ContactTarget(
            uri: "sip:\(number)@\(host):\(port)" + (transport == "udp" ? "" : ";transport=\(transport)"),
            destination: CallDestination(transport: transport, host: host, port: port),
            aor: "sip:\(number)@clinic.example", userAgent: userAgent)
    }

    /// The caller's phone, extension 1001.
    static let caller = CallDestination(transport: "udp", host: "10.0.0.1", port: 5060)
    static let deskPhone1002 = contact("1002", host: "10.0.0.2", userAgent: "Desk")
    static let softphone1002 = contact("1002", host: "10.0.0.3", port: 5062, userAgent: "Soft")
    static let phone1003 = contact("1003", host: "10.0.0.4")
}
