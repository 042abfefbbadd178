import Foundation
import NIOCore
import Registrar

/// Group commit for registrations: changes from many REGISTERs that arrive while a write is in
/// progress are written together in one SQLite transaction, and each REGISTER's 200 OK is sent
/// only after the transaction that holds its changes has committed. One fsync then serves
/// hundreds of registrations, which is how every binding is durable before its 200 OK at
/// thousands of REGISTERs per second.
final class BindingWriter: @unchecked Sendable {
    typealias Completion = (Result<Void, Error>) -> Void

    private let store: BindingStore
    private let condition = NSCondition()
    private var pending: [(changes: [BindingChange], done: Completion)] = []
    private var stopping = false
    private var thread: Thread?
    private let maxBatch: Int
    /// Completions run here, one hop per committed batch.
    private let eventLoop: EventLoop

    init(store: BindingStore, eventLoop: EventLoop, maxBatch: Int = 2000) {
        self.store = store
        self.eventLoop = eventLoop
        self.maxBatch = maxBatch
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "binding-writer"
        thread.start()
        self.thread = thread
    }

    /// Queues changes; `done` runs on the event loop once they are durable (or failed).
    func submit(_ changes: [BindingChange], done: @escaping Completion) {
        condition.lock()
        pending.append((changes, done))
        condition.signal()
        condition.unlock()
    }

    /// Writes what is queued, then stops the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        while true {
            condition.lock()
            let finished = thread == nil
            condition.unlock()
            if finished { return }
            usleep(1000)
        }
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                thread = nil
                condition.unlock()
                return
            }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            condition.unlock()

            let changes = batch.flatMap(\.changes)
            let result: Result<Void, Error>
            do {
                try store.apply(changes)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            let completions = batch.map(\.done)
            eventLoop.execute {
                for done in completions { done(result) }
            }
        }
    }
}
