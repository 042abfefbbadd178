import Foundation

/// The result of compiling: the plan, or nil when any diagnostic is an error.
public struct DialplanCompilation: Sendable {
    /// Nil if and only if `diagnostics` holds an error.
    public var plan: Dialplan?
    /// Errors and warnings, in file order (as given), then line and column.
    public var diagnostics: [DialplanDiagnostic]

    public init(plan: Dialplan?, diagnostics: [DialplanDiagnostic]) {
        self.plan = plan
        self.diagnostics = diagnostics
    }
}

/// Parses and validates dialplan files as one plan.
public enum DialplanCompiler {
    /// Compiles `sources` together: contexts, hours and groups of every file share one name space.
    public static func compile(_ sources: [DialplanSource], environment: DialplanEnvironment) -> DialplanCompilation {
        var diagnostics: [DialplanDiagnostic] = []
        var files: [FileSyntax] = []
        for source in sources {
            var parser = Parser(source)
            files.append(parser.parseFile())
            diagnostics += parser.diagnostics
        }
        var validator = Validator(files: files, environment: environment)
        let plan = validator.validate()
        diagnostics += validator.diagnostics

        let order = Dictionary(sources.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
        diagnostics = diagnostics.enumerated().sorted { a, b in
            let left = (order[a.element.file] ?? 0, a.element.line, a.element.column, a.offset)
            let right = (order[b.element.file] ?? 0, b.element.line, b.element.column, b.offset)
            return left < right
        }.map(\.element)
        let failed = diagnostics.contains { $0.severity == .error }
        return DialplanCompilation(plan: failed ? nil : plan, diagnostics: diagnostics)
    }

    /// Reads every `*.dialplan` directly in `folder` (not subfolders), sorted by file name. Paths
    /// in diagnostics are the folder joined with the file name.
    public static func sources(inFolder folder: String) throws -> [DialplanSource] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".dialplan") }
            .sorted()
        var sources: [DialplanSource] = []
        for name in names {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            sources.append(DialplanSource(path: path, text: try String(contentsOfFile: path, encoding: .utf8)))
        }
        return sources
    }
}
