import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free ports, found by binding port 0 and reading what the kernel chose.
///
/// A SIP port must be free for UDP and TCP on every address the server will bind, so the
/// candidate from a TCP bind is checked with UDP (and on the other addresses) before use.
/// Another process could still take it before the server binds: tiny window, and the server
/// then fails to start with a clear message rather than misbehaving.
enum FreePort {
    /// A port free for both UDP and TCP on all `hosts`; `consecutive` > 1 asks for that many
    /// adjacent free ports starting at the returned one (baresip uses P, P+1 and P+2).
    static func pick(hosts: [String] = ["127.0.0.1"], consecutive: Int = 1) throws -> UInt16 {
        for _ in 0..<200 {
            let candidate = try bindZero(host: hosts[0])
            guard Int(candidate) + consecutive - 1 <= 65535 else { continue }
            let ports = (0..<consecutive).map { candidate + UInt16($0) }
            if ports.allSatisfy({ port in hosts.allSatisfy { isFree(host: $0, port: port) } }) {
                return candidate
            }
        }
        throw HarnessError("could not find a free port on \(hosts) after 200 tries")
    }

    /// A port free for TCP only (the HTTP API).
    static func pickTCP(host: String = "127.0.0.1") throws -> UInt16 {
        try bindZero(host: host)
    }

    /// Whether `port` can be bound on `host` for both UDP and TCP right now.
    static func isFree(host: String, port: UInt16) -> Bool {
        for type in [SOCK_STREAM, SOCK_DGRAM] {
            guard let fd = try? SocketAddress(host: host, port: port).boundSocket(type: socketType(type)) else {
                return false
            }
            close(fd)
        }
        return true
    }

    private static func bindZero(host: String) throws -> UInt16 {
        let address = try SocketAddress(host: host, port: 0)
        let fd = try address.boundSocket(type: socketType(SOCK_STREAM))
        defer { close(fd) }
        return try SocketAddress.local(of: fd).port
    }
}

#if canImport(Glibc)
    func socketType(_ t: __socket_type) -> Int32 { Int32(t.rawValue) }
#else
    func socketType(_ t: Int32) -> Int32 { t }
#endif

/// An IPv4 or IPv6 socket address for the POSIX calls, built from a numeric host.
struct SocketAddress: CustomStringConvertible, Sendable {
    var storage: sockaddr_storage
    var length: socklen_t

    init(host: String, port: UInt16) throws {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET, bare, &v4) == 1 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr = v4
            withUnsafeBytes(of: &sin) { raw in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, bare, &v6) == 1 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_addr = v6
            withUnsafeBytes(of: &sin6) { raw in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw HarnessError("\(host) is not a numeric IPv4 or IPv6 address")
        }
        self.storage = storage
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    var family: Int32 { Int32(storage.ss_family) }
    var isIPv6: Bool { family == AF_INET6 }

    var port: UInt16 {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { bytes in
                // sin_port and sin6_port are both at offset 2, in network order.
                UInt16(bytes[2]) << 8 | UInt16(bytes[3])
            }
        }
    }

    var host: String {
        var copy = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return withUnsafePointer(to: &copy) { pointer -> String in
            if isIPv6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var a = sin6.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
                }
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// `host:port`, with brackets around an IPv6 host (as in a SIP URI).
    var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A new socket of `type` bound to this address (SO_REUSEADDR off, so a taken port fails).
    func boundSocket(type: Int32) throws -> Int32 {
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
        var copy = storage
        let result = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        if result != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw HarnessError("bind \(self): \(message)")
        }
        return fd
    }

    /// The local address a socket is bound to.
    static func local(of fd: Int32) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw HarnessError("getsockname(): \(String(cString: strerror(errno)))") }
        return SocketAddress(storage: storage, length: length)
    }
}
