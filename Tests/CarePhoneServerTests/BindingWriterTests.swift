import Foundation
import NIOPosix
import Registrar
import Storage
import Testing

@testable import CarePhoneServer

/// Group commit on a real SQLite file: every completion runs after its changes are durable.
@Suite struct BindingWriterTests {
    @Test func everyAcknowledgedChangeIsOnDisk() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try DataFolder(path: folder).openDatabase()
        let store = SQLiteBindingStore(database: database)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let writer = BindingWriter(store: store, eventLoop: loop, maxBatch: 50)
        writer.start()
        let count = 500
        let acknowledged = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<count {
                group.addTask {
                    let binding = Binding(aor: "sip:\(10000 + i)@clinic.example", contactURI: "sip:\(10000 + i)@192.0.2.1:5060", callID: "c\(i)", cseq: 1,
                                          expiresAt: 4_000_000_000, transport: "udp", sourceHost: "192.0.2.1", sourcePort: 5060)
                    return try await withCheckedThrowingContinuation { continuation in
                        writer.submit([.upsert(binding)]) { result in
                            #expect(loop.inEventLoop)
                            switch result {
                            case .success:
                                // Durable now: a second connection sees it.
                                let seen = (try? SQLiteBindingStore(database: try DataFolder(path: folder).openDatabase()).bindings(aor: binding.aor).count) ?? 0
                                continuation.resume(returning: seen == 1 ? binding.aor : "missing \(binding.aor)")
                            case .failure(let error): continuation.resume(throwing: error)
                            }
                        }
                    }
                }
            }
            var all: [String] = []
            for try await aor in group { all.append(aor) }
            return all
        }
        writer.stop()
        try await group.shutdownGracefully()
        #expect(acknowledged.count == count)
        #expect(acknowledged.allSatisfy { !$0.hasPrefix("missing") })
        #expect(try store.loadAll().count == count)
    }
}
