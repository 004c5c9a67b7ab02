import Foundation
import Testing
import RecKitModels

/// `reckit train --help` is generated from the registry: every model, every field, every default.
@Suite(.enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct HelpTextTests {
    /// The help section of each model: the paragraph that starts with "NAME: ", its whitespace
    /// collapsed (the argument parser wraps long lines at the terminal width).
    static func sections(_ help: String) -> [String: String] {
        var out: [String: String] = [:]
        for paragraph in help.components(separatedBy: "\n\n") {
            let text = paragraph.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard let colon = text.firstIndex(of: ":") else { continue }
            out[String(text[..<colon])] = text
        }
        return out
    }

    @Test(arguments: ["train", "evaluate"])
    func helpListsEveryFieldWithTheRegistryDefault(command: String) throws {
        let r = try CLI.run([command, "--help"])
        #expect(r.status == 0, "\(r.stderr)")
        let sections = Self.sections(r.stdout)
        for spec in ModelRegistry.all {
            guard let section = sections[spec.name] else {
                Issue.record("\(command) --help has no section for \(spec.name)")
                continue
            }
            #expect(section.hasPrefix("\(spec.name): \(spec.summary)"))
            // Each field's entry runs from "--name " to the next field's "--name ".
            let names = spec.fields.map(\.name)
            for (k, field) in spec.fields.enumerated() {
                guard let start = section.range(of: " --\(field.name) ") else {
                    Issue.record("\(spec.name): --help does not list --\(field.name)")
                    continue
                }
                let rest = section[start.upperBound...]
                let end = k + 1 < names.count ? rest.range(of: " --\(names[k + 1]) ")?.lowerBound ?? rest.endIndex : rest.endIndex
                let entry = rest[..<end]
                #expect(entry.hasSuffix("(default: \(field.defaultValue))"),
                        "\(spec.name) --\(field.name): '\(entry)' should end with the registry default \(field.defaultValue)")
                #expect(entry.contains(field.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")))
            }
        }
    }

    /// The command's own options, from the OPTIONS section of its help.
    static func options(_ help: String) -> Set<String> {
        guard let start = help.range(of: "\nOPTIONS:") else { return [] }
        var names = Set<String>()
        for line in help[start.upperBound...].split(separator: "\n") where line.hasPrefix("  -") {
            for word in line.split(separator: " ") where word.hasPrefix("--") {
                names.insert(String(word.dropFirst(2).prefix { $0.isLetter || $0 == "-" }))
            }
        }
        return names
    }

    /// A model setting written `--NAME` must reach the model: no field may share its name with an
    /// option of the command, except `seed` in `evaluate`, which seeds the splits there (the
    /// model's seed is `--set seed=N`; docs/evaluation.md says so). Old names (aliases) are read
    /// through `--set`.
    @Test(arguments: ["train", "evaluate"])
    func noSettingIsShadowedByAnOption(command: String) throws {
        let r = try CLI.run([command, "--help"])
        let options = Self.options(r.stdout)
        #expect(options.contains("threads") && options.contains("set"), "could not read the options of \(command): \(options)")
        let allowed: Set<String> = command == "evaluate" ? ["seed"] : []
        for spec in ModelRegistry.all {
            for field in spec.fields where options.contains(field.name) && !allowed.contains(field.name) {
                Issue.record("\(spec.name) --\(field.name) is shadowed by \(command)'s own --\(field.name)")
            }
        }
    }
}
