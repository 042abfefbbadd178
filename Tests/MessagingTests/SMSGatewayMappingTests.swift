import Testing

@testable import Messaging

/// The pure parts of the gateways: URLs, forms and the delivery-state tables.
struct SMSGatewayMappingTests {
    let sms = OutgoingSMS(id: "m 1&2", to: "+886912345678", from: nil, text: "確認 100% & ok", encoding: .ucs2)

    @Test func kannelRequestCarriesCodingAndAnEscapedDLRURL() {
        let gateway = KannelGateway(
            sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms", username: "u", password: "p&w", defaultFrom: "Clinic",
            smscID: "smsc1", deliveryReportURL: "http://127.0.0.1:8080/sms/kannel/dlr?secret=XYZ")
        #expect(gateway.dlrURL(for: sms) == "http://127.0.0.1:8080/sms/kannel/dlr?secret=XYZ&id=m%201%262&type=%d")
        #expect(
            gateway.requestURL(for: sms)
                == "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&password=p%26w&to=%2B886912345678&from=Clinic"
                + "&text=%E7%A2%BA%E8%AA%8D%20100%25%20%26%20ok&charset=UTF-8&coding=2&smsc=smsc1&dlr-mask=31"
                + "&dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2Fsms%2Fkannel%2Fdlr%3Fsecret%3DXYZ%26id%3Dm%25201%25262%26type%3D%25d"
        )
    }

    @Test func kannelWithoutCallbackAsksForNoReports() {
        let gateway = KannelGateway(sendsmsURL: "http://k/cgi-bin/sendsms", username: "u", password: "p")
        var gsm = sms
        gsm.encoding = .gsm7
        #expect(gateway.requestURL(for: gsm).contains("coding=0"))
        #expect(!gateway.requestURL(for: gsm).contains("dlr"))
        #expect(!gateway.requestURL(for: gsm).contains("from="))
    }

    @Test func kannelAnswers() throws {
        try KannelGateway.checkAnswer(status: 202, body: "0: Accepted for delivery")
        try KannelGateway.checkAnswer(status: 202, body: "3: Queued for later delivery")
        #expect(throws: SMSGatewayError.temporary("Kannel answered 503: 4: Sending failed")) {
            try KannelGateway.checkAnswer(status: 503, body: "4: Sending failed")
        }
        #expect(throws: SMSGatewayError.permanent("Kannel answered 400: Missing receiver number, rejected")) {
            try KannelGateway.checkAnswer(status: 400, body: "Missing receiver number, rejected")
        }
        #expect(throws: SMSGatewayError.self) { try KannelGateway.checkAnswer(status: 200, body: "<html>proxy</html>") }
    }

    @Test func kannelDeliveryTypes() {
        #expect(KannelGateway.deliveryState(kannelType: 1) == .delivered)
        #expect(KannelGateway.deliveryState(kannelType: 2) == .failed)
        #expect(KannelGateway.deliveryState(kannelType: 4) == .accepted)
        #expect(KannelGateway.deliveryState(kannelType: 8) == .submitted)
        #expect(KannelGateway.deliveryState(kannelType: 16) == .failed)
        #expect(KannelGateway.deliveryState(kannelType: 3) == nil)
    }

    @Test func restStatuses() {
        let table: [String: DeliveryState?] = [
            "queued": .accepted, "accepted": .accepted, "sending": .accepted, "sent": .submitted,
            "delivered": .delivered, "failed": .failed, "undelivered": .failed, "Delivered": .delivered,
            "receiving": nil,
        ]
        for (status, state) in table { #expect(RESTSMSGateway.deliveryState(fromStatus: status) == state, "\(status)") }
    }

    @Test func restFormOmitsMissingFromAndCallback() {
        let gateway = RESTSMSGateway(messagesURL: "http://p/m", accountID: "a", authToken: "t")
        #expect(gateway.formBody(for: sms) == "To=%2B886912345678&Body=%E7%A2%BA%E8%AA%8D%20100%25%20%26%20ok")
        #expect(gateway.authorizationHeader == "Basic YTp0")
    }
}
