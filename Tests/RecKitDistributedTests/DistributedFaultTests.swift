import Foundation
import Testing
import RecKitData

/// Failures of a distributed job: a rank killed mid-iteration (then `--resume`), a file a rank
/// cannot read, a bad line in another rank's part, a checkpoint from another job. Every failure
/// must end every rank, non-zero, within 30 s, with the reason on standard error — never a hang.
@Suite(.serialized, .enabled(if: MPIJob.available, "mpirun (openmpi-bin) or reckit-mpi is missing: the README's test command installs Open MPI"))
struct DistributedFaultTests {
    static let job = ["--implicit", "--factors", "8", "--iterations", "10", "--seed", "4", "-q"]

    @Test func aRankKilledInIterationThreeResumesToTheUninterruptedFactors() throws {
        let file = try MPIJob.ratingFile()
        let checkpoint = MPIJob.temporaryPath("ckpt"), resumed = MPIJob.temporaryPath("resumed"), whole = MPIJob.temporaryPath("whole")
        defer { for p in [file, checkpoint, resumed, whole] { try? FileManager.default.removeItem(atPath: p) } }
        // Rank 1 kills itself (SIGKILL) after the user step of iteration 3 of 10.
        let killed = try MPIJob.run(ranks: 2, ["als", file, "--checkpoint", checkpoint, "--out", resumed] + Self.job,
                                    environment: ["RECKIT_MPI_KILL": "1:3"], deadline: 60)
        #expect(!killed.timedOut && killed.status != 0 && killed.seconds < 30, "a lost rank ends the job: \(killed.status), \(killed.seconds) s")
        #expect(!FileManager.default.fileExists(atPath: resumed), "no output from the failed job")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/state.json"))) as! [String: Any]
        #expect(state["iteration"] as? Int == 2, "the last checkpoint is iteration 2's")
        let again = try MPIJob.run(ranks: 2, ["als", file, "--checkpoint", checkpoint, "--resume", "--out", resumed] + Self.job)
        try #require(again.status == 0, "\(again.stderr)")
        let straight = try MPIJob.run(ranks: 2, ["als", file, "--out", whole] + Self.job)
        try #require(straight.status == 0, "\(straight.stderr)")
        for name in ["users.npy", "items.npy"] {
            let a = FileManager.default.contents(atPath: "\(resumed)/\(name)"), b = FileManager.default.contents(atPath: "\(whole)/\(name)")
            #expect(a != nil && a == b, "\(name): the resumed fit equals the uninterrupted one bit for bit")
        }
    }

    @Test func aCheckpointOfAnotherJobIsRefusedOnEveryRank() throws {
        let file = try MPIJob.ratingFile()
        let checkpoint = MPIJob.temporaryPath("ckpt")
        defer { for p in [file, checkpoint] { try? FileManager.default.removeItem(atPath: p) } }
        let first = try MPIJob.run(ranks: 2, ["als", file, "--checkpoint", checkpoint] + Self.job)
        try #require(first.status == 0, "\(first.stderr)")
        let ranks = try MPIJob.run(ranks: 3, ["als", file, "--checkpoint", checkpoint, "--resume"] + Self.job, deadline: 60)
        #expect(ranks.status != 0 && !ranks.timedOut && ranks.seconds < 30)
        #expect(ranks.stderr.contains("written by a job of 2 rank(s); this job has 3"), "\(ranks.stderr)")
        var other = Self.job
        other[other.firstIndex(of: "8")!] = "6"   // 6 factors instead of 8
        let config = try MPIJob.run(ranks: 2, ["als", file, "--checkpoint", checkpoint, "--resume"] + other, deadline: 60)
        #expect(config.status != 0 && !config.timedOut && config.seconds < 30)
        #expect(config.stderr.contains("written for another configuration") && config.stderr.contains("factors=6"), "\(config.stderr)")
        let none = try MPIJob.run(ranks: 2, ["als", file, "--checkpoint", MPIJob.temporaryPath("none"), "--resume"] + Self.job, deadline: 60)
        #expect(none.status != 0 && none.stderr.contains("nothing to resume"), "\(none.stderr)")
    }

    @Test func sizesBeyondMemoryAreRefusedBeforeAllocating() throws {
        let file = try MPIJob.ratingFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let als = try MPIJob.run(ranks: 2, ["als", file, "--factors", "50000000", "--iterations", "1", "-q"], deadline: 60)
        #expect(als.status != 0 && !als.timedOut && als.seconds < 30)
        #expect(als.stderr.contains("50000000 factors") && als.stderr.contains("would need about"), "\(als.stderr)")
        let svd = try MPIJob.run(ranks: 2, ["svd", file, "--rank", "81", "--out", MPIJob.temporaryPath("svd"), "-q"], deadline: 60)
        #expect(svd.status != 0 && svd.stderr.contains("exceeds min(users, items) = 80"), "\(svd.stderr)")
    }

    @Test func aMissingFileOrABadLineInAnotherRanksPartEndsEveryRank() throws {
        let missing = try MPIJob.run(ranks: 3, ["als", "/nonexistent/ratings.csv"] + Self.job, deadline: 60)
        #expect(missing.status != 0 && !missing.timedOut && missing.seconds < 30)
        #expect(missing.stderr.contains("ratings.csv") && missing.stderr.contains("no such file"), "\(missing.stderr)")
        // A bad line near the end falls in the last rank's part; its number counts the whole file.
        let good = try MPIJob.ratingFile()
        var lines = try String(contentsOfFile: good, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.insert("1001,55,five", at: lines.count - 3)
        let bad = MPIJob.temporaryPath("bad.csv")
        try lines.joined(separator: "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        defer { for p in [good, bad] { try? FileManager.default.removeItem(atPath: p) } }
        let badLine = lines.count - 3   // its 1-based number (index lines.count - 4 after the insertion)
        let r = try MPIJob.run(ranks: 3, ["als", bad] + Self.job, deadline: 60)
        #expect(r.status != 0 && !r.timedOut && r.seconds < 30)
        #expect(r.stderr.contains("bad.csv:\(badLine): non-numeric rating"), "\(r.stderr)")
        // The single-process loader names the same line.
        #expect(throws: DataError.self) { try RatingDataset.load(path: bad) }
        do { _ = try RatingDataset.load(path: bad) } catch { #expect("\(error)".contains(":\(badLine):"), "\(error)") }
    }
}
