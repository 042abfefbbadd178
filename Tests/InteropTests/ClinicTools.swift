import Foundation

/// The `carephone` command line on a test's data folder, as an administrator would use it.
struct CarePhoneCLI {
    let data: String
    let scratch: Scratch

    /// Runs `carephone ARGUMENTS --data DATA`; throws with its standard error when it fails.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(try Binary.carephone(), arguments + ["--data", data], in: scratch)
        guard result.status == 0 else { throw HarnessError("carephone \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    /// A new API token for the user at `ext` (`carephone tokens create`).
    func token(for ext: String) throws -> String {
        let made = try run(["tokens", "create", "--user", ext, "--label", "test"])
        guard let token = made.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("cpt_") }) else {
            throw HarnessError("no token in: \(made)")
        }
        return String(token)
    }
}

/// The HTTP API with a bearer token, answers read as JSON objects.
struct APIClient {
    let port: UInt16
    let token: String

    /// `body` is sent as JSON: a dictionary, or a string taken as already-encoded JSON.
    func call(_ method: String, _ path: String, _ body: Any? = nil) throws -> (status: Int, json: [String: Any], text: String) {
        let text: String
        switch body {
        case nil: text = ""
        case let raw as String: text = raw
        case let object?: text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let answer = try HTTPCall.send(port: port, method: method, path: path, headers: ["Authorization: Bearer \(token)"], body: text, timeout: 10)
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
        return (answer.status, json, answer.body)
    }
}
