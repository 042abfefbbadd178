import Foundation

extension QuietHours {
    /// Parses `21:00-08:00`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-")
        func time(_ s: Substring) -> LocalTime? {
            let hm = s.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard hm.count == 2, hm[0].count <= 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return nil }
            return LocalTime(hour: h, minute: m)
        }
        guard parts.count == 2, let start = time(parts[0]), let end = time(parts[1]) else { return nil }
        self.init(start: start, end: end)
    }
}
