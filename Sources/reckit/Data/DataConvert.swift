import ArgumentParser
import Foundation
import RecKit

extension DataCommand {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert a rating file to CSV, Matrix Market or a RecKit binary cache (.rkds).")
        @Argument(help: "The rating file.") var file: String
        @OptionGroup var input: RatingFileOptions
        @Option(help: "Output: .csv, .mtx or .rkds.") var out: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.apply()
            try OutputGuard.check(inputs: [file], outputs: [("--out", out)])
            try write(try input.load(file), to: out)
        }
    }
}
