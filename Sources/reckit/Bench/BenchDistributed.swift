import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Distributed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "distributed",
            abstract: "Distributed ALS (reckit-mpi under mpirun) across rank counts: seconds per iteration, bytes sent per rank, peak memory per rank.",
            discussion: """
                Runs `mpirun -np R reckit-mpi als FILE --implicit` for each RANKSxTHREADS configuration in alternating \
                rounds (implicit feedback, conjugate gradient, Float) and reports medians. reckit-mpi is taken from next to \
                reckit (swift build -c release builds both); mpirun from PATH (Debian's openmpi-bin). docs/distributed.md.
                Example: reckit bench distributed ratings.csv --configurations 1x1,2x1,1x2 --iterations 5 --rounds 3 --json dist.json
                """)
        @Argument(help: "The rating file (every rank reads its share of it).") var file: String
        @Option(help: "Ranks × threads per rank to run, comma-separated.") var configurations = "1x1,2x1,1x2"
        @Option(help: "Latent factors.") var factors = 64
        @Option(help: "Iterations per run (a run reports their median).") var iterations = 5
        @Option(help: "Alternating rounds over the configurations (the row reports the median).") var rounds = 3
        @OptionGroup var common: Common

        func run() throws {
            guard factors >= 1, iterations >= 1, rounds >= 1 else { throw ValidationError("--factors, --iterations and --rounds must be ≥ 1") }
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("\(file): no such file or not readable") }
            try common.refuseSize("the rating file \(file) is benchmarked")
            let pairs = try configurations.split(separator: ",").map { text -> (ranks: Int, threads: Int) in
                let parts = text.split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2, parts[0] >= 1, parts[1] >= 1 else {
                    throw ValidationError("--configurations takes RANKSxTHREADS pairs like 1x1,2x1,1x2; got '\(text)'")
                }
                return (parts[0], parts[1])
            }
            let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            let executable = here.appendingPathComponent("reckit-mpi").path
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw ValidationError("reckit-mpi is not next to reckit (\(executable)): build it with `swift build -c release --product reckit-mpi`")
            }
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            guard let mpirun = path.split(separator: ":").map({ "\($0)/mpirun" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw ValidationError("mpirun is not on PATH: install Open MPI (apt-get install openmpi-bin libopenmpi-dev)")
            }
            var suite = DistributedSuite(file: file, executable: executable, mpirun: mpirun)
            suite.configurations = pairs
            suite.factors = factors
            suite.iterations = iterations
            suite.rounds = rounds
            try runSuite(name: "distributed", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
