import Foundation
import Testing

/// `reckit bench distributed` runs reckit-mpi under mpirun and reports one row per configuration.
@Suite(.serialized, .enabled(if: CLI.executable != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun"),
                             "the reckit executable or mpirun (openmpi-bin) is missing"))
struct BenchDistributedTests {
    @Test func reportsEachConfigurationWithBytesAndMemoryPerRank() throws {
        var lines = ["user,item,rating"]
        for u in 0..<600 { for i in 0..<30 where (u * 7 + i * 3) % 5 == 0 { lines.append("\(u),\(i),\(1 + (u + i) % 5)") } }
        let file = CLI.temporaryPath("dist.csv"), json = CLI.temporaryPath("dist.json")
        defer { for p in [file, json] { try? FileManager.default.removeItem(atPath: p) } }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["bench", "distributed", file, "--configurations", "1x1,2x1", "--factors", "4", "--iterations", "2",
                             "--rounds", "1", "--json", json, "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let rows = doc["rows"] as! [[String: Any]]
        #expect(rows.map { $0["op"] as? String } == ["als_mpi_1_rank", "als_mpi_2_ranks"])
        for row in rows {
            let results = row["results"] as? [String: String] ?? [:]
            #expect((row["seconds"] as? Double ?? 0) > 0 && Int(results["peak_memory_bytes_per_rank"] ?? "") ?? 0 > 0, "\(row)")
        }
        // Two ranks exchange every factor: (users + items) × factors × 4 bytes / 2 per rank and iteration.
        let sent = Int((rows[1]["results"] as? [String: String])?["bytes_sent_per_iteration_per_rank"] ?? "") ?? 0
        #expect(sent >= (600 + 30) * 4 * 4 / 2 - 4 * 4 * 256 && sent <= (600 + 30) * 4 * 4, "\(sent) bytes")

        let bad = try CLI.run(["bench", "distributed", file, "--configurations", "2by1"])
        #expect(CLI.failsClearly(bad, "RANKSxTHREADS"))
    }
}
