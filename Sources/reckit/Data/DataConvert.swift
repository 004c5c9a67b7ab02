import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension DataCommand {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert a rating file to CSV, Matrix Market or a RecKit binary cache (.rkds).")
        @OptionGroup var input: Input
        @Option(help: "Output: .csv, .mtx or .rkds.") var out: String

        func run() throws { try write(try input.load(), to: out) }
    }
}
