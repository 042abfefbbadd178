import Calls
import Directory
import Foundation
import Logging
import Registrar
import SIPCore
import SIPTransaction
import SIPTransport
import Voicemail

/// Message waiting (RFC 3842 over RFC 6665): phones SUBSCRIBE to `message-summary` for a
/// mailbox they may open and get a NOTIFY at once and on every change; registered phones of the
/// mailbox's members that did not subscribe get an unsolicited NOTIFY on every change (for
/// phones configured that way). Counts come from the mailbox store, so they are right after a
/// restart. Event-loop confined.
final class MessageWaiting {
    struct Subscription {
        var mailboxID: Int64
        var account: String
        var dialog: SubscriptionDialog
        var expiresAt: Int64
    }

    /// The dialog a SUBSCRIBE created, from our side (we are its notifier, RFC 6665 §4.2).
    struct SubscriptionDialog {
        var callID: String
        var localHeader: String
        var localTag: String
        var remoteHeader: String
        var remoteTarget: String
        var destination: CallDestination
        var localCSeq: UInt32 = 0
        var aor: String
    }

    static let event = "message-summary"
    static let minimumExpires: Int64 = 60
    static let maximumExpires: Int64 = 3600

    private(set) var subscriptions: [String: Subscription] = [:]
    unowned let core: SIPServerCore
    let mailboxes: any MailboxStore
    let logger: Logger

    init(core: SIPServerCore, mailboxes: any MailboxStore, logger: Logger) {
        self.core = core
        self.mailboxes = mailboxes
        self.logger = logger
    }

    // MARK: SUBSCRIBE

