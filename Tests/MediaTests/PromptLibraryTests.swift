import Foundation
import Testing

@testable import Media

@Suite struct PromptLibraryTests {
    @Test func localesMapToThePromptLanguages() {
        #expect(PromptLibrary.language(forLocale: "it-IT") == "it")
        #expect(PromptLibrary.language(forLocale: "zh-Hant") == "zh-TW")
        #expect(PromptLibrary.language(forLocale: "zh_TW") == "zh-TW")
        #expect(PromptLibrary.language(forLocale: "en-GB") == "en")
        #expect(PromptLibrary.language(forLocale: "fr") == "en", "languages without prompts fall back to English")
    }

    /// An administrator's recording (any rate, stereo) replaces the shipped prompt and is
    /// converted to 8 kHz mono; a prompt missing in a language falls back to English.
    @Test func ownRecordingsWinAndAreConverted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let shipped = root.appendingPathComponent("shipped")
        let own = root.appendingPathComponent("own")
        for folder in [shipped.appendingPathComponent("en"), shipped.appendingPathComponent("it"), own.appendingPathComponent("it")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data(try WAVFile(samples: [Int16](repeating: 100, count: 800)).serialized()).write(to: shipped.appendingPathComponent("en/welcome.wav"))
        try Data(try WAVFile(samples: [Int16](repeating: 200, count: 800)).serialized()).write(to: shipped.appendingPathComponent("it/welcome.wav"))
        // 16 kHz stereo, 1 s: becomes 8000 mono samples of the channels' mean.
        let stereo = (0..<16000).flatMap { _ in [Int16(1000), Int16(3000)] }
        try Data(try WAVFile(samples: stereo, sampleRate: 16000, channels: 2).serialized()).write(to: own.appendingPathComponent("it/welcome.wav"))
        try Data(try WAVFile(samples: [Int16](repeating: 5, count: 80)).serialized()).write(to: shipped.appendingPathComponent("en/goodbye.wav"))

        let library = PromptLibrary(folders: [own, shipped])
        let italian = try #require(library.samples("welcome", language: "it"))
        #expect(italian.count == 8000 && italian.allSatisfy { $0 == 2000 })
        #expect(library.samples("welcome", language: "en")?.first == 100)
        #expect(library.samples("goodbye", language: "it")?.count == 80, "English when Italian is missing")
        #expect(library.samples("nothing", language: "it") == nil)
    }
}
