import Directory
import Foundation
import Hummingbird
import Messaging
import Scheduling

/// Providers: who they are, who may book for them, their hours, their calendar feed and `.ics` import.
func addProviderRoutes(to router: Router<APIRequestContext>, api: CalendarAPI) {
    router.get("api/providers") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let list = try api.calendar.providers(organisationID: user.organisationID).map {
                CalendarViews.provider($0, delegates: try api.calendar.delegations(providerID: $0.id), hours: try api.calendar.workingHours(providerID: $0.id))
            }
            return jsonObject(["providers": list])
        }
    }
    router.post("api/providers") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            guard user.role != .member else {
                throw HTTPFieldError(status: .forbidden, field: "role", message: "only an organisation owner or admin may add providers")
            }
            let body = try await JSONFields(request)
            let member = try userNamed(body, "extension", api: api, organisation: user.organisationID)
            if try api.calendar.provider(userID: member.id) != nil {
                throw HTTPFieldError(status: .conflict, field: "extension", message: "\(member.extension) is already a provider")
            }
            let zone = try body.string("time_zone") ?? (try api.directory.organisation(id: user.organisationID))?.timeZone ?? "UTC"
            if let e = FieldValidation.timeZone(zone, field: "time_zone") { throw HTTPFieldError(field: e.field, message: e.message) }
            let hours = try workingHours(body)
            let provider = try api.calendar.createProvider(
                Provider(id: 0, organisationID: user.organisationID, userID: member.id, displayName: try body.string("display_name") ?? member.displayName,
                         timeZoneIdentifier: zone))
            try api.calendar.setWorkingHours(hours, providerID: provider.id)
            return jsonObject(CalendarViews.provider(provider, delegates: [], hours: hours), status: .created)
        }
    }
    router.put("api/providers/:id/working-hours") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            let hours = try workingHours(try await JSONFields(request))
            try api.calendar.setWorkingHours(hours, providerID: provider.id)
            return jsonObject(["working_hours": hours.map(\.text)])
        }
    }
    router.put("api/providers/:id/reminders") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            let offsets = try await JSONFields(request).string("offsets")
            if let offsets {
                do throws(Scheduling.ValidationError) { _ = try ReminderOffset.list(parsing: offsets, field: "offsets") } catch {
                    throw HTTPFieldError(field: "offsets", message: error.message)
                }
            }
            try api.calendar.setReminderOffsets(offsets, providerID: provider.id)
            // Plan the provider's pending visits again under the new offsets.
            for visit in try api.calendar.appointments(organisationID: provider.organisationID, providerID: provider.id, from: Date(), to: nil)
            where visit.isPending {
                await api.scheduling.onChange(visit, .updated)
            }
            return jsonObject(["offsets": offsets.map { $0 as Any } ?? NSNull()])
        }
    }
    router.post("api/providers/:id/delegates") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            let member = try userNamed(try await JSONFields(request), "extension", api: api, organisation: user.organisationID)
            try api.calendar.addDelegation(Delegation(providerID: provider.id, schedulerUserID: member.id))
            return jsonObject(["delegates": try api.calendar.delegations(providerID: provider.id).map(\.schedulerUserID)])
        }
    }
    router.delete("api/providers/:id/delegates/:user") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            try api.calendar.removeDelegation(Delegation(providerID: provider.id, schedulerUserID: try pathID(context, "user")))
            return Response(status: .noContent)
        }
    }
    router.post("api/providers/:id/feed") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            // A new secret each time: the old URL stops working (use it to revoke a leaked one).
            let secret = APIToken.newSecret().replacingOccurrences(of: "cpt_", with: "cpf_")
            try api.calendar.setFeedTokenHash(APIToken.hash(secret), providerID: provider.id)
            let host = request.head.authority ?? "localhost"
            let path = "/calendar/feeds/\(secret).ics"
            return jsonObject(["path": path, "url": "http://\(host)\(path)"], status: .created)
        }
    }
    router.post("api/providers/:id/import") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let provider = try ownProviderOrAdmin(context, user, api)
            let buffer = try await request.body.collect(upTo: 8 << 20)
            guard let text = String(bytes: buffer.readableBytesView, encoding: .utf8) else {
                throw HTTPFieldError(field: "body", message: "send the .ics file as UTF-8 text (Content-Type: text/calendar)")
            }
            do {
                let (created, updated) = try await api.importICS(text, provider, user)
                return jsonObject(["created": created, "updated": updated])
            } catch let error as HTTPFieldError {
                throw error
            } catch let error as SchedulingError {
                throw error
            } catch {
                throw HTTPFieldError(field: "body", message: String(describing: error))
            }
        }
    }
    router.get("api/calendar/conflicts") { request, _ -> Response in
        try await withUser(request, api) { _, user in
            let all = request.uri.queryParameters.get("all") == "true"
            let list = try api.caldav.conflicts(organisationID: user.organisationID, includeResolved: all).map { c -> [String: Any] in
                ["id": c.id, "provider_id": c.providerID, "uid": c.uid, "href": c.href, "reason": c.reason,
                 "detected_at": DateText.string(c.detectedAt), "resolved_at": c.resolvedAt.map(DateText.string) ?? NSNull()]
            }
            return jsonObject(["conflicts": list])
        }
    }
    router.post("api/calendar/conflicts/:id/resolve") { request, context -> Response in
        try await withUser(request, api) { _, user in
            let id = try pathID(context)
            let keep = try await JSONFields(request).string("keep", required: true) ?? ""
            guard ["carephone", "caldav"].contains(keep) else {
                throw HTTPFieldError(field: "keep", message: "'\(keep)' must be carephone (push ours over theirs) or caldav (take theirs)")
            }
            guard let open = try api.caldav.conflicts(organisationID: user.organisationID, includeResolved: false).first(where: { $0.id == id }) else {
                throw HTTPFieldError(status: .notFound, field: "id", message: "no open conflict \(id) in this organisation")
            }
            guard let provider = try api.calendar.provider(id: open.providerID), provider.userID == user.id || user.role != .member else {
                throw HTTPFieldError(status: .forbidden, field: "id", message: "only the provider or an organisation admin may settle this")
            }
            guard try api.caldav.resolveConflict(id: id, organisationID: user.organisationID, keep: keep, at: Date()) != nil else {
                throw HTTPFieldError(status: .notFound, field: "id", message: "no open conflict \(id) in this organisation")
            }
            return jsonObject(["id": id, "keep": keep, "applied": "at the next sync"])
        }
    }
    // The feed: no token, the unguessable URL is the credential (Outlook and Google cannot send one).
    router.get("calendar/feeds/:file") { request, context -> Response in
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".ics"), let provider = try api.calendar.provider(feedTokenHash: APIToken.hash(String(file.dropLast(4)))) else {
            return fieldError(.notFound, field: "feed", message: "no such calendar feed (it may have been replaced by a new URL)")
        }
        let now = Date()
        let visits = try api.calendar.appointments(
            organisationID: provider.organisationID, providerID: provider.id, from: now.addingTimeInterval(-90 * 86_400),
            to: now.addingTimeInterval(400 * 86_400))
        var patients: [Int64: Patient] = [:]
        let withNames = (try api.calendar.clinicSettings(organisationID: provider.organisationID)).patientNamesInFeeds ?? api.patientNamesInFeeds
        if withNames {
            for id in Set(visits.compactMap(\.patientID)) { patients[id] = try api.calendar.patient(id: id) }
        }
        let text = ICalendarWriter(includePatientNames: withNames)
            .document(for: visits, patients: patients, stamp: now)
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The provider `:id` if `user` is that provider or an owner/admin of its organisation.
func ownProviderOrAdmin(_ context: APIRequestContext, _ user: ActingUser, _ api: CalendarAPI) throws -> Provider {
    let id = try pathID(context)
    guard let provider = try api.calendar.provider(id: id), provider.organisationID == user.organisationID else {
        throw HTTPFieldError(status: .notFound, field: "id", message: "no provider \(id) in this organisation")
    }
    guard provider.userID == user.id || user.role != .member else {
        throw HTTPFieldError(status: .forbidden, field: "id", message: "only the provider or an organisation admin may change this")
    }
    return provider
}

func userNamed(_ body: JSONFields, _ key: String, api: CalendarAPI, organisation: Int64) throws -> User {
    guard let ext = try body.string(key, required: true) else { throw HTTPFieldError(field: key, message: "is required") }
    guard let member = try api.directory.users(organisationID: organisation).first(where: { $0.extension == ext }) else {
        throw HTTPFieldError(status: .notFound, field: key, message: "no user with extension \(ext) in this organisation")
    }
    return member
}

func workingHours(_ body: JSONFields) throws -> [WorkingHours] {
    var hours: [WorkingHours] = []
    for text in try body.strings("working_hours") ?? [] {
        do { hours.append(try WorkingHours(parsing: text)) } catch { throw HTTPFieldError(field: "working_hours", message: error.message) }
    }
    return hours
}
