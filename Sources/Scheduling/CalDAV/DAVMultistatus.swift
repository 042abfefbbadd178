import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A qualified XML name: namespace URI and local name.
struct DAVName: Hashable, Sendable {
    var namespace: String
    var name: String

    static let dav = "DAV:"
    static let caldav = "urn:ietf:params:xml:ns:caldav"
    static let calendarServer = "http://calendarserver.org/ns/"

    static let getetag = DAVName(namespace: dav, name: "getetag")
    static let syncToken = DAVName(namespace: dav, name: "sync-token")
    static let resourcetype = DAVName(namespace: dav, name: "resourcetype")
    static let getctag = DAVName(namespace: calendarServer, name: "getctag")
    static let calendarData = DAVName(namespace: caldav, name: "calendar-data")
}

/// The parts of a 207 Multi-Status body (RFC 4918 §13, §14.16) CalDAV sync needs.
///
/// Read with Foundation's XMLParser with namespaces processed, so prefixes do not matter
/// (`D:getetag`, `getetag` under a default namespace). Property values are their text content; for
/// `DAV:resourcetype` the local names of the child elements, space-separated ("calendar collection").
/// Only properties in a propstat with status 200 are kept.
struct DAVMultistatus: Sendable, Equatable {
    struct Response: Sendable, Equatable {
        var href: String
        /// The response-level `DAV:status` (RFC 4918 §14.24), e.g. 404 for a deleted member in a
        /// sync-collection report (RFC 6578 §3.5.2); nil when the response has propstats.
        var status: Int?
        var properties: [DAVName: String]
    }

    var responses: [Response] = []
    /// RFC 6578 §6.2: the new token, a child of the multistatus itself.
    var syncToken: String?

    static func parse(_ data: Data) throws(CalDAVError) -> DAVMultistatus {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        guard parser.parse() else {
            let message = parser.parserError.map { String(describing: $0) } ?? "XML parse error"
            throw .malformedResponse("\(message): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        guard reader.sawMultistatus else {
            throw .malformedResponse("no DAV:multistatus element: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return reader.result
    }

    /// "HTTP/1.1 404 Not Found" → 404.
    static func statusCode(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var result = DAVMultistatus()
        var sawMultistatus = false
        private var path: [DAVName] = []
        private var text = ""
        private var href: String?
        private var responseStatus: Int?
        private var properties: [DAVName: String] = [:]
        private var propstatProperties: [DAVName: String] = [:]
        private var propstatStatus: Int?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let name = DAVName(namespace: namespaceURI ?? "", name: elementName)
            // A child of DAV:resourcetype is recorded by name on the property itself.
            if path.last == .resourcetype, path.dropLast().last == DAVName(namespace: DAVName.dav, name: "prop") {
                let current = propstatProperties[.resourcetype] ?? ""
                propstatProperties[.resourcetype] = current.isEmpty ? elementName : current + " " + elementName
            }
            if name == DAVName(namespace: DAVName.dav, name: "multistatus") { sawMultistatus = true }
            if name == DAVName(namespace: DAVName.dav, name: "response") {
                href = nil
                responseStatus = nil
                properties = [:]
            }
            if name == DAVName(namespace: DAVName.dav, name: "propstat") {
                propstatProperties = [:]
                propstatStatus = nil
            }
            path.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            guard let name = path.popLast() else { return }
            let parent = path.last
            let dav = DAVName.dav
            switch (name.namespace, name.name) {
            case (dav, "href") where parent == DAVName(namespace: dav, name: "response"):
                href = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case (dav, "status") where parent == DAVName(namespace: dav, name: "response"):
                responseStatus = DAVMultistatus.statusCode(text)
            case (dav, "status") where parent == DAVName(namespace: dav, name: "propstat"):
                propstatStatus = DAVMultistatus.statusCode(text)
            case (dav, "sync-token") where parent == DAVName(namespace: dav, name: "multistatus"):
                result.syncToken = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case (dav, "propstat"):
                if propstatStatus == 200 { properties.merge(propstatProperties) { first, _ in first } }
            case (dav, "response"):
                if let href {
                    result.responses.append(Response(href: href, status: responseStatus, properties: properties))
                }
            default:
                if parent == DAVName(namespace: dav, name: "prop"), name != .resourcetype {
                    // calendar-data keeps its whitespace; other values are trimmed.
                    propstatProperties[name] =
                        name == .calendarData ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
                } else if parent == DAVName(namespace: dav, name: "prop") {
                    propstatProperties[name] = propstatProperties[name] ?? ""
                }
            }
            text = ""
        }
    }
}
