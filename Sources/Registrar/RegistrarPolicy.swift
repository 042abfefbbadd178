/// Limits a registrar applies to bindings (RFC 3261 §10.2.1.1, §10.3 step 7).
public struct RegistrarPolicy: Sendable, Equatable {
    /// Shorter non-zero expirations are refused with 423 and Min-Expires.
    public var minExpires: UInt32
    /// Used when the REGISTER gives no expiration.
    public var defaultExpires: UInt32
    /// Longer expirations are shortened to this.
    public var maxExpires: UInt32
    /// Most bindings one address-of-record may hold; a REGISTER that would exceed it gets 403.
    public var maxContactsPerAOR: Int

    public init(minExpires: UInt32 = 60, defaultExpires: UInt32 = 3600, maxExpires: UInt32 = 86_400, maxContactsPerAOR: Int = 10) {
        self.minExpires = minExpires
        self.defaultExpires = defaultExpires
        self.maxExpires = maxExpires
        self.maxContactsPerAOR = maxContactsPerAOR
    }
}
