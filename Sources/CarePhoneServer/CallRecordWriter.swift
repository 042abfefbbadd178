import Calls
import Foundation
import Logging

/// Writes CDRs on a background queue so the SIP event loop never waits for SQLite.
/// `flush()` waits for every record handed over so far (shutdown).
final class CallRecordWriter: Sendable {
    private let store: any CallRecordStore
    private let queue = DispatchQueue(label: "carephone.cdr")
    private let logger: Logger

    init(store: any CallRecordStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func write(_ record: CallRecord) {
        queue.async { [store, logger] in
            do { try store.insert(record) } catch {
                logger.error("could not store a call record", metadata: ["call": "\(record.id)", "error": "\(error)"])
            }
        }
    }

    func flush() {
        queue.sync {}
    }
}
