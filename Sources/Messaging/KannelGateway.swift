import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Kannel's smsbox `sendsms` HTTP interface (Kannel User Guide, "Sending SMS messages via
/// HTTP": `/cgi-bin/sendsms`).
///
/// - A GET with the parameters in the query: `sendsms` answers a form POST with
///   `400 Invalid content-type` (measured with Kannel 1.4.5).
/// - `charset=UTF-8` says how `text` is encoded; `coding=2` asks for UCS-2 on the air. Without
///   it Kannel sends GSM-7 and turns every character it cannot represent (all of Chinese) into
///   `?`, silently.
/// - `dlr-mask=31` asks for every report type (1 delivered, 2 failed, 4 buffered, 8 SMSC
///   submit, 16 SMSC reject); `dlr-url` is where smsbox GETs them, after replacing `%d` with
///   the type (User Guide, "Delivery reports", escape codes table). Our callback gets
///   `&id=<outbox id>&type=%d` appended to its template, so the report names the message.
/// - Kannel gives no message id to the caller; reports are matched by our own `id`.
///
/// Smsbox retries a report it could not deliver only when `http-request-retry` is set in its
/// group (any answer other than 200 or 202 counts as a failure), and only in memory; the
/// callback must answer 200 and be idempotent (a retry after a lost answer repeats it).
public struct KannelGateway: SMSGateway {
    public let name = "kannel"
    /// `http://127.0.0.1:13013/cgi-bin/sendsms`
    public var sendsmsURL: String
    /// A `sendsms-user` group's username and password.
    public var username: String
    public var password: String
    /// Sender used when the text has none; nil lets Kannel use the user's `default-sender`.
    public var defaultFrom: String?
    /// Forces an SMSC (`smsc=`, matched against `smsc-id`); nil lets Kannel route.
    public var smscID: String?
    /// Our delivery-report callback, e.g. `http://127.0.0.1:8080/sms/kannel/dlr?secret=XYZ`;
    /// nil sends texts without asking for reports.
    public var deliveryReportURL: String?
    /// Seconds before an unanswered request is given up as a temporary failure.
    public var timeout: TimeInterval
    private let session: URLSession

    public init(
        sendsmsURL: String, username: String, password: String, defaultFrom: String? = nil, smscID: String? = nil,
        deliveryReportURL: String? = nil, timeout: TimeInterval = 10, session: URLSession = .shared
    ) {
        self.sendsmsURL = sendsmsURL
        self.username = username
        self.password = password
        self.defaultFrom = defaultFrom
        self.smscID = smscID
        self.deliveryReportURL = deliveryReportURL
        self.timeout = timeout
        self.session = session
    }

    /// The `sendsms` URL for `sms`, query included.
    public func requestURL(for sms: OutgoingSMS) -> String {
        var pairs: [(String, String)] = [("username", username), ("password", password), ("to", sms.to)]
        if let from = sms.from ?? defaultFrom { pairs.append(("from", from)) }
        pairs += [
            ("text", sms.text), ("charset", "UTF-8"),
            ("coding", sms.encoding == .ucs2 ? "2" : "0"),
        ]
        if let smscID { pairs.append(("smsc", smscID)) }
        if let url = dlrURL(for: sms) {
            pairs += [("dlr-mask", "31"), ("dlr-url", url)]
        }
        return FormURLEncoding.appending(pairs, to: sendsmsURL)
    }

    /// The `dlr-url` value before it is encoded as a parameter: the template with
    /// `id=<sms.id>&type=%d`. The `%d` is Kannel's; it reaches Kannel as `%25d` in the query.
    public func dlrURL(for sms: OutgoingSMS) -> String? {
        guard let deliveryReportURL else { return nil }
        return FormURLEncoding.appending([("id", sms.id)], to: deliveryReportURL) + "&type=%d"
    }

    public func send(_ sms: OutgoingSMS) async throws(SMSGatewayError) -> String? {
        guard let url = URL(string: requestURL(for: sms)) else {
            throw .permanent("the Kannel sendsms URL \(sendsmsURL) is not a valid URL: fix the gateway settings")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "GET"
        let (status, body) = try await HTTPExchange.perform(
            request, session: session, gateway: "Kannel at \(sendsmsURL)")
        try Self.checkAnswer(status: status, body: body)
        return nil
    }

    /// Kannel's answer to `sendsms`: 202 with `0: Accepted for delivery` or
    /// `3: Queued for later delivery` is a success; 5xx is worth retrying; 4xx (bad
    /// credentials, missing number, rejected text) is not.
    static func checkAnswer(status: Int, body: String) throws(SMSGatewayError) {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 200..<300 where text.hasPrefix("0:") || text.hasPrefix("3:"):
            return
        case 500..<600:
            throw .temporary("Kannel answered \(status): \(text)")
        case 400..<500:
            throw .permanent("Kannel answered \(status): \(text)")
        default:
            // A 2xx without Kannel's status line could be a proxy page; the text may or may not
            // be queued, and retrying could send it twice, so it is not retried.
            throw .permanent("unexpected answer from Kannel (\(status)): \(text.prefix(200))")
        }
    }

    /// What a Kannel delivery report's `type` (`%d` in the dlr-url) says (User Guide,
    /// "Delivery reports": 1 delivered to phone, 2 non-delivered, 4 queued on SMSC,
    /// 8 delivered to SMSC, 16 non-delivered to SMSC). Nil for anything else.
    public static func deliveryState(kannelType: Int) -> DeliveryState? {
        switch kannelType {
        case 1: .delivered
        case 2: .failed
        case 4: .accepted
        case 8: .submitted
        case 16: .failed
        default: nil
        }
    }
}
