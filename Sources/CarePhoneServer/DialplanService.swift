import Dialplan
import Foundation
import Logging

/// Loads the dialplan folder, watches it, and swaps in a new plan only when every file is valid
/// (DESIGN.md: nothing is half-applied). Calls in progress keep the plan they started with.
///
/// The folder is read every 500 ms on a background queue; files are compared by content, so an
/// edit is noticed whatever the file system's time stamps do. The outcome of the last check is
/// written to `dialplan-status.json` in the data folder for `carephone dialplan status`.
public final class DialplanService: @unchecked Sendable {
    public let folder: String
    let statusPath: String
    let environment: @Sendable () -> DialplanEnvironment
    /// Problems that make a compiled plan unusable here (missing entry contexts).
    let requirements: @Sendable (Dialplan) -> [String]
    let logger: Logger
    private let lock = NSLock()
    private var current: Dialplan?
    private var currentFiles: [String] = []
    private var activeSince: Date?
    private var lastTexts: [DialplanSource]?
    private var lastFailureAt: Date?
    private let queue = DispatchQueue(label: "carephone.dialplan")
    private var timer: DispatchSourceTimer?

    public init(
        folder: String, statusPath: String, logger: Logger, environment: @escaping @Sendable () -> DialplanEnvironment,
        requirements: @escaping @Sendable (Dialplan) -> [String] = { _ in [] }
    ) {
        self.folder = folder
        self.statusPath = statusPath
        self.environment = environment
        self.requirements = requirements
        self.logger = logger
    }

    /// The plan new calls use; nil until a valid plan has been loaded.
    public var plan: Dialplan? { lock.withLock { current } }

    /// Loads now, then keeps watching.
    public func start() {
        queue.sync { check() }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
        self.timer = timer
    }

    public func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Reads the folder; compiles when something changed (or, after a failure, every 5 s, since
    /// the directory may since have gained the extension the plan rings).
    func check() {
        let sources: [DialplanSource]
        do { sources = try DialplanCompiler.sources(inFolder: folder) } catch {
            if lastTexts != nil || lastFailureAt == nil {
                fail(["\(folder): cannot read the dialplan folder: \(error)"], warnings: [], files: [])
                lastTexts = nil
            }
            return
        }
        let retry = lastFailureAt.map { Date().timeIntervalSince($0) >= 5 } ?? false
        guard sources != lastTexts || retry else { return }
        lastTexts = sources
        if sources.isEmpty {
            fail(["\(folder): no *.dialplan files; the previous plan stays in use"], warnings: [], files: [])
            return
        }
        let compilation = DialplanCompiler.compile(sources, environment: environment())
        var errors = compilation.diagnostics.filter { $0.severity == .error }.map(\.description)
        if let plan = compilation.plan {
            errors += requirements(plan).map { "\(folder): \($0)" }
        }
        let warnings = compilation.diagnostics.filter { $0.severity == .warning }.map(\.description)
        let files = sources.map(\.path)
        guard let plan = compilation.plan, errors.isEmpty else {
            fail(errors, warnings: warnings, files: files)
            return
        }
        lock.withLock {
            current = plan
            currentFiles = files
            activeSince = Date()
        }
        lastFailureAt = nil
        lastErrors = []
        for warning in warnings { logger.warning("dialplan", metadata: ["warning": "\(warning)"]) }
        logger.notice("dialplan loaded", metadata: ["files": "\(files.joined(separator: ", "))", "contexts": "\(plan.contextNames.count)"])
        writeStatus(state: "ok", errors: [], warnings: warnings, checked: files)
    }

    private var lastErrors: [String] = []

    private func fail(_ errors: [String], warnings: [String], files: [String]) {
        lastFailureAt = Date()
        // Each new set of errors is logged once (the 5 s retries of the same ones are not).
        if errors != lastErrors {
            lastErrors = errors
            for error in errors { logger.error("dialplan rejected; the previous plan stays active", metadata: ["error": "\(error)"]) }
        }
        writeStatus(state: "error", errors: errors, warnings: warnings, checked: files)
    }

    private func writeStatus(state: String, errors: [String], warnings: [String], checked: [String]) {
        let (active, since) = lock.withLock { (current == nil ? nil : currentFiles, activeSince) }
        let status = DialplanStatus(
            state: state, folder: folder, checkedAt: Self.format(Date()), checkedFiles: checked,
            activeFiles: active, activeSince: since.map(Self.format), errors: errors, warnings: warnings,
            pid: ProcessInfo.processInfo.processIdentifier)
        status.write(to: statusPath)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// What `dialplan-status.json` holds: the last check and the plan in use.
public struct DialplanStatus: Codable, Sendable, Equatable {
    /// `ok` (the files as they are now are in use) or `error` (they are not; see `errors`).
    public var state: String
    public var folder: String
    public var checkedAt: String
    public var checkedFiles: [String]
    /// The files of the plan in use; nil when no valid plan was ever loaded.
    public var activeFiles: [String]?
    public var activeSince: String?
    public var errors: [String]
    public var warnings: [String]
    /// The server process that wrote it.
    public var pid: Int32?

    enum CodingKeys: String, CodingKey {
        case state, folder, errors, warnings, pid
        case checkedAt = "checked_at"
        case checkedFiles = "checked_files"
        case activeFiles = "active_files"
        case activeSince = "active_since"
    }

    /// Writes atomically (a reader never sees half a file).
    func write(to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return }
        // Written beside the target and renamed over it (rename(2) is atomic). Foundation's
        // `.atomic` option would leave a TemporaryDirectory.* folder in /tmp on every write on Linux.
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do { try data.write(to: URL(fileURLWithPath: temporary)) } catch { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    public static func read(from path: String) throws -> DialplanStatus {
        try JSONDecoder().decode(DialplanStatus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
