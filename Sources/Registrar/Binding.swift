import Foundation

/// One registered contact of an address-of-record (RFC 3261 §10.3, the "location service").
///
/// A binding is keyed by `(aor, contactURI)`; a later REGISTER for the same pair replaces it.
public struct Binding: Sendable, Equatable, Hashable {
    /// The canonical address-of-record, e.g. `sip:1001@clinic.example`.
    public var aor: String
    /// The Contact URI exactly as the phone sent it (without the angle brackets).
    public var contactURI: String
    /// Call-ID of the REGISTER that created or last refreshed the binding (RFC 3261 §10.3 step 7).
    public var callID: String
    /// CSeq number of that REGISTER.
    public var cseq: UInt32
    /// When the binding lapses, in whole seconds since 1970.
    public var expiresAt: Int64
    /// Contact `q` parameter (0.0 to 1.0), if given.
    public var q: Double?
    /// `+sip.instance` Contact parameter (RFC 5626), if given.
    public var instanceID: String?
    /// `reg-id` Contact parameter (RFC 5626), if given.
    public var regID: Int?
    /// Path header values (RFC 3327), in order.
    public var path: [String]
    /// The `User-Agent` header of the REGISTER, for administrators.
    public var userAgent: String?
    /// Transport the REGISTER arrived on: `udp`, `tcp`, `tls`.
    public var transport: String
    /// Source address and port the REGISTER came from (for NAT and connection reuse).
    public var sourceHost: String
    public var sourcePort: Int
    /// The local address and port the REGISTER arrived at.
    public var localHost: String
    public var localPort: Int

    public init(
        aor: String, contactURI: String, callID: String, cseq: UInt32, expiresAt: Int64,
        q: Double? = nil, instanceID: String? = nil, regID: Int? = nil, path: [String] = [],
        userAgent: String? = nil, transport: String, sourceHost: String, sourcePort: Int,
        localHost: String = "", localPort: Int = 0
    ) {
        self.aor = aor
        self.contactURI = contactURI
        self.callID = callID
        self.cseq = cseq
        self.expiresAt = expiresAt
        self.q = q
        self.instanceID = instanceID
        self.regID = regID
        self.path = path
        self.userAgent = userAgent
        self.transport = transport
        self.sourceHost = sourceHost
        self.sourcePort = sourcePort
        self.localHost = localHost
        self.localPort = localPort
    }
}

extension Binding {
    /// `host:port` of the phone, with IPv6 addresses in brackets (`[::1]:5062`).
    public var sourceDescription: String {
        sourceHost.contains(":") ? "[\(sourceHost)]:\(sourcePort)" : "\(sourceHost):\(sourcePort)"
    }
}

/// A change to the location service, applied to storage before the 200 OK is sent.
public enum BindingChange: Sendable, Equatable {
    /// Insert or replace the binding with the same `(aor, contactURI)`.
    case upsert(Binding)
    /// Remove one binding.
    case remove(aor: String, contactURI: String)
    /// Remove every binding of an address-of-record (`Contact: *`, RFC 3261 §10.2.2).
    case removeAll(aor: String)
    /// Remove every binding whose `expiresAt` is at or before the given time.
    case removeExpired(atOrBefore: Int64)
}

/// Durable storage for bindings. `apply` must make all changes of one call durable, in one
/// transaction, before it returns: the registrar sends its 200 OK only after that.
public protocol BindingStore: Sendable {
    func loadAll() throws -> [Binding]
    func apply(_ changes: [BindingChange]) throws
}
