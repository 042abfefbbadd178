import Foundation
import Testing

@testable import Scheduling

/// Field checks name the field and explain what is expected; `validate()` returns every problem.
@Suite struct ValidationTests {
    @Test(arguments: ["+393471234567", "+12125550123", "+4915123456", "+861234567890123"])
    func acceptsE164Numbers(_ number: String) {
        #expect(FieldValidation.e164(number, field: "mobile") == nil)
    }

    @Test(arguments: [
        "393471234567", "+0393471234567", "+1234567", "+1234567890123456", "+39 347 1234567", "+39347abc4567", "",
        "+", "+３９３４７１２３４５６７",
    ])
    func rejectsNonE164Numbers(_ number: String) throws {
        let error = try #require(FieldValidation.e164(number, field: "mobile"))
        #expect(error.field == "mobile")
        #expect(error.message.contains("E.164"))
    }

    @Test func descriptionIsFieldThenMessage() {
        #expect(
            ValidationError(field: "end", message: "must be after the start time").description
                == "end: must be after the start time")
    }

    @Test func timeZonesMustExist() {
        #expect(FieldValidation.timeZone("Europe/Rome", field: "tz") == nil)
        #expect(FieldValidation.timeZone("America/New_York", field: "tz") == nil)
        #expect(FieldValidation.timeZone("Europe/Atlantis", field: "tz")?.field == "tz")
        #expect(FieldValidation.timeZone("", field: "tz") != nil)
    }

    @Test(arguments: ["en", "it", "zh-TW", "pt-BR", "fil"])
    func acceptsLocaleTags(_ tag: String) {
        #expect(FieldValidation.localeTag(tag, field: "localeTag") == nil)
    }

    @Test(arguments: ["", "EN", "e", "zh-tw", "zh_TW", "english", "zh-TW-x", "zh-", "-TW"])
    func rejectsMalformedLocaleTags(_ tag: String) {
        #expect(FieldValidation.localeTag(tag, field: "localeTag")?.field == "localeTag")
    }

    @Test func validPatientHasNoErrors() {
        #expect(samplePatient().validate().isEmpty)
    }

    @Test func patientReportsEveryBadField() {
        var patient = samplePatient()
        patient.firstName = "  "
        patient.mobile = "0347 123 4567"
        patient.localeTag = "italian"
        patient.timeZoneIdentifier = "Rome"
        let errors = patient.validate()
        #expect(errors.map(\.field) == ["firstName", "mobile", "localeTag", "timeZoneIdentifier"])
        #expect(errors[0].description == "firstName: must not be empty")
    }

    @Test func validAppointmentHasNoErrors() {
        #expect(sampleAppointment().validate().isEmpty)
    }

    @Test func appointmentMustEndAfterItStarts() {
        var appointment = sampleAppointment()
        appointment.end = appointment.start
        appointment.bookedTimeZoneIdentifier = "Mars/Olympus"
        let errors = appointment.validate()
        #expect(errors.map(\.field) == ["end", "bookedTimeZoneIdentifier"])
        #expect(errors[0].message == "must be after the start time")
    }

    @Test func blankLocationAndZeroVersionAreReported() {
        var appointment = sampleAppointment()
        appointment.location = " "
        appointment.version = 0
        #expect(appointment.validate().map(\.field) == ["location", "version"])
    }
}
