import Foundation

/// Brute-force protection for digest authentication.
///
/// - Per source address: after `slowAfter` failures within `window` seconds answers to that
///   source are delayed; after `blockAfter` failures the source is blocked for `blockSeconds`
///   (its requests are dropped) and the block is logged.
/// - Per user: failures from many sources are logged and the failing answers are slowed, but
///   the user is never blocked, so an attacker cannot lock a clinician's working phone out:
///   a correct answer from a source that is not blocked is always accepted at once.
public struct AuthThrottle: Sendable {
    public struct Settings: Sendable, Equatable {
        public var window: Int64
        public var slowAfter: Int
        public var blockAfter: Int
        public var blockSeconds: Int64
        public var userAlarmAfter: Int
        /// Delay added to answers of throttled sources and to failing answers for attacked users.
        public var delayMilliseconds: Int64

        public init(window: Int64 = 60, slowAfter: Int = 10, blockAfter: Int = 30, blockSeconds: Int64 = 600, userAlarmAfter: Int = 20, delayMilliseconds: Int64 = 1000) {
            self.window = window
            self.slowAfter = slowAfter
            self.blockAfter = blockAfter
            self.blockSeconds = blockSeconds
            self.userAlarmAfter = userAlarmAfter
            self.delayMilliseconds = delayMilliseconds
        }
    }

    public enum Event: Sendable, Equatable {
        case sourceBlocked(source: String, failures: Int, seconds: Int64)
        case userUnderAttack(user: String, failures: Int, sources: Int)
    }

    struct Counter: Sendable {
        var windowStart: Int64
        var failures: Int
        var sources: Set<String> = []
    }

    public var settings: Settings
    private var sources: [String: Counter] = [:]
    private var users: [String: Counter] = [:]
    private var blockedUntil: [String: Int64] = [:]

    public init(settings: Settings = Settings()) { self.settings = settings }

    public func isBlocked(_ source: String, now: Int64) -> Bool {
        if let until = blockedUntil[source] { return until > now }
        return false
    }

    /// Delay in milliseconds to apply to an answer to this source (0 = none).
    public func delay(for source: String, now: Int64) -> Int64 {
        guard let c = sources[source], now - c.windowStart < settings.window else { return 0 }
        return c.failures >= settings.slowAfter ? settings.delayMilliseconds : 0
    }

    /// Delay for a failing answer about this user (0 = none).
    public func failureDelay(user: String, now: Int64) -> Int64 {
        guard let c = users[user], now - c.windowStart < settings.window else { return 0 }
        return c.failures >= settings.userAlarmAfter ? settings.delayMilliseconds : 0
    }

    /// Records a failed authentication; returns events to log.
    public mutating func recordFailure(source: String, user: String?, now: Int64) -> [Event] {
        var events: [Event] = []
        var c = sources[source] ?? Counter(windowStart: now, failures: 0)
        if now - c.windowStart >= settings.window { c = Counter(windowStart: now, failures: 0) }
        c.failures += 1
        sources[source] = c
        if c.failures >= settings.blockAfter, !isBlocked(source, now: now) {
            blockedUntil[source] = now + settings.blockSeconds
            events.append(.sourceBlocked(source: source, failures: c.failures, seconds: settings.blockSeconds))
        }
        if var user {
            // Attacker-chosen names: keep the table's keys short.
            if user.utf8.count > 64 { user = String(decoding: user.utf8.prefix(64), as: UTF8.self) }
            var u = users[user] ?? Counter(windowStart: now, failures: 0)
            if now - u.windowStart >= settings.window { u = Counter(windowStart: now, failures: 0) }
            u.failures += 1
            if u.sources.count < 1000 { u.sources.insert(source) }
            users[user] = u
            if u.failures == settings.userAlarmAfter || (u.failures > settings.userAlarmAfter && u.failures % 100 == 0) {
                events.append(.userUnderAttack(user: user, failures: u.failures, sources: u.sources.count))
            }
        }
        return events
    }


    /// Forgets windows and blocks that have ended.
    public mutating func prune(now: Int64) {
        sources = sources.filter { now - $0.value.windowStart < settings.window }
        users = users.filter { now - $0.value.windowStart < settings.window }
        blockedUntil = blockedUntil.filter { $0.value > now }
    }
}
