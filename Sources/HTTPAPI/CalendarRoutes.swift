import Directory
import Foundation
import Hummingbird
import Messaging
import Scheduling

/// Visits, patients and providers (README §HTTP API, calendar).
func addCalendarRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    addVisitRoutes(to: router, api: api)
    addPatientRoutes(to: router, api: api)
    addProviderRoutes(to: router, api: api)
    addMessagingRoutes(to: router, api: api)
    addClinicSettingsRoutes(to: router, api: api)
}

/// Runs `body` for an authenticated user, turning field and scheduling errors into 4xx answers.
func withUser(
    _ request: Request, _ api: CalendarAPI, _ body: (User, ActingUser) async throws -> Response
) async throws -> Response {
    let user: (User, ActingUser)
    switch api.actingUser(request) {
    case .failure(let response): return response
    case .success(let u): user = u
    }
    do {
        return try await body(user.0, user.1)
    } catch let error as HTTPFieldError {
        return error.response
    } catch let error as SchedulingError {
        return schedulingResponse(error)
    }
}

func pathID(_ context: APIRequestContext, _ name: String = "id") throws(HTTPFieldError) -> Int64 {
    guard let text = context.parameters.get(name), let id = Int64(text) else {
        throw HTTPFieldError(status: .notFound, field: name, message: "not a number")
    }
    return id
}

func addVisitRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    router.post("api/visits") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let body = try await JSONFields(request)
            guard let providerID = try body.int("provider_id", required: true) else { throw HTTPFieldError(field: "provider_id", message: "is required") }
            let provider = try api.calendar.provider(id: providerID)
            let zoneName = try body.string("time_zone") ?? provider?.timeZoneIdentifier
            if let zoneName, TimeZone(identifier: zoneName) == nil {
                throw HTTPFieldError(field: "time_zone", message: "'\(zoneName)' is not a known time zone; use an IANA name such as Europe/Rome")
            }
            let zone = zoneName.flatMap(TimeZone.init(identifier:))
            let kindText = try body.string("kind") ?? "in-person"
            guard let kind = Appointment.Kind(name: kindText) else {
                throw HTTPFieldError(field: "kind", message: "'\(kindText)' is not one of \(Appointment.Kind.names)")
            }
            guard let start = try body.instant("start", zone: zone, required: true) else { throw HTTPFieldError(field: "start", message: "is required") }
            let end: Date
            if let e = try body.instant("end", zone: zone) {
                end = e
            } else if let minutes = try body.int("minutes") {
                guard (1...1440).contains(minutes) else { throw HTTPFieldError(field: "minutes", message: "must be 1 to 1440") }
                end = start.addingTimeInterval(Double(minutes) * 60)
            } else {
                throw HTTPFieldError(field: "end", message: "give end (or minutes)")
            }
            var exceptions: [Date] = []
            for text in try body.strings("exceptions") ?? [] {
                guard let d = DateText.parse(text, zone: zone) else { throw HTTPFieldError(field: "exceptions", message: "'\(text)' is not a time") }
                exceptions.append(d)
            }
            let booking = BookingRequest(
                providerID: providerID, patientID: try body.int("patient_id"), start: start, end: end, timeZoneIdentifier: zoneName,
                kind: kind, location: try body.string("location"), title: try body.string("title"), recurrence: try body.string("recurrence"),
                exceptions: exceptions, allowOverlap: try body.bool("allow_overlap") ?? false)
            let created = try await api.scheduling.book(booking, by: user, source: "http")
            if created.count == 1 { return jsonObject(CalendarViews.visit(created[0]), status: .created) }
            return jsonObject(["visits": created.map { CalendarViews.visit($0) }], status: .created)
        }
    }
    router.get("api/visits") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let q = request.uri.queryParameters
            var providerID: Int64?
            if let text = q.get("provider_id") {
                guard let id = Int64(text) else { throw HTTPFieldError(field: "provider_id", message: "not a number") }
                providerID = id
            }
            let from = try q.get("from").map { text throws(HTTPFieldError) in
                guard let d = DateText.parse(text, zone: nil) else { throw HTTPFieldError(field: "from", message: "'\(text)' is not an ISO 8601 time") }
                return d
            }
            let to = try q.get("to").map { text throws(HTTPFieldError) in
                guard let d = DateText.parse(text, zone: nil) else { throw HTTPFieldError(field: "to", message: "'\(text)' is not an ISO 8601 time") }
                return d
            }
            var list = try api.calendar.appointments(organisationID: user.organisationID, providerID: providerID, from: from, to: to)
            if let patient = q.get("patient_id") {
                guard let id = Int64(patient) else { throw HTTPFieldError(field: "patient_id", message: "not a number") }
                list = list.filter { $0.patientID == id }
            }
            return jsonObject(["visits": list.map { CalendarViews.visit($0) }])
        }
    }
    router.get("api/visits/:id") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let id = try pathID(context)
            guard let a = try api.calendar.appointment(id: id), a.organisationID == user.organisationID else {
                throw HTTPFieldError(status: .notFound, field: "id", message: "no visit \(id) in this organisation")
            }
            return jsonObject(CalendarViews.visit(a, history: try api.calendar.history(appointmentID: id)))
        }
    }
    router.post("api/visits/:id/move") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let id = try pathID(context)
            let body = try await JSONFields(request)
            let zone = try api.calendar.appointment(id: id).flatMap { TimeZone(identifier: $0.bookedTimeZoneIdentifier) }
            guard let start = try body.instant("start", zone: zone, required: true) else { throw HTTPFieldError(field: "start", message: "is required") }
            let moved = try await api.scheduling.move(
                id: id, start: start, end: try body.instant("end", zone: zone), by: user, source: "http",
                allowOverlap: try body.bool("allow_overlap") ?? false)
            return jsonObject(CalendarViews.visit(moved))
        }
    }
    router.post("api/visits/:id/outcome") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let text = try await JSONFields(request).string("status", required: true) ?? ""
            guard let status = Appointment.Status(name: text), status == .completed || status == .noShow else { throw HTTPFieldError(field: "status", message: "'\(text)' must be completed or no-show") }
            return jsonObject(CalendarViews.visit(try await api.scheduling.setOutcome(id: try pathID(context), status, by: user, source: "http")))
        }
    }
    router.post("api/visits/:id/cancel") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let cancelled = try await api.scheduling.cancel(id: try pathID(context), by: user, source: "http")
            return jsonObject(CalendarViews.visit(cancelled))
        }
    }
}

func addPatientRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    router.post("api/patients") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let body = try await JSONFields(request)
            let consent = try body.bool("sms_consent") ?? false
            let patient = Patient(
                id: 0, organisationID: user.organisationID, firstName: try body.string("first_name", required: true) ?? "",
                lastName: try body.string("last_name", required: true) ?? "", mobile: try body.string("mobile", required: true) ?? "",
                localeTag: try body.string("locale") ?? "en", timeZoneIdentifier: try body.string("time_zone", required: true) ?? "",
                smsConsent: SMSConsent(granted: consent, source: try body.string("consent_source") ?? (consent ? "staff" : "not asked"), at: Date()))
            do throws(SchedulingError) {
                let created = try api.scheduling.createPatient(patient, by: user)
                return jsonObject(CalendarViews.patient(created), status: .created)
            } catch {
                guard case .invalid(let errors) = error else { throw error }
                // Name the JSON field, not the model's.
                let names = ["firstName": "first_name", "lastName": "last_name", "localeTag": "locale", "timeZoneIdentifier": "time_zone",
                             "smsConsent.source": "consent_source"]
                throw SchedulingError.invalid(errors.map { ValidationError(field: names[$0.field] ?? $0.field, message: $0.message) })
            }
        }
    }
    router.get("api/patients") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            jsonObject(["patients": try api.calendar.patients(organisationID: user.organisationID).map(CalendarViews.patient)])
        }
    }
    router.get("api/patients/:id") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let id = try pathID(context)
            guard let p = try api.calendar.patient(id: id), p.organisationID == user.organisationID else {
                throw HTTPFieldError(status: .notFound, field: "id", message: "no patient \(id) in this organisation")
            }
            return jsonObject(CalendarViews.patient(p))
        }
    }
}
