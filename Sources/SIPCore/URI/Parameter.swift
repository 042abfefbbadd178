/// A `;name[=value]` parameter of a URI or header field (RFC 3261 §19.1.1, §25.1 generic-param).
public struct Parameter: Sendable, Hashable {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
    var printed: String { value.map { "\(name)=\($0)" } ?? name }
}

extension Array where Element == Parameter {
    /// Case-insensitive lookup; `""` for a parameter present without a value.
    public func value(of name: String) -> String?? {
        guard let p = first(where: { $0.name.asciiCaseInsensitiveEquals(name) }) else { return nil }
        return .some(p.value)
    }
    public func has(_ name: String) -> Bool {
        contains { $0.name.asciiCaseInsensitiveEquals(name) }
    }
    /// The value of the parameter, or nil if absent or valueless.
    public subscript(name: String) -> String? {
        first(where: { $0.name.asciiCaseInsensitiveEquals(name) })?.value
    }
    public mutating func set(_ name: String, _ value: String?) {
        if let i = firstIndex(where: { $0.name.asciiCaseInsensitiveEquals(name) }) {
            self[i].value = value
        } else {
            append(Parameter(name, value))
        }
    }
    public mutating func remove(_ name: String) {
        removeAll { $0.name.asciiCaseInsensitiveEquals(name) }
    }
    var printed: String { map { ";" + $0.printed }.joined() }
}

extension String {
    /// ASCII case-insensitive equality, as SIP uses for tokens (RFC 3261 §7.3.1).
    public func asciiCaseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
