import Foundation
import Scheduling

extension ReminderOffset {
    /// Parses `48h`, `2h`, `30m`, `2d`, `1d2h`: whole days are wall-clock days, as in
    /// ``hours(_:)``. Returns nil for anything else.
    public init?(parsing text: String) {
        var days = 0
        var minutes = 0
        var number = ""
        var sawUnit = false
        for character in text.lowercased().trimmingCharacters(in: .whitespaces) {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number), value <= 100_000 else { return nil }
            switch character {
            case "d": days += value
            case "h": minutes += value * 60
            case "m": minutes += value
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        days += minutes / (24 * 60)
        minutes %= 24 * 60
        self.init(days: days, minutes: minutes)
    }

    /// Parses a comma-separated list such as `48h, 2h`; throws naming the part that is wrong.
    public static func list(parsing text: String, field: String) throws(ValidationError) -> [ReminderOffset] {
        var offsets: [ReminderOffset] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let offset = ReminderOffset(parsing: item) else {
                throw ValidationError(field: field, message: "'\(item)' is not an offset such as 48h, 2h, 30m or 2d")
            }
            offsets.append(offset)
        }
        return offsets
    }
}
