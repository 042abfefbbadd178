import Directory
import Foundation
import Hummingbird
import Messaging
import Scheduling

/// Reminders and the clinic inbox for staff, and the SMS gateways' callbacks: Kannel's
/// delivery reports (`dlr-url`) and inbound texts (`sms-service` `get-url`), and the REST
/// gateway's status and inbound callbacks. Callbacks carry the configured `?secret=`.
func addMessagingRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    router.get("api/reminders") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let q = request.uri.queryParameters
            func id(_ key: String) throws(HTTPFieldError) -> Int64? {
                guard let text = q.get(key) else { return nil }
                guard let n = Int64(text) else { throw HTTPFieldError(field: key, message: "not a number") }
                return n
            }
            let limit = Int(q.get("limit") ?? "200") ?? 0
            guard (1...10_000).contains(limit) else { throw HTTPFieldError(field: "limit", message: "must be 1 to 10000") }
            let list = try api.outbox.messages(
                organisationID: user.organisationID, appointmentID: try id("visit_id"), patientID: try id("patient_id"), limit: limit)
            return jsonObject(["reminders": list.map(CalendarViews.reminder)])
        }
    }
    router.get("api/inbox") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let all = request.uri.queryParameters.get("all") == "true"
            let list = try api.inbox.inbox(organisationID: user.organisationID, onlyNeedingStaff: !all, limit: 500)
            return jsonObject(["messages": list.map(CalendarViews.inbound)])
        }
    }
    router.post("api/inbox/:id/handled") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let id = try pathID(context)
            guard try api.inbox.markHandled(id: id, organisationID: user.organisationID, by: user.id, at: Date()) else {
                throw HTTPFieldError(status: .notFound, field: "id", message: "no inbox message \(id) in this organisation")
            }
            return Response(status: .noContent)
        }
    }

    // Kannel: dlr-url ...?secret=S&id=<outbox id>&type=%d
    router.get("sms/kannel/dlr") { request, _ -> Response in
        let q = request.uri.queryParameters
        guard api.isCallbackSecret(q.get("secret")) else { return fieldError(.forbidden, field: "secret", message: "wrong callback secret") }
        guard let id = q.get("id"), !id.isEmpty else { return fieldError(.badRequest, field: "id", message: "is required") }
        guard let type = q.get("type").flatMap({ Int($0) }), let state = KannelGateway.deliveryState(kannelType: type) else {
            return fieldError(.badRequest, field: "type", message: "must be a Kannel DLR type (1, 2, 4, 8 or 16)")
        }
        let known = try api.outbox.recordDelivery(id: String(id), state: state, at: Date())
        api.log("delivery report \(state.rawValue) for \(id)\(known ? "" : " (unknown message)")")
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: known ? "ok" : "unknown message")))
    }
    // Kannel: sms-service get-url ...?secret=S&from=%p&to=%P&text=%b
    router.get("sms/kannel/inbound") { request, _ -> Response in
        let q = request.uri.queryParameters
        guard api.isCallbackSecret(q.get("secret")) else { return fieldError(.forbidden, field: "secret", message: "wrong callback secret") }
        return try await inbound(api, from: q.get("from"), to: q.get("to") ?? "", text: q.get("text"))
    }
    // REST gateway: StatusCallback ...?secret=S&id=<outbox id>, form MessageStatus=delivered
    router.post("sms/rest/status") { request, _ -> Response in
        let q = request.uri.queryParameters
        guard api.isCallbackSecret(q.get("secret")) else { return fieldError(.forbidden, field: "secret", message: "wrong callback secret") }
        let form = try await formFields(request)
        guard let id = q.get("id") else { return fieldError(.badRequest, field: "id", message: "is required") }
        guard let status = form["MessageStatus"] ?? form["status"], let state = RESTSMSGateway.deliveryState(fromStatus: status) else {
            return fieldError(.badRequest, field: "MessageStatus", message: "is missing or not a known status")
        }
        _ = try api.outbox.recordDelivery(id: String(id), state: state, at: Date())
        return Response(status: .noContent)
    }
    router.post("sms/rest/inbound") { request, _ -> Response in
        let q = request.uri.queryParameters
        guard api.isCallbackSecret(q.get("secret")) else { return fieldError(.forbidden, field: "secret", message: "wrong callback secret") }
        let form = try await formFields(request)
        return try await inbound(api, from: form["From"], to: form["To"] ?? "", text: form["Body"])
    }
}

func inbound(_ api: CalendarAPI, from: String?, to: String, text: String?) async throws -> Response {
    guard let from, !from.isEmpty else { return fieldError(.badRequest, field: "from", message: "is required") }
    guard let text else { return fieldError(.badRequest, field: "text", message: "is required") }
    let record = try await api.replies.handle(from: from, to: to, text: text)
    // No phone number or text in the log: they are the patient's.
    api.log("text \(record.id) from a patient: \(record.reply.rawValue), \(record.outcome)")
    // 200 with no body: smsbox retries anything but 200/202, and its `max-messages = 0` keeps
    // it from texting an answer back to the patient.
    return Response(status: .ok)
}

func formFields(_ request: Request) async throws -> [String: String] {
    let buffer = try await request.body.collect(upTo: 64 * 1024)
    return FormURLEncoding.decode(String(decoding: buffer.readableBytesView, as: UTF8.self))
}
