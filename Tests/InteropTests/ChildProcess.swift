import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests start: its output goes to files (no pipes to fill up), standard input
/// is /dev/null, and it is always stopped by its PID: SIGTERM, a bounded wait, then SIGKILL.
///
/// Spawned with `posix_spawn` and an empty signal mask with every handler at its default:
/// Foundation's `Process` hands children the mask of its spawning thread, which blocks SIGTERM
/// (and SIGINT), so a child started that way never sees a graceful stop.
final class ChildProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let stdoutPath: String
    let stderrPath: String
    let currentDirectory: String?
    private(set) var pid: Int32 = 0
    /// Raw wait status once reaped.
    private var waitStatus: Int32?

    /// `NAME=value` entries added to this process's environment for the child.
    let extraEnvironment: [String]

    init(
        _ executable: String, _ arguments: [String], stdout: String, stderr: String, currentDirectory: String? = nil,
        environment: [String] = []
    ) {
        self.extraEnvironment = environment
        self.executable = executable
        self.arguments = arguments
        self.stdoutPath = stdout
        self.stderrPath = stderr
        self.currentDirectory = currentDirectory
    }

    var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    func start() throws {
        guard pid == 0 else { throw HarnessError("\(commandLine) was already started (pid \(pid))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // A working folder through sh's `cd` then `exec` (same PID); glibc's addchdir_np is not
        // visible to Swift here.
        let command =
            currentDirectory.map { ["/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", $0, executable] } ?? [executable]
        let argv: [UnsafeMutablePointer<CChar>?] = (command + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        var inherited: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            inherited.append(String(cString: pointer))
            entry += 1
        }
        let envp: [UnsafeMutablePointer<CChar>?] = (inherited + extraEnvironment).map { strdup($0) } + [nil]
        defer { for p in envp { free(p) } }
        let result = posix_spawn(&child, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw HarnessError("cannot start \(commandLine): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Reaps the child if it has ended.
    private func poll() {
        guard pid > 0, waitStatus == nil else { return }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { waitStatus = status }
    }

    var isRunning: Bool {
        poll()
        return pid > 0 && waitStatus == nil
    }

    /// The exit status (or 128 + signal for a process ended by a signal); nil while running.
    var exitStatus: Int32? {
        poll()
        guard let s = waitStatus else { return nil }
        return s & 0x7f == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
    }

    /// The signal that ended the process, if one did.
    var terminatingSignal: Int32? {
        poll()
        guard let s = waitStatus, s & 0x7f != 0 else { return nil }
        return s & 0x7f
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end; false when it is still running after `timeout` seconds.
    @discardableResult
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// SIGTERM, up to `timeout` seconds to exit, then SIGKILL. Returns true when it exited on
    /// SIGTERM within the time.
    @discardableResult
    func stop(timeout: TimeInterval = 5) -> Bool {
        guard isRunning else { return true }
        kill(pid, SIGTERM)
        if waitForExit(timeout: timeout) { return true }
        kill9()
        return false
    }

    /// SIGKILL now, and wait (bounded) until it is reaped.
    func kill9() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        waitForExit(timeout: 10)
    }

    /// Runs a command to completion (bounded by `timeout`; killed after it) and returns its
    /// exit status and output.
    static func run(
        _ executable: String, _ arguments: [String], in scratch: Scratch, timeout: TimeInterval = 60,
        currentDirectory: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let tag = "\(URL(fileURLWithPath: executable).lastPathComponent)-\(UInt32.random(in: 0...UInt32.max))"
        let child = ChildProcess(
            executable, arguments, stdout: scratch.path("\(tag).out"), stderr: scratch.path("\(tag).err"),
            currentDirectory: currentDirectory)
        try child.start()
        if !child.waitForExit(timeout: timeout) {
            child.stop(timeout: 2)
            throw HarnessError(
                "\(child.commandLine) did not finish within \(Int(timeout)) s; stderr: \(child.stderr.suffix(2000))")
        }
        return (child.exitStatus ?? -1, child.stdout, child.stderr)
    }
}
