import Foundation

@testable import Storage

/// A real SQLite file in a fresh temporary folder, removed when the test is done.
final class TemporaryFolder {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("carephone-tests-\(UUID().uuidString)")
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// A database path in a not-yet-existing subfolder, so opening also creates folders.
    var databasePath: String { url.appendingPathComponent("data/carephone.sqlite").path }

    func open(options: SQLiteDatabase.Options = .init()) throws -> SQLiteDatabase {
        try SQLiteDatabase.open(path: databasePath, options: options)
    }
}
