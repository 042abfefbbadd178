// HMAC (RFC 2104) over SHA-256, used to sign stateless digest nonces.

/// HMAC-SHA256 (RFC 2104 with the SHA-256 of FIPS 180-4; test vectors in RFC 4231).
public enum HMACSHA256 {
    /// Length of an authentication code in bytes.
    public static let byteCount = SHA256.digestByteCount

    /// The 32-byte HMAC-SHA256 of `message` under `key`. Keys longer than the 64-byte block are
    /// hashed first (RFC 2104 §2); any key length is accepted.
    public static func authenticationCode(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        var mac = Authenticator(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Streaming HMAC-SHA256: feed the message in pieces without concatenating them.
    public struct Authenticator: Sendable {
        private var inner = SHA256()
        private var outer = SHA256()

        /// Starts a MAC under `key`.
        public init(key: some Sequence<UInt8>) {
            var block = Array(key)
            if block.count > SHA256.blockByteCount {
                block = SHA256.hash(block)
            }
            block.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - block.count))
            // RFC 2104 §2: K XOR ipad for the inner hash, K XOR opad for the outer one.
            var pad = block
            for i in pad.indices { pad[i] = block[i] ^ 0x36 }
            inner.update(pad)
            for i in pad.indices { pad[i] = block[i] ^ 0x5c }
            outer.update(pad)
        }

        /// Feeds part of the message.
        public mutating func update(_ bytes: some Sequence<UInt8>) {
            inner.update(bytes)
        }

        /// Feeds part of the message from raw memory.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            inner.update(bytes)
        }

        /// The authentication code of everything fed so far.
        public func finalize() -> [UInt8] {
            var outer = self.outer
            outer.update(inner.finalize())
            return outer.finalize()
        }
    }
}
