import Foundation
import Testing

/// The shipped prompts: every entry of Prompts/prompts.tsv exists in each language it has text
/// for, as an 8 kHz 16-bit mono WAV that is long enough to be speech and not silence.
@Suite struct PromptFilesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Prompts").path

    struct Format: Equatable {
        var channels: Int
        var rate: Int
        var bits: Int
    }

    /// The fmt fields and the 16-bit samples of a PCM WAV file.
    static func read(_ path: String) throws -> (Format, [Int16]) {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        guard b.count > 44, String(decoding: b[0..<4], as: UTF8.self) == "RIFF" else { throw CocoaError(.fileReadCorruptFile) }
        var format = Format(channels: 0, rate: 0, bits: 0)
        var samples: [Int16] = []
        var i = 12
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self)
            let size = u32(i + 4)
            if id == "fmt " { format = Format(channels: u16(i + 10), rate: u32(i + 12), bits: u16(i + 22)) }
            if id == "data" {
                samples = stride(from: i + 8, to: min(b.count, i + 8 + size) - 1, by: 2).map { Int16(bitPattern: UInt16(b[$0]) | UInt16(b[$0 + 1]) << 8) }
            }
            i += 8 + size + (size & 1)
        }
        return (format, samples)
    }

    @Test func everyPromptExistsAsSpeech() throws {
        let table = try String(contentsOfFile: Self.folder + "/prompts.tsv", encoding: .utf8)
        let locales = ["en", "it", "zh-TW"]
        var checked = 0
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(cells.count == 4, "malformed line: \(line)")
            for (locale, text) in zip(locales, cells.dropFirst()) where !text.isEmpty {
                let path = "\(Self.folder)/\(locale)/\(cells[0]).wav"
                let (format, samples) = try Self.read(path)
                #expect(format == Format(channels: 1, rate: 8000, bits: 16), "\(path): \(format)")
                let seconds = Double(samples.count) / 8000
                #expect(seconds > 0.25 && seconds < 20, "\(path): \(seconds) s")
                let peak = samples.map { abs(Int($0)) }.max() ?? 0
                #expect(peak > 2000, "\(path) is (nearly) silent: peak \(peak)")
                checked += 1
            }
        }
        #expect(checked >= 100, "only \(checked) prompts")
        let (beepFormat, beep) = try Self.read(Self.folder + "/tones/beep.wav")
        #expect(beepFormat.rate == 8000 && beep.count == 4000)
    }
}
