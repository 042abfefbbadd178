import Foundation

/// The voice prompts, by name and language, read from WAVE files: an administrator's own
/// recordings (`<override>/<language>/<name>.wav`) win over the shipped ones
/// (`Prompts/<language>/<name>.wav`). Any WAVE file of 16-bit PCM or G.711, mono or stereo, at
/// any rate is accepted; it is mixed to mono and resampled to 8 kHz once, when first used.
public final class PromptLibrary: @unchecked Sendable {
    /// Folders searched in order.
    public let folders: [URL]
    private let lock = NSLock()
    private var cache: [String: [Int16]] = [:]

    public init(folders: [URL]) {
        self.folders = folders
    }

    /// The languages prompts exist in, and what a locale maps to: Italian, Traditional Chinese
    /// (zh-TW, zh-Hant, zh-HK), English for everything else.
    public static func language(forLocale locale: String) -> String {
        let tag = locale.lowercased().replacingOccurrences(of: "_", with: "-")
        if tag.hasPrefix("it") { return "it" }
        if tag.hasPrefix("zh") { return "zh-TW" }
        return "en"
    }

    /// The prompt's samples (8 kHz mono), falling back to English; nil if it exists in neither.
    public func samples(_ name: String, language: String) -> [Int16]? {
        for lang in language == "en" ? ["en"] : [language, "en"] {
            let key = "\(lang)/\(name)"
            if let cached = lock.withLock({ cache[key] }) { return cached }
            for folder in folders {
                let url = folder.appendingPathComponent(lang).appendingPathComponent("\(name).wav")
                if let samples = Self.load(url) {
                    lock.withLock { cache[key] = samples }
                    return samples
                }
            }
        }
        return nil
    }

    /// A tone or other language-independent sound from `tones/`.
    public func tone(_ name: String) -> [Int16]? {
        samples(name, language: "tones")
    }

    /// Forgets loaded prompts (after an administrator replaced some).
    public func reload() {
        lock.withLock { cache.removeAll() }
    }

    /// Reads a WAVE file as 8 kHz mono samples.
    public static func load(_ url: URL) -> [Int16]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return samples(ofWAV: [UInt8](data))
    }

    /// A WAVE file's audio as 8 kHz mono samples; nil if it is not one (or its rate is not 8-48 kHz).
    public static func samples(ofWAV bytes: [UInt8]) -> [Int16]? {
        guard let wav = try? WAVFile(parsing: bytes, recoveringTruncatedData: true), (8000...48000).contains(wav.sampleRate) else { return nil }
        return monoAt8kHz(wav.samples, channels: Int(wav.channels), rate: Int(wav.sampleRate))
    }

    /// Mixes to mono and resamples linearly to 8 kHz.
    public static func monoAt8kHz(_ samples: [Int16], channels: Int, rate: Int) -> [Int16] {
        var mono = samples
        if channels > 1 {
            mono = stride(from: 0, to: samples.count - channels + 1, by: channels).map { i in
                var total = 0
                for c in 0..<channels { total += Int(samples[i + c]) }
                return Int16(total / channels)
            }
        }
        guard rate != 8000, rate > 0, !mono.isEmpty else { return mono }
        let count = mono.count * 8000 / rate
        let step = Double(rate) / 8000
        return (0..<count).map { i in
            let position = Double(i) * step
            let j = Int(position)
            let fraction = position - Double(j)
            let a = Double(mono[j])
            let b = Double(mono[min(j + 1, mono.count - 1)])
            return Int16(a + (b - a) * fraction)
        }
    }
}
