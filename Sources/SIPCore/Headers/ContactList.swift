/// The Contact header of a REGISTER or dialog request (RFC 3261 §20.10): `*` or addresses.
public enum ContactList: Sendable, Hashable {
    /// The first Contact URI, as text (nil for `*` or no addresses): a dialog's remote target.
    public var firstURI: String? {
        if case .addresses(let list) = self { return list.first?.uri.description }
        return nil
    }

    case wildcard
    case addresses([NameAddress])

    public init(parsing headers: SIPHeaders) throws(SIPParseError) {
        let elements = headers.listElements(HeaderName.contact)
        if elements.count == 1, elements[0] == "*" {
            self = .wildcard
            return
        }
        var list: [NameAddress] = []
        for e in elements {
            if e == "*" { throw .invalidHeaderValue(header: "Contact", reason: "'*' must be the only Contact value") }
            list.append(try NameAddress(parsing: e, header: "Contact"))
        }
        self = .addresses(list)
    }
}

extension NameAddress {
    /// The `expires` Contact parameter (RFC 3261 §10.2.1.1), clamped to 2^32-1; nil if absent.
    /// A value that is not a number is an error.
    public func expiresParameter() throws(SIPParseError) -> UInt32? {
        guard let v = parameters["expires"] else { return nil }
        guard v.utf8.allSatisfy(SIPGrammar.isDigit), !v.isEmpty else {
            throw .invalidHeaderValue(header: "Contact", reason: "expires '\(v.prefix(24))' is not a number")
        }
        return UInt32(SIPGrammar.decimal(Substring(v), limit: UInt64.max) .map { min($0, UInt64(UInt32.max)) } ?? UInt64(UInt32.max))
    }
}
