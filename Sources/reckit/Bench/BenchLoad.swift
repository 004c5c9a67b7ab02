import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load", abstract: "Parse a rating file into CSR, write its binary cache and reload it (median times, peak memory).")
        @Argument(help: "A rating file (e.g. the 20 M-line synthetic CSV).") var file: String
        @OptionGroup var common: Common

        func run() throws {
            try common.refuseSize("the load suite reads the rating file it is given")
            var suite = LoadSuite(file: file)
            suite.threads = try common.threadList()
            try runSuite(name: "load", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
