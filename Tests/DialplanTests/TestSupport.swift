import Foundation
import Testing

@testable import Dialplan

/// Compiles one in-memory file named `test.dialplan`.
func compile(_ text: String, environment: DialplanEnvironment = DialplanEnvironment()) -> DialplanCompilation {
    DialplanCompiler.compile([DialplanSource(path: "test.dialplan", text: text)], environment: environment)
}

/// The diagnostics of compiling `text`, as printed.
func diagnostics(_ text: String, environment: DialplanEnvironment = DialplanEnvironment()) -> [String] {
    compile(text, environment: environment).diagnostics.map(\.description)
}

/// The compiled plan, recording an issue if it has errors.
func plan(
    _ text: String, environment: DialplanEnvironment = DialplanEnvironment(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> Dialplan {
    let compilation = compile(text, environment: environment)
    let errors = compilation.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors)", sourceLocation: sourceLocation)
    return try #require(compilation.plan, sourceLocation: sourceLocation)
}

/// A call at a fixed instant (2026-06-01 10:00 UTC) unless told otherwise.
func call(
    _ dialed: String, context: String = "internal", caller: String = "1001",
    now: Date = Date(timeIntervalSince1970: 1_780_308_000)
) -> DialplanCall {
    DialplanCall(context: context, dialed: dialed, caller: caller, callerName: "Reception", now: now)
}

/// Drives a run with the given outcomes (after the first `.start`) and returns every step.
func steps(
    _ plan: Dialplan, _ call: DialplanCall, calendar: (any CalendarConditions)? = nil, outcomes: [StepOutcome] = []
) -> [DialplanStep] {
    var run = plan.start(call, calendar: calendar)
    var result = [run.next(after: .start)]
    for outcome in outcomes { result.append(run.next(after: outcome)) }
    return result
}

/// The UTC instant `yyyy-mm-ddThh:mm`, computed without any time zone rules.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text + ":00Z")!
}

/// A calendar where the listed extensions are busy during the given intervals (end excluded).
struct FakeCalendar: CalendarConditions {
    var busy: [String: [DateInterval]]
    /// Caller number → (visit start, provider extension).
    var visits: [String: (Date, String)] = [:]

    func visitProvider(caller: String, organisationID: Int64?, within window: TimeInterval, at instant: Date) -> String? {
        guard let (start, provider) = visits[caller], abs(start.timeIntervalSince(instant)) <= window else { return nil }
        return provider
    }

    func isBusy(extension: String, organisationID: Int64?, at instant: Date) -> Bool {
        busy[`extension`, default: []].contains { $0.start <= instant && instant < $0.end }
    }
}
