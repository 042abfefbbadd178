import Foundation
import Messaging
import Scheduling

/// JSON shapes of the calendar API (snake_case, times ISO 8601 in the visit's zone).
enum CalendarViews {
    static func visit(_ a: Appointment, history: [AppointmentChange]? = nil) -> [String: Any] {
        var v: [String: Any] = [
            "id": a.id, "uid": a.uid, "provider_id": a.providerID, "start": DateText.local(a.start, zone: a.bookedTimeZoneIdentifier),
            "end": DateText.local(a.end, zone: a.bookedTimeZoneIdentifier), "time_zone": a.bookedTimeZoneIdentifier,
            "kind": a.kind.name, "status": a.status.name, "version": a.version, "changed_by": a.changedBy,
            "changed_at": DateText.string(a.changedAt),
        ]
        v["patient_id"] = a.patientID ?? NSNull()
        v["location"] = a.location ?? NSNull()
        v["title"] = a.title ?? NSNull()
        v["series_id"] = a.seriesID ?? NSNull()
        if let m = a.meeting {
            v["meeting"] = ["id": m.id, "passcode": m.passcode ?? NSNull(), "join_url": m.joinURL] as [String: Any]
        } else {
            v["meeting"] = NSNull()
        }
        if let history {
            v["history"] = history.map { h -> [String: Any] in
                ["version": h.version, "action": h.action.rawValue, "user_id": h.userID ?? NSNull(), "source": h.source,
                 "at": DateText.string(h.at), "detail": h.detail]
            }
        }
        return v
    }

    static func patient(_ p: Patient) -> [String: Any] {
        [
            "id": p.id, "first_name": p.firstName, "last_name": p.lastName, "mobile": p.mobile, "locale": p.localeTag,
            "time_zone": p.timeZoneIdentifier,
            "sms_consent": ["granted": p.smsConsent.granted, "source": p.smsConsent.source, "at": DateText.string(p.smsConsent.at)] as [String: Any],
        ]
    }

    static func provider(_ p: Provider, delegates: [Delegation], hours: [WorkingHours]) -> [String: Any] {
        [
            "id": p.id, "user_id": p.userID, "display_name": p.displayName, "time_zone": p.timeZoneIdentifier,
            "delegates": delegates.map(\.schedulerUserID), "working_hours": hours.map(\.text),
            "reminder_offsets": p.reminderOffsets ?? NSNull(),
        ]
    }

    static func reminder(_ m: OutboxMessage) -> [String: Any] {
        [
            "id": m.id, "key": m.idempotencyKey, "purpose": m.purpose.rawValue, "visit_id": m.appointmentID ?? NSNull(),
            "patient_id": m.patientID ?? NSNull(), "to": m.to, "text": m.text, "encoding": m.encoding.rawValue, "segments": m.segments,
            "send_at": DateText.string(m.sendAt), "state": m.state.rawValue, "attempts": m.attempts, "last_error": m.lastError ?? NSNull(),
            "gateway": m.gateway ?? NSNull(), "sent_at": m.sentAt.map(DateText.string) ?? NSNull(),
        ]
    }

    static func inbound(_ m: InboundSMS) -> [String: Any] {
        [
            "id": m.id, "from": m.from, "to": m.to, "text": m.text, "received_at": DateText.string(m.receivedAt), "reply": m.reply.rawValue,
            "patient_id": m.patientID ?? NSNull(), "visit_id": m.appointmentID ?? NSNull(), "outcome": m.outcome,
            "needs_staff": m.needsStaff, "handled_at": m.handledAt.map(DateText.string) ?? NSNull(),
        ]
    }
}
