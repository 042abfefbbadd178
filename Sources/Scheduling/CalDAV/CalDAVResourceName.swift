import Foundation

/// Resource names for events in a CalDAV collection.
///
/// RFC 4791 §5.3.2 leaves the name to the client. The UID cannot be used as is: it may hold `/`
/// (which Radicale refuses, and which would name a sub-collection), `%`, spaces or non-ASCII. Only
/// RFC 3986 unreserved characters are kept, so the server never percent-encodes the name and the
/// href it reports is byte-for-byte the one we chose (Radicale writes `@` as `%40` in hrefs).
public enum CalDAVResourceName {
    /// `<uid>.ics` keeping `A-Z a-z 0-9 . -` and writing every other UTF-8 byte (including `_`
    /// itself) as `_XX` in upper-case hex, so different UIDs never share a name.
    public static func href(forUID uid: String) -> String {
        var name = ""
        for byte in uid.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                name += "_" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return name + ".ics"
    }
}
