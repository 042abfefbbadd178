import Foundation
import Scheduling

/// Sends what is due in the outbox through a gateway, exactly once across crashes as far as the
/// gateway allows:
///
/// 1. Before the gateway hears of a text, it is marked `sending` (committed).
/// 2. The gateway is called.
/// 3. Its answer is recorded: `sent`, a retry with backoff (temporary errors), or `failed`.
///
/// A crash between 1 and 3 leaves the text `sending`. If the gateway did take it, its delivery
/// report (Kannel retries the callback until the server is back) settles it as sent. If no report
/// comes within `unsettledWait`, the gateway never had it, and it is queued again.
///
/// Just before a text goes, it is checked again: the patient still agrees to texts (STOP), the
/// visit is still pending and at the version the reminder was planned for, and it has not started.
public final class ReminderDispatcher: Sendable {
    public struct Options: Sendable {
        /// Texts handed to the gateway at once.
        public var concurrency: Int = 8
        /// Tries before a text is failed.
        public var maxAttempts: Int = 6
        /// First retry delay; doubled each try, at most `maxBackoff`.
        public var backoff: Duration = .seconds(30)
        public var maxBackoff: Duration = .seconds(3600)
        /// How long a `sending` text waits for a delivery report before it is sent again.
        public var unsettledWait: Duration = .seconds(600)
        /// How often the outbox is looked at.
        public var pollInterval: Duration = .milliseconds(500)
        public init() {}
    }

    /// Where a test may stop the process (`kill -9` itself), to prove nothing is lost or doubled.
    public enum Stage: String, Sendable {
        /// Marked `sending`, the gateway not yet called.
        case claimed
        /// The gateway took it; its answer not yet recorded.
        case handedOver
    }

    /// A reminder goes only while its key is among its visit's current ones (the scheduler's plan).
    public let scheduler: ReminderScheduler
    public let gateway: any SMSGateway
    public let options: Options
    public let clock: @Sendable () -> Date
    public let log: @Sendable (String) -> Void
    let reached: @Sendable (Stage, OutboxMessage) -> Void
    var outbox: any OutboxStore { scheduler.outbox }
    var calendar: any SchedulingStore { scheduler.calendar }

    public init(
        scheduler: ReminderScheduler, gateway: any SMSGateway, options: Options = Options(),
        clock: @escaping @Sendable () -> Date = { Date() }, log: @escaping @Sendable (String) -> Void = { _ in },
        reached: @escaping @Sendable (Stage, OutboxMessage) -> Void = { _, _ in }
    ) {
        self.scheduler = scheduler
        self.gateway = gateway
        self.options = options
        self.clock = clock
        self.log = log
        self.reached = reached
    }

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do { _ = try await runOnce() } catch { log("outbox: \(error)") }
            try? await Task.sleep(for: options.pollInterval)
        }
    }

    /// Settles stale `sending` texts, then sends everything due now. Returns how many went.
    @discardableResult
    public func runOnce() async throws -> Int {
        let now = clock()
        for m in try outbox.unsettled(startedBefore: now.addingTimeInterval(-options.unsettledWait.seconds)) {
            if m.attempts >= options.maxAttempts {
                try outbox.finish(id: m.id, state: .failed, reason: "no answer from the gateway after \(m.attempts) tries", at: now)
                continue
            }
            log("outbox: \(m.id) has no recorded answer and no delivery report after \(options.unsettledWait); sending it again")
            try outbox.markRetry(id: m.id, error: "no answer recorded from the gateway and no delivery report", next: now, at: now)
        }
        var sent = 0
        // Bounded: rows that keep failing to be read must not spin this loop.
        for _ in 0..<64 {
            let due = try outbox.due(at: clock(), limit: 256)
            if due.isEmpty { break }
            sent += await withTaskGroup(of: Bool.self) { group in
                var running = 0
                var count = 0
                for message in due {
                    if running >= options.concurrency, let ok = await group.next() {
                        running -= 1
                        if ok { count += 1 }
                    }
                    group.addTask { await self.deliver(message) }
                    running += 1
                }
                for await ok in group where ok { count += 1 }
                return count
            }
            if Task.isCancelled || due.count < 256 { break }
        }
        return sent
    }

    /// Sends one due text; true when the gateway took it.
    func deliver(_ message: OutboxMessage) async -> Bool {
        let now = clock()
        do {
            // Claim first, then check: a change committed meanwhile is seen, and nothing else
            // sends this row.
            guard try outbox.claim(id: message.id, at: now) else { return false }
            if let reason = try reasonNotToSend(message, now: now) {
                try outbox.finish(id: message.id, state: reason.state, reason: reason.text, at: now)
                return false
            }
            reached(.claimed, message)
            let sms = OutgoingSMS(id: message.id, to: message.to, from: nil, text: message.text, encoding: message.encoding)
            let result: Result<String?, SMSGatewayError>
            do throws(SMSGatewayError) { result = .success(try await gateway.send(sms)) } catch { result = .failure(error) }
            switch result {
            case .success(let gatewayID):
                reached(.handedOver, message)
                try outbox.markSent(id: message.id, gateway: gateway.name, gatewayMessageID: gatewayID, at: clock())
                return true
            case .failure(let error):
                let attempts = message.attempts + 1
                switch error {
                case .temporary(let why) where attempts < options.maxAttempts:
                    let delay = min(options.backoff.seconds * pow(2, Double(attempts - 1)), options.maxBackoff.seconds)
                    log("outbox: \(message.id) try \(attempts) failed (\(why)); next try in \(Int(delay)) s")
                    try outbox.markRetry(id: message.id, error: why, next: clock().addingTimeInterval(delay), at: clock())
                case .temporary(let why), .permanent(let why):
                    log("outbox: \(message.id) failed after \(attempts) tries: \(why)")
                    try outbox.finish(id: message.id, state: .failed, reason: why, at: clock())
                }
                return false
            }
        } catch {
            log("outbox: \(message.id): \(error)")
            return false
        }
    }

    /// Why a due text must not go any more, if it must not.
    func reasonNotToSend(_ m: OutboxMessage, now: Date) throws -> (state: OutboxState, text: String)? {
        if let expires = m.expiresAt, expires <= now { return (.expired, "the visit had started before it could be sent") }
        if m.purpose == .reminder {
            let patient = try m.patientID.flatMap { try calendar.patient(id: $0) }
            if let patient, !patient.smsConsent.granted {
                return (.suppressed, "the patient opted out (\(patient.smsConsent.source))")
            }
            guard let id = m.appointmentID, let a = try calendar.appointment(id: id), a.isPending else {
                return (.cancelled, "the visit is no longer booked")
            }
            // The key names the visit's version, the rule and the offset: a moved visit or
            // changed rules plan other keys.
            if try !scheduler.currentKeys(for: a, patient: patient).contains(m.idempotencyKey) {
                return (.cancelled, "the visit or the reminder rules changed after this reminder was planned")
            }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
