import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

@main
struct RecKitCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reckit",
        abstract: "RecKit: a numerical engine for recommender systems on OpenBLAS and pure Swift.",
        discussion: "The grammar every command shares, and a section per task, are in docs/cli.md.",
        version: RecKitVersion.string,
        subcommands: [Info.self, DataCommand.self, SVDCommand.self, Train.self, Evaluate.self, Recommend.self, Similar.self, Serve.self, Bandit.self, Bench.self]
    )

    /// Parses the arguments (a mistake there prints the usage), then runs the command; an error
    /// while it runs prints the error and a hint, not the usage.
    static func main() {
        ConfigurationWarnings.install { Reporter.shared.warning($0) }
        let arguments = LegacySpellings.rewrite(Array(CommandLine.arguments.dropFirst()))
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        if !(command is Serve) {
            Interruption.install()
            Engine.keepFreedMemoryForReuse()
        }
        do {
            try command.run()
        } catch let code as ExitCode {
            Reporter.shared.clearStatus()
            Foundation.exit(code.rawValue)
        } catch where exitCode(for: error) == .success {
            // `--help` and `--version` arrive here, as a command whose run throws the text to show.
            exit(withError: error)
        } catch {
            Reporter.shared.error(ErrorHints.message(for: error))
            if let hint = ErrorHints.hint(for: error) { FileHandle.standardError.write(Data(("hint: " + hint + "\n").utf8)) }
            Foundation.exit(1)
        }
        Reporter.shared.clearStatus()
    }
}
