import ArgumentParser
import Foundation
import RecKit

extension DataCommand {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a synthetic rating matrix (power-law activity and popularity, low-rank truth + noise).")
        @Option(help: "Users.") var users = 100_000
        @Option(help: "Items.") var items = 20_000
        @Option(help: "Ratings.") var ratings = 2_000_000
        @Option(help: "explicit (1–5 stars) or implicit (counts).") var kind = "explicit"
        @Option(help: "Rank of the ground truth.") var rank = 16
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Output: .csv (user,item,rating), .mtx, or .rkds (RecKit cache).") var out: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.apply()
            try OutputGuard.check(inputs: [], outputs: [("--out", out)])
            guard let k = SyntheticRatings.Kind(rawValue: kind) else { throw ValidationError("--kind must be explicit or implicit") }
            var spec = SyntheticRatings(users: users, items: items, ratings: ratings, kind: k, seed: seed)
            spec.rank = rank
            let clock = ContinuousClock()
            let start = clock.now
            let d = try spec.generate()
            note(String(format: "generated %d users × %d items, %d ratings in %.2f s", d.userCount, d.itemCount, d.ratingCount, (clock.now - start).seconds))
            try write(d, to: out)
        }
    }
}
