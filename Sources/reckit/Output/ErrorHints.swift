import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// What to print when a command fails while running: the error, and what to do about it.
enum ErrorHints {
    static func message(for error: Error) -> String {
        if let v = error as? ValidationError { return v.message }
        return "\(error)"
    }

    static func hint(for error: Error) -> String? {
        switch error {
        case DataError.io(let path, let reason) where reason.lowercased().contains("no such file"):
            return "\(path) does not exist; check the path (relative paths start from \(FileManager.default.currentDirectoryPath))"
        case DataError.badLine:
            return "--lenient skips bad lines and counts them; --columns, --delimiter and --header say how to read the file (docs/cli.md)"
        case DataError.badFile:
            return "--columns, --delimiter and --header say how to read the file (docs/cli.md)"
        case ModelError.invalidConfiguration, ModelError.unknownField:
            return "reckit train --help lists every model's settings with their ranges and defaults"
        case ModelError.unknownModel:
            return "reckit train --help lists the models"
        case EvaluationError.noTimestamps:
            return "--random-holdout holds out a random interaction per user instead (a weaker test); or give the timestamp field with --columns"
        case BenchmarkError.badDocument:
            return "compare takes two files written by reckit bench --json"
        default:
            return nil
        }
    }
}

/// Spellings of RecKit 0.1 that the argument parser cannot take as deprecated options: rewritten
/// before parsing, with a warning.
enum LegacySpellings {
    static func rewrite(_ arguments: [String]) -> [String] {
        var a = arguments
        // `reckit info --json` printed JSON to standard output; `--json` now takes a path (`-`: standard output).
        if a.first == "info", let k = a.firstIndex(of: "--json"), k + 1 == a.count || a[k + 1].hasPrefix("-") && a[k + 1] != "-" {
            a.insert("-", at: k + 1)
            deprecated("reckit info --json without a path", use: "reckit info --json - (or a file)")
        }
        return TuningOptions.rewrite(a)
    }
}
