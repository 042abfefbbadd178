import Calls
import Foundation
import Logging

/// Writes CDRs on a background queue so the SIP event loop never waits for SQLite. Records
/// that arrive while a write is in progress are written together in the next transaction
/// (group commit: one fsync for many calls at high call rates). `flush()` waits until every
/// record handed over so far is written (shutdown).
final class CallRecordWriter: @unchecked Sendable {
    private let store: any CallRecordStore
    private let queue = DispatchQueue(label: "carephone.cdr")
    private let logger: Logger
    private let lock = NSLock()
    private var pending: [CallRecord] = []
    private var scheduled = false

    init(store: any CallRecordStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func write(_ record: CallRecord) {
        let schedule: Bool = lock.withLock {
            pending.append(record)
            defer { scheduled = true }
            return !scheduled
        }
        if schedule { queue.async { self.drain() } }
    }

    private func drain() {
        let batch: [CallRecord] = lock.withLock {
            defer {
                pending = []
                scheduled = false
            }
            return pending
        }
        guard !batch.isEmpty else { return }
        do { try store.insert(batch) } catch {
            logger.error("could not store call records", metadata: ["calls": "\(batch.map(\.id))", "error": "\(error)"])
        }
    }

    func flush() {
        queue.sync { drain() }
    }
}
