import SIPCore

/// How a request finds its server transaction (RFC 3261 §17.2.3).
///
/// The hash is computed once: the index dictionary rehashes keys when it deletes or grows, and
/// compares hashes before strings, which matters with 200,000 live transactions.
@usableFromInline
struct ServerKey: Hashable, Sendable {
    @usableFromInline
    enum Fields: Hashable, Sendable {
        /// Top Via with the z9hG4bK cookie: branch, sent-by, and the method (INVITE for an ACK).
        case branch(BranchKey)
        /// RFC 2543 peers: the fields that identified a transaction before branches were unique.
        /// Boxed, so that the common case keeps dictionary buckets small.
        indirect case legacy(LegacyKey)
    }

    @usableFromInline let fields: Fields
    @usableFromInline let hash: Int

    @usableFromInline init(_ fields: Fields) {
        self.fields = fields
        self.hash = fields.hashValue
    }

    @inlinable
    static func == (a: ServerKey, b: ServerKey) -> Bool { a.hash == b.hash && a.fields == b.fields }
    @inlinable
    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    @usableFromInline
    struct BranchKey: Hashable, Sendable {
        var branch: String
        var host: String
        var port: Int?
        var method: SIPMethod
    }

    /// §17.2.3: Request-URI, To tag, From tag, Call-ID, CSeq and top Via. For an ACK the To tag
    /// is checked separately against the response's (see `TransactionLayer.inviteTransaction(forACK:)`).
    @usableFromInline
    struct LegacyKey: Hashable, Sendable {
        @usableFromInline var requestURI: String
        @usableFromInline var toTag: String?
        @usableFromInline var fromTag: String?
        @usableFromInline var callID: String
        @usableFromInline var sequence: UInt32
        @usableFromInline var method: SIPMethod
        @usableFromInline var topVia: Via
    }

    /// The key of the transaction `request` belongs to, if that transaction was created by a
    /// request with `method` and the To tag `toTag`.
    @usableFromInline
    init(_ request: SIPRequest, routing: RoutingHeaders, method: SIPMethod, toTag: String?) {
        let via = routing.topVia
        if let branch = via.branch, branch.utf8.count > 7, branch.hasPrefix("z9hG4bK") {
            self.init(
                .branch(BranchKey(branch: branch, host: Self.lowercased(via.host), port: via.port, method: method)))
        } else {
            self.init(
                .legacy(
                    LegacyKey(
                        requestURI: request.uriString, toTag: toTag, fromTag: routing.from.tag, callID: routing.callID,
                        sequence: routing.cseq.sequence, method: method, topVia: via)))
        }
    }

    @inlinable var isLegacy: Bool {
        switch fields {
        case .branch: false
        case .legacy: true
        }
    }

    /// Host names compare case-insensitively; most sent-by values are addresses already in lower case.
    private static func lowercased(_ host: String) -> String {
        host.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? host.lowercased() : host
    }
}

/// How a response finds its client transaction (RFC 3261 §17.1.3): the branch of the top Via
/// and the CSeq method (a CANCEL shares its INVITE's branch but is its own transaction).
@usableFromInline
struct ClientKey: Hashable, Sendable {
    @usableFromInline let branch: String
    @usableFromInline let method: SIPMethod
    @usableFromInline let hash: Int

    @usableFromInline init(branch: String, method: SIPMethod) {
        self.branch = branch
        self.method = method
        var hasher = Hasher()
        hasher.combine(branch)
        hasher.combine(method)
        self.hash = hasher.finalize()
    }

    @inlinable
    static func == (a: ClientKey, b: ClientKey) -> Bool {
        a.hash == b.hash && a.branch == b.branch && a.method == b.method
    }
    @inlinable
    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
