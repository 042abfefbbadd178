import Foundation
import Registrar
import SIPCore
import SIPTransaction

/// Our registration with a trunk provider (RFC 3261 §10.2), so it sends calls in to us.
public struct TrunkRegistration: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case registering
        case registered(expires: Int)
        case failed(code: Int)
    }

    public var state: State = .registering
    var callID = Registrar.newTag() + "@carephone"
    var fromTag = Registrar.newTag()
    var cseq: UInt32 = 0
    /// Challenges answered in a row; a second one for the same REGISTER means wrong credentials
    /// (unless it says stale=true, which earns at most two more tries).
    var challengesAnswered = 0
    /// The interval the provider asked for with 423 Interval Too Brief (RFC 3261 §10.2.8).
    var expires: Int?
}

extension B2BUA {
    /// Starts REGISTER to every trunk with `register: true`.
    public func startTrunkRegistrations() {
        for trunk in trunks.values where trunk.register {
            trunkRegistrations[trunk.name] = TrunkRegistration()
            sendTrunkRegister(trunk.name, answering: nil)
        }
    }

    /// The state of each trunk registration, by trunk name.
    public var trunkRegistrationStates: [String: TrunkRegistration.State] {
        trunkRegistrations.mapValues(\.state)
    }

    private func sendTrunkRegister(_ name: String, answering challenge: (DigestChallenge, proxy: Bool)?) {
        guard let trunk = trunks[name], var registration = trunkRegistrations[name] else { return }
        registration.cseq += 1
        let destination = trunk.destination
        let user = trunk.username ?? "carephone"
        let uri = "sip:\(trunk.domain)" + (destination.port == 5060 ? "" : ":\(destination.port)")
        let (host, port) = signalling.localAddress(towards: destination)
        let h = host.contains(":") ? "[\(host)]" : host
        var headers = SIPHeaders()
        headers.add(HeaderName.via, via(towards: destination, branch: TransactionLayer<CallDestination>.newBranch()))
        headers.add(HeaderName.maxForwards, "70")
        headers.add(HeaderName.from, "<sip:\(user)@\(trunk.domain)>;tag=\(registration.fromTag)")
        headers.add(HeaderName.to, "<sip:\(user)@\(trunk.domain)>")
        headers.add(HeaderName.callID, registration.callID)
        headers.add(HeaderName.cseq, CSeq(registration.cseq, .register).description)
        let transport = destination.transport == "udp" ? "" : ";transport=\(destination.transport)"
        headers.add(HeaderName.contact, "<sip:\(user)@\(h):\(port)\(transport)>")
        headers.add(HeaderName.expires, "\(registration.expires ?? trunk.registerExpires)")
        headers.add(HeaderName.userAgent, "CarePhone")
        if let (challenge, proxy) = challenge, let password = trunk.password {
            let credentials = DigestCredentials(
                answering: challenge, username: user, password: password, method: "REGISTER", uri: uri, cnonce: Registrar.newTag())
            headers.add(proxy ? HeaderName.proxyAuthorization : HeaderName.authorization, credentials.headerValue)
        }
        trunkRegistrations[name] = registration
        let id = signalling.sendRequest(SIPRequest(method: .register, uri: uri, headers: headers), to: destination)
        clientTransactions[id] = .trunkRegister(name)
    }

    func trunkRegisterResponse(_ response: SIPResponse, trunk name: String) {
        guard var registration = trunkRegistrations[name], let trunk = trunks[name] else { return }
        let code = response.statusCode
        guard code >= 200 else { return }
        var retryIn: Int
        switch code {
        case 200..<300:
            // The provider may shorten the interval (Contact expires= or Expires).
            let granted = response.headers[HeaderName.contact].flatMap { Self.expiresParameter($0) }
                ?? response.headers[HeaderName.expires].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                ?? trunk.registerExpires
            registration.state = .registered(expires: granted)
            registration.challengesAnswered = 0
            retryIn = max(10, granted * 8 / 10)
            log(.info, "registered to trunk", ["trunk": name, "expires": "\(granted)"])
        case 401, 407:
            let header = code == 407 ? HeaderName.proxyAuthenticate : HeaderName.wwwAuthenticate
            let stale = response.headers.values(header).contains { $0.lowercased().contains("stale=true") }
            if registration.challengesAnswered < 1 || (stale && registration.challengesAnswered < 3),
                let challenge = response.headers.values(header).compactMap({ try? DigestChallenge(parsing: $0) }).first,
                trunk.password != nil
            {
                registration.challengesAnswered += 1
                trunkRegistrations[name] = registration
                sendTrunkRegister(name, answering: (challenge, code == 407))
                return
            }
            registration.state = .failed(code: code)
            registration.challengesAnswered = 0
            retryIn = 60
            log(.warning, "trunk refused our credentials", ["trunk": name, "code": "\(code)"])
        case 423:
            // §10.2.8: ask again at once with the provider's Min-Expires.
            if let minimum = response.headers[HeaderName.minExpires].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
                minimum > (registration.expires ?? trunk.registerExpires), registration.expires == nil || minimum <= 86_400
            {
                registration.expires = minimum
                trunkRegistrations[name] = registration
                log(.notice, "trunk asked for a longer registration", ["trunk": name, "expires": "\(minimum)"])
                sendTrunkRegister(name, answering: nil)
                return
            }
            registration.state = .failed(code: code)
            registration.challengesAnswered = 0
            retryIn = 60
        default:
            registration.state = .failed(code: code)
            registration.challengesAnswered = 0
            retryIn = 30
            log(.warning, "trunk registration failed", ["trunk": name, "code": "\(code)"])
        }
        trunkRegistrations[name] = registration
        _ = signalling.schedule(afterMilliseconds: Int64(retryIn) * 1000) { [weak self] in
            self?.sendTrunkRegister(name, answering: nil)
        }
    }

    static func expiresParameter(_ contact: String) -> Int? {
        guard let address = try? NameAddress(parsing: contact), let value = address.parameters["expires"] else { return nil }
        return Int(value)
    }
}
