/// One header field line as received or to be sent. `name` is canonical (compact forms expanded).
public struct SIPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    /// Lower-cased `name`, for case-insensitive lookup (RFC 3261 §7.3.1).
    let key: String

    public init(name: String, value: String) {
        (self.name, self.key) = HeaderName.nameAndKey(name)
        self.value = value
    }
}

/// The ordered header fields of a message. Order is kept: Via and Route order matter.
public struct SIPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [SIPHeader] = []

    public init() {}
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { SIPHeader(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPHeader]> { fields.makeIterator() }
    public var count: Int { fields.count }

    /// The first value of the named header, or nil.
    public subscript(_ name: String) -> String? {
        let key = HeaderName.nameAndKey(name).key
        return fields.first { $0.key == key }?.value
    }

    /// Every header line with this name, in order.
    public func values(_ name: String) -> [String] {
        let key = HeaderName.nameAndKey(name).key
        return fields.compactMap { $0.key == key ? $0.value : nil }
    }

    /// Every element of a comma-separated list header (RFC 3261 §7.3.1), across all its lines.
    public func listElements(_ name: String) -> [String] {
        values(name).flatMap { HeaderList.split($0) }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(SIPHeader(name: name, value: value))
    }

    /// Inserts a header line before all others (used for a new top Via).
    public mutating func prepend(_ name: String, _ value: String) {
        fields.insert(SIPHeader(name: name, value: value), at: 0)
    }

    /// Replaces all lines of the header with one value (or appends it).
    public mutating func set(_ name: String, _ value: String) {
        let header = SIPHeader(name: name, value: value)
        if let index = fields.firstIndex(where: { $0.key == header.key }) {
            fields[index] = header
            var i = fields.count - 1
            while i > index {
                if fields[i].key == header.key { fields.remove(at: i) }
                i -= 1
            }
        } else {
            fields.append(header)
        }
    }

    public mutating func remove(_ name: String) {
        let key = HeaderName.nameAndKey(name).key
        fields.removeAll { $0.key == key }
    }

    /// Replaces the first line of the named header.
    mutating func replaceFirst(_ name: String, with value: String) {
        let key = HeaderName.nameAndKey(name).key
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        }
    }

    mutating func appendRaw(_ header: SIPHeader) { fields.append(header) }
}

/// Splits comma-separated header values, respecting quoted strings and `<...>`.
public enum HeaderList {
    public static func split(_ value: String) -> [String] {
        // Fast path: most values hold no comma at all.
        if !value.utf8.contains(UInt8(ascii: ",")) { return [trimmed(value)] }
        let b = Array(value.utf8)
        var parts: [String] = []
        var inQuotes = false
        var inAngle = false
        var start = 0
        var i = 0
        while i < b.count {
            let c = b[i]
            if inQuotes {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inQuotes = false }
            } else if c == UInt8(ascii: "\"") {
                inQuotes = true
            } else if c == UInt8(ascii: "<") {
                inAngle = true
            } else if c == UInt8(ascii: ">") {
                inAngle = false
            } else if c == UInt8(ascii: ","), !inAngle {
                let s = Bytes.skipWhitespace(b, start, i)
                parts.append(Bytes.string(b, s, Bytes.trimEnd(b, s, i)))
                start = i + 1
            }
            i += 1
        }
        let s = Bytes.skipWhitespace(b, start, b.count)
        parts.append(Bytes.string(b, s, Bytes.trimEnd(b, s, b.count)))
        return parts
    }

    static func trimmed(_ value: String) -> String {
        guard let first = value.utf8.first, let last = value.utf8.last else { return value }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return value }
        let b = Array(value.utf8)
        let s = Bytes.skipWhitespace(b, 0, b.count)
        return Bytes.string(b, s, Bytes.trimEnd(b, s, b.count))
    }
}

extension SIPHeaders {
    /// Replaces the first Via value, which may be the first element of a comma list.
    public mutating func replaceTopVia(with value: String) {
        guard let first = self[HeaderName.via] else { return }
        var elements = HeaderList.split(first)
        elements[0] = value
        replaceFirst(HeaderName.via, with: elements.joined(separator: ", "))
    }
}
