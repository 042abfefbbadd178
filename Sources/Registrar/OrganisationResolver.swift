import Directory

/// Finds the organisation a request is for, from the host of its Request-URI.
///
/// A host equal to an organisation's SIP domain selects it. A host that is one of the server's
/// own names (the address the request arrived at, the machine's host name, `localhost`) selects
/// the default organisation, so a phone configured with only the server's address works when
/// there is a single organisation (issue: "Organisations and domains").
public struct OrganisationResolver: Sendable {
    public var serverNames: Set<String>

    public init(serverNames: Set<String>) {
        self.serverNames = Set(serverNames.map { $0.lowercased() })
    }

    public func isServerName(_ host: String, localAddress: String?) -> Bool {
        let h = Self.bare(host.lowercased())
        return serverNames.contains(h) || h == localAddress.map(Self.bare) || h == "localhost" || h == "127.0.0.1" || h == "::1"
    }

    /// The organisation for `host`; the default (first) one when the host is not a known domain,
    /// so that unknown domains are challenged like known ones and reveal nothing.
    public func organisation(for host: String, in organisations: [Organisation]) -> (Organisation, exactDomain: Bool)? {
        let h = host.lowercased()
        if let exact = organisations.first(where: { $0.sipDomain == h }) { return (exact, true) }
        guard let first = organisations.min(by: { $0.id < $1.id }) else { return nil }
        return (first, false)
    }

    static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
