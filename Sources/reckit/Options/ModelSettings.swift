import ArgumentParser
import RecKit

/// A model's settings on the command line: `--NAME VALUE`, `--NAME=VALUE`, `--FLAG` / `--no-FLAG`,
/// or `--set NAME=VALUE`, for any field of the chosen model's configuration (``ModelRegistry``).
/// The names, kinds and defaults all come from the registry, so there is no flag table to keep in step.
struct ModelSettings: ParsableArguments {
    @Option(name: .customLong("set"), help: "A model setting as NAME=VALUE (repeatable); the same as --NAME VALUE.")
    var set: [String] = []

    /// Everything the command did not recognise: the model settings.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var remaining: [String] = []

    /// The settings in the order given, as (field name, value text), read against `specs`: a name
    /// must belong to one of them; a flag field takes no value unless written `--name=value`.
    /// - Throws: `ValidationError` naming the setting and the fields the models have.
    func settings(for specs: [ModelSpec]) throws -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        func field(_ name: String) -> FieldDescription? { specs.lazy.compactMap { $0.field(named: name) }.first }
        func unknown(_ name: String) -> ValidationError {
            let known = Set(specs.flatMap { $0.fields.map(\.name) }).sorted()
            let models = specs.map(\.name).joined(separator: ", ")
            return ValidationError("'\(models)' \(specs.count == 1 ? "has" : "have") no setting --\(name)"
                                   + (known.isEmpty ? "" : "; \(specs.count == 1 ? "its" : "their") settings: \(known.map { "--" + $0 }.joined(separator: ", "))")
                                   + " (reckit train --help lists every model's)")
        }
        var k = 0
        while k < remaining.count {
            let token = remaining[k]
            k += 1
            guard token.hasPrefix("--"), token.count > 2 else {
                throw ValidationError("unexpected argument '\(token)'; model settings are written --NAME VALUE")
            }
            var name = String(token.dropFirst(2)), value: String? = nil
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if value == nil, name.hasPrefix("no-"), let f = field(String(name.dropFirst(3))), f.kind == .flag {
                out.append((String(name.dropFirst(3)), "false"))
                continue
            }
            guard let f = field(name) else { throw unknown(name) }
            if value == nil {
                if f.kind == .flag {
                    value = "true"
                } else {
                    guard k < remaining.count, !remaining[k].hasPrefix("--") else { throw ValidationError("--\(name) needs a value (\(f.kind))") }
                    value = remaining[k]
                    k += 1
                }
            }
            out.append((name, value!))
        }
        for item in set {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--set needs NAME=VALUE, got '\(item)'") }
            guard field(String(parts[0])) != nil else { throw unknown(String(parts[0])) }
            out.append((String(parts[0]), String(parts[1])))
        }
        return out
    }

    /// The settings that apply to `spec` (with several models, each takes those it has).
    static func applicable(_ settings: [(name: String, value: String)], to spec: ModelSpec) -> [(name: String, value: String)] {
        settings.filter { spec.field(named: $0.name) != nil }
    }

    /// Every model's settings with their defaults, for `--help`.
    static var helpText: String {
        var lines = ["Models and their settings (--NAME VALUE, --FLAG/--no-FLAG, or --set NAME=VALUE):"]
        for spec in ModelRegistry.all {
            lines.append("")
            // Concatenated, not interpolated: with Swift 6.3.1 at -O, `"\(spec.name): \(spec.summary)"`
            // here crashed at start-up (SIGSEGV in _StringGuts.append) while the same code built with
            // -sanitize=address ran clean; HelpTextTests would catch a return of the crash.
            lines.append(spec.name + ": " + spec.summary)
            for f in spec.fields {
                let value = f.kind == .flag ? "" : " <\(f.kind)>"
                lines.append("  --\(f.name)\(value)  \(f.help) (default: \(f.defaultValue))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