    /// A SUBSCRIBE from an authenticated device (`user`, `organisation`), new or refreshing.
    func subscribe(_ request: SIPRequest, routing: RoutingHeaders, transaction: ServerTransactionID, source: CallDestination, user: User?, organisation: Organisation) {
        func reply(_ code: Int, _ reason: String? = nil, _ extra: [(String, String)] = []) {
            var response = SIPResponse(replyingTo: request, statusCode: code, reasonPhrase: reason, toTag: Registrar.newTag())
            for (n, v) in extra { response.headers.add(n, v) }
            core.respond(response, to: transaction)
        }
        let eventName = request.headers["Event"].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
        guard eventName == Self.event else {
            // RFC 6665 §4.2.1.1: an event package we do not offer.
            reply(489, "Bad Event", [("Allow-Events", Self.event)])
            return
        }
        let requested = request.headers[HeaderName.expires].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } ?? Self.maximumExpires
        if requested > 0 && requested < Self.minimumExpires {
            reply(423, "Interval Too Brief", [(HeaderName.minExpires, "\(Self.minimumExpires)")])
            return
        }
        if let tag = routing.to.tag {
            // A refresh or an unsubscribe inside an existing subscription.
            guard var subscription = subscriptions[tag], subscription.dialog.callID == routing.callID else {
                reply(481, "Subscription Does Not Exist")
                return
            }
            let expires = min(requested, Self.maximumExpires)
            subscription.expiresAt = SIPServerCore.nowSeconds() + expires
            subscriptions[tag] = subscription
            var ok = SIPResponse(replyingTo: request, statusCode: 200)
            ok.headers.add(HeaderName.expires, "\(expires)")
            core.respond(ok, to: transaction)
            notify(tag, terminated: expires == 0)
            return
        }
        let number = request.uri?.sipURI?.decodedUser ?? user?.extension ?? ""
        guard let mailbox = try? mailboxes.mailbox(organisationID: organisation.id, number: number, creatingFor: user.map { ($0.id, $0.extension) }) else {
            reply(404, "No Such Mailbox")
            return
        }
        guard let user, mailbox.memberUserIDs.contains(user.id) else {
            reply(403, "Not Your Mailbox")
            return
        }
        let expires = min(requested, Self.maximumExpires)
        let tag = Registrar.newTag()
        var ok = SIPResponse(replyingTo: request, statusCode: 200, toTag: tag)
        ok.headers.add(HeaderName.expires, "\(expires)")
        ok.headers.add(HeaderName.contact, core.b2bua.contact(towards: source))
        core.respond(ok, to: transaction)
        let toHeader = (request.headers[HeaderName.to] ?? "<\(request.uriString)>") + ";tag=\(tag)"
        let dialog = SubscriptionDialog(
            callID: routing.callID, localHeader: toHeader, localTag: tag, remoteHeader: request.headers[HeaderName.from] ?? "",
            remoteTarget: routing.contacts?.firstURI ?? request.uriString, destination: source,
            aor: "sip:\(user.extension)@\(organisation.sipDomain)")
        subscriptions[tag] = Subscription(
            mailboxID: mailbox.id, account: "sip:\(mailbox.number)@\(organisation.sipDomain)", dialog: dialog,
            expiresAt: SIPServerCore.nowSeconds() + expires)
        logger.info("message-waiting subscription", metadata: ["mailbox": "\(mailbox.number)", "expires": "\(expires)"])
        // RFC 6665 §4.2.1.2: a NOTIFY at once with the current state.
        notify(tag, terminated: expires == 0)
    }

    // MARK: NOTIFY

    /// The mailbox changed: NOTIFY its subscribers, and unsolicited NOTIFY to its members' other phones.
    func mailboxChanged(_ mailbox: Mailbox) {
        expire()
        var subscribed = Set<String>()
        for (tag, subscription) in subscriptions where subscription.mailboxID == mailbox.id {
            subscribed.insert(subscription.dialog.remoteTarget)
            notify(tag, terminated: false)
        }
        let now = SIPServerCore.nowSeconds()
        guard let organisation = core.registrar.organisations(now: now).first(where: { $0.id == mailbox.organisationID }),
            let counts = try? mailboxes.summary(mailboxID: mailbox.id),
            let devices = try? core.registrar.directory.devices(organisationID: organisation.id)
        else { return }
        let account = "sip:\(mailbox.number)@\(organisation.sipDomain)"
        for username in devices.filter({ mailbox.memberUserIDs.contains($0.userID) }).map(\.username) {
            let aor = "sip:\(username)@\(organisation.sipDomain)"
            for binding in core.registrar.location.bindings(of: aor, now: SIPServerCore.nowSeconds()) where !subscribed.contains(binding.contactURI) {
                sendUnsolicited(MessageSummary(counts: counts, account: account), to: binding, aor: aor)
            }
        }
    }

    private func notify(_ tag: String, terminated: Bool) {
        guard var subscription = subscriptions[tag] else { return }
        // Never an unknown or negative count: a store that cannot answer sends no NOTIFY now.
        guard let counts = try? mailboxes.summary(mailboxID: subscription.mailboxID) else {
            logger.warning("message-waiting counts unavailable; NOTIFY postponed", metadata: ["mailbox": "\(subscription.mailboxID)"])
            return
        }
        let remaining = max(0, subscription.expiresAt - SIPServerCore.nowSeconds())
        var dialog = subscription.dialog
        dialog.localCSeq += 1
        var headers = SIPHeaders()
        headers.add(HeaderName.via, core.b2bua.via(towards: dialog.destination, branch: TransactionLayer<SIPPeer>.newBranch()))
        headers.add(HeaderName.maxForwards, "70")
        headers.add(HeaderName.from, dialog.localHeader)
        headers.add(HeaderName.to, dialog.remoteHeader)
        headers.add(HeaderName.callID, dialog.callID)
        headers.add(HeaderName.cseq, CSeq(dialog.localCSeq, .notify).description)
        headers.add(HeaderName.contact, core.b2bua.contact(towards: dialog.destination))
        headers.add("Event", Self.event)
        headers.add("Subscription-State", terminated || remaining == 0 ? "terminated;reason=timeout" : "active;expires=\(remaining)")
        headers.add(HeaderName.contentType, MessageSummary.contentType)
        let body = MessageSummary(counts: counts, account: subscription.account).body
        _ = core.sendRequest(SIPRequest(method: .notify, uri: dialog.remoteTarget, headers: headers, body: Array(body.utf8)), to: dialog.destination)
        subscription.dialog = dialog
        subscriptions[tag] = terminated || remaining == 0 ? nil : subscription
    }

    private func sendUnsolicited(_ summary: MessageSummary, to binding: Binding, aor: String) {
        let destination = CallDestination(transport: binding.transport, host: binding.sourceHost, port: binding.sourcePort)
        var headers = SIPHeaders()
        headers.add(HeaderName.via, core.b2bua.via(towards: destination, branch: TransactionLayer<SIPPeer>.newBranch()))
        headers.add(HeaderName.maxForwards, "70")
        headers.add(HeaderName.from, "<\(summary.account)>;tag=\(Registrar.newTag())")
        headers.add(HeaderName.to, "<\(aor)>")
        headers.add(HeaderName.callID, "\(Registrar.newTag())@carephone")
        headers.add(HeaderName.cseq, "1 NOTIFY")
        headers.add(HeaderName.contact, core.b2bua.contact(towards: destination))
        headers.add("Event", Self.event)
        headers.add("Subscription-State", "active")
        headers.add(HeaderName.contentType, MessageSummary.contentType)
        _ = core.sendRequest(SIPRequest(method: .notify, uri: binding.contactURI, headers: headers, body: Array(summary.body.utf8)), to: destination)
    }

    /// Forgets subscriptions that lapsed.
    func expire() {
        let now = SIPServerCore.nowSeconds()
        subscriptions = subscriptions.filter { $0.value.expiresAt > now }
    }
}
