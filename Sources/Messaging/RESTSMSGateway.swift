import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A cloud SMS provider with the common REST shape (Twilio's Messages resource and its
/// look-alikes): a form POST of `From`, `To`, `Body` and `StatusCallback` to one URL, HTTP Basic
/// authentication with the account id and token, a JSON answer carrying the message id.
///
/// The provider picks GSM-7 or UCS-2 itself from the text, so ``OutgoingSMS/encoding`` is not
/// sent. Status callbacks are form POSTs to `statusCallbackURL?id=<outbox id>` with a
/// `MessageStatus` field; ``deliveryState(fromStatus:)`` reads it.
public struct RESTSMSGateway: SMSGateway {
    public var name: String
    /// The Messages endpoint, e.g. `https://api.twilio.com/2010-04-01/Accounts/AC…/Messages.json`.
    public var messagesURL: String
    /// Basic authentication: account id (or API key) and token (or secret).
    public var accountID: String
    public var authToken: String
    /// Sender used when the text has none (a number or an alphanumeric sender id).
    public var defaultFrom: String?
    /// Our status callback, e.g. `https://clinic.example/sms/rest/status?secret=XYZ`; nil asks
    /// for no callbacks.
    public var statusCallbackURL: String?
    public var timeout: TimeInterval
    private let session: URLSession

    public init(
        name: String = "rest", messagesURL: String, accountID: String, authToken: String, defaultFrom: String? = nil,
        statusCallbackURL: String? = nil, timeout: TimeInterval = 10, session: URLSession = .shared
    ) {
        self.name = name
        self.messagesURL = messagesURL
        self.accountID = accountID
        self.authToken = authToken
        self.defaultFrom = defaultFrom
        self.statusCallbackURL = statusCallbackURL
        self.timeout = timeout
        self.session = session
    }

    /// The form body for `sms`.
    public func formBody(for sms: OutgoingSMS) -> String {
        var pairs: [(String, String)] = []
        if let from = sms.from ?? defaultFrom { pairs.append(("From", from)) }
        pairs += [("To", sms.to), ("Body", sms.text)]
        if let statusCallbackURL {
            pairs.append(("StatusCallback", FormURLEncoding.appending([("id", sms.id)], to: statusCallbackURL)))
        }
        return FormURLEncoding.encode(pairs)
    }

    /// `Basic base64(accountID:authToken)` (RFC 7617 §2).
    public var authorizationHeader: String {
        "Basic " + Data("\(accountID):\(authToken)".utf8).base64EncodedString()
    }

    public func send(_ sms: OutgoingSMS) async throws(SMSGatewayError) -> String? {
        guard let url = URL(string: messagesURL) else {
            throw .permanent("the \(name) messages URL \(messagesURL) is not a valid URL: fix the gateway settings")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(authorizationHeader, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = Data(formBody(for: sms).utf8)
        let (status, body) = try await HTTPExchange.perform(
            request, session: session, gateway: "\(name) at \(messagesURL)")
        return try Self.messageID(status: status, body: body, gateway: name)
    }

    /// 2xx: the provider's id (`sid`, else `id`) if the JSON has one. 429 and 5xx are worth
    /// retrying; other answers are refusals, with the provider's `message` when it gives one.
    static func messageID(status: Int, body: String, gateway: String) throws(SMSGatewayError) -> String? {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let reason = (json?["message"] as? String) ?? String(body.prefix(200))
        switch status {
        case 200..<300:
            return (json?["sid"] as? String) ?? (json?["id"] as? String) ?? (json?["id"] as? Int).map(String.init)
        case 429, 500..<600:
            throw .temporary("\(gateway) answered \(status): \(reason)")
        default:
            throw .permanent("\(gateway) answered \(status): \(reason)")
        }
    }

    /// What a Twilio-style `MessageStatus` says: `queued`, `accepted`, `sending` → accepted;
    /// `sent` → submitted (the carrier has it); `delivered`; `failed`, `undelivered` → failed.
    /// Nil for anything else (`receiving`, `read`, …).
    public static func deliveryState(fromStatus status: String) -> DeliveryState? {
        switch status.lowercased() {
        case "queued", "accepted", "sending", "scheduled": .accepted
        case "sent": .submitted
        case "delivered": .delivered
        case "failed", "undelivered", "canceled": .failed
        default: nil
        }
    }
}
