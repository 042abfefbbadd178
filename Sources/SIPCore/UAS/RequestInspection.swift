/// The checks a UAS makes before processing a request, in the order of RFC 3261 §8.2:
/// method (§8.2.1), Request-URI scheme (§8.2.2.1), content (§8.2.3), extensions (§8.2.4).
/// Each returns the response to send when the check fails, or nil.
public struct RequestInspection: Sendable {
    /// Methods this element processes; others get 405 with Allow (§8.2.1) when they are
    /// standard methods, and 501 otherwise (§21.5.2).
    public var allowedMethods: [SIPMethod]
    /// Option tags understood in Require (§8.2.2.3).
    public var supportedExtensions: Set<String>
    /// Body types understood (§8.2.3); multipart/mixed is accepted when it carries one of them.
    public var acceptedContentTypes: Set<String>

    public static let knownMethods: Set<SIPMethod> = [
        .invite, .ack, .bye, .cancel, .register, .options, .prack, .update, .info, .subscribe, .notify, .refer,
        .message, .publish,
    ]

    public init(allowedMethods: [SIPMethod], supportedExtensions: Set<String> = ["path", "outbound", "gruu", "timer", "replaces"], acceptedContentTypes: Set<String> = ["application/sdp"]) {
        self.allowedMethods = allowedMethods
        self.supportedExtensions = supportedExtensions
        self.acceptedContentTypes = acceptedContentTypes
    }

    public var allowHeader: String { allowedMethods.map(\.rawValue).joined(separator: ", ") }

    /// Runs all checks; the first failure wins.
    public func inspect(_ request: SIPRequest) -> SIPResponse? {
        if let r = checkMethod(request) { return r }
        if let r = checkScheme(request) { return r }
        if let r = checkExtensions(request) { return r }
        if let r = checkContent(request) { return r }
        return nil
    }

    func checkMethod(_ request: SIPRequest) -> SIPResponse? {
        if allowedMethods.contains(request.method) { return nil }
        let known = Self.knownMethods.contains(request.method)
        var response = SIPResponse(replyingTo: request, statusCode: known ? 405 : 501)
        response.headers.add(HeaderName.allow, allowHeader)
        return response
    }

    /// §8.2.2.1: a Request-URI scheme we do not understand gets 416 (RFC 4475 §3.3.2, §3.3.3).
    func checkScheme(_ request: SIPRequest) -> SIPResponse? {
        if case .sip = request.uri { return nil }
        return SIPResponse(replyingTo: request, statusCode: 416, reasonPhrase: "Unsupported URI Scheme")
    }

    /// §8.2.2.3: 420 listing the unsupported option tags of Require. Not for ACK or CANCEL.
    func checkExtensions(_ request: SIPRequest) -> SIPResponse? {
        guard request.method != .ack, request.method != .cancel else { return nil }
        let required = request.headers.listElements(HeaderName.require).filter { !$0.isEmpty }
        let unsupported = required.filter { !supportedExtensions.contains($0.lowercased()) }
        guard !unsupported.isEmpty else { return nil }
        var response = SIPResponse(replyingTo: request, statusCode: 420)
        response.headers.add(HeaderName.unsupported, unsupported.joined(separator: ", "))
        return response
    }

    /// §8.2.3: 415 with Accept for a body type we do not understand; 406 when the request's
    /// Accept rules out every type our answer could carry (RFC 4475 §3.3.15 sdp01).
    func checkContent(_ request: SIPRequest) -> SIPResponse? {
        if !request.body.isEmpty, let type = request.headers[HeaderName.contentType] {
            let media = Self.mediaType(type)
            if !acceptedContentTypes.contains(media), media != "multipart/mixed" {
                var response = SIPResponse(replyingTo: request, statusCode: 415)
                response.headers.add(HeaderName.accept, acceptedContentTypes.sorted().joined(separator: ", "))
                return response
            }
        }
        if request.method == .invite, request.headers.contains(HeaderName.accept) {
            let accepted = request.headers.listElements(HeaderName.accept).map(Self.mediaType)
            let ok = accepted.contains { $0 == "*/*" || $0 == "application/*" || acceptedContentTypes.contains($0) }
            if !ok && !accepted.isEmpty && !(accepted.count == 1 && accepted[0].isEmpty) {
                return SIPResponse(replyingTo: request, statusCode: 406)
            }
        }
        return nil
    }

    /// `type/subtype` lower-cased, without parameters.
    static func mediaType(_ value: String) -> String {
        let base = value.split(separator: ";", maxSplits: 1).first.map { SIPGrammar.trim($0) } ?? ""
        return base.lowercased()
    }
}
