import Foundation
import Messaging

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.x server on 127.0.0.1 for the gateway tests: it plays our server's callbacks
/// (Kannel's dlr-url and sms-service get-url) and a cloud provider's REST endpoint. One request
/// per connection (it answers `Connection: close`), requests recorded in arrival order, the
/// answer chosen by `respond` (given the request and its 0-based number).
final class LoopbackHTTPListener: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        /// The request target, e.g. `/dlr?id=m1&type=8`.
        var target: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: Data

        var path: String { String(target.prefix { $0 != "?" }) }
        /// Query parameters, form-decoded (`+` is a space).
        var query: [String: String] {
            guard let mark = target.firstIndex(of: "?") else { return [:] }
            return Self.formDecode(String(target[target.index(after: mark)...]))
        }
        /// The body as form parameters.
        var form: [String: String] { Self.formDecode(String(decoding: body, as: UTF8.self)) }

        static func formDecode(_ text: String) -> [String: String] { FormURLEncoding.decode(text) }
    }

    struct Response: Sendable {
        var status: Int
        var body: String = ""
        var contentType: String = "text/plain"
        static let ok = Response(status: 200)
    }

    let port: UInt16
    private let fd: Int32
    private let respond: @Sendable (Request, Int) -> Response
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    /// Listens on 127.0.0.1:`port` (0 picks a free one) and serves until `stop()`.
    init(port: UInt16 = 0, respond: @escaping @Sendable (Request, Int) -> Response = { _, _ in .ok }) throws {
        fd = try SocketAddress(host: "127.0.0.1", port: port).boundSocket(type: socketType(SOCK_STREAM))
        guard listen(fd, 16) == 0 else {
            close(fd)
            throw HarnessError("listen(): \(String(cString: strerror(errno)))")
        }
        self.port = try SocketAddress.local(of: fd).port
        self.respond = respond
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [Request] { lock.withLock { recorded } }

    /// Waits until `count` requests have arrived (or `timeout` seconds) and returns them all.
    func waitForRequests(count: Int, timeout: TimeInterval) -> [Request] {
        let deadline = Date().addingTimeInterval(timeout)
        while requests.count < count && Date() < deadline { usleep(20_000) }
        return requests
    }

    /// Stops accepting and closes the socket (bounded: the loop polls every 100 ms).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        _ = finished.wait(timeout: .now() + 2)
        close(fd)
    }

    private func serve() {
        defer { finished.signal() }
        while !lock.withLock({ stopping }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = read(client) else { return }
        let number = lock.withLock { () -> Int in
            recorded.append(request)
            return recorded.count - 1
        }
        let answer = respond(request, number)
        let body = Data(answer.body.utf8)
        let head =
            "HTTP/1.1 \(answer.status) Status\r\nContent-Type: \(answer.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Data(head.utf8) + body
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads one request: head up to the blank line, then Content-Length bytes of body.
    private func read(_ client: Int32) -> Request? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        let blank = Data("\r\n\r\n".utf8)
        while data.range(of: blank) == nil {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            data.append(contentsOf: buffer[0..<n])
        }
        let headEnd = data.range(of: blank)!
        let lines = String(decoding: data[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Data(data[headEnd.upperBound...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            body.append(contentsOf: buffer[0..<n])
        }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }
}
