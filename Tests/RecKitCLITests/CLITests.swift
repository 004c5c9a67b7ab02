import Foundation
import Testing
import RecKitLinearAlgebra

/// The `reckit` executable, run as a user runs it, in a subprocess.
enum CLI {
    /// The built `reckit` next to the test bundle (`swift build`/`swift test` put them together).
    static var executable: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("reckit")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `reckit` with this process's environment, plus `environment`, minus the variables in `removing`.
    static func run(_ arguments: [String], environment: [String: String] = [:], removing: [String] = [],
                    directory: String? = nil) throws -> Result {
        guard let exe = executable else { throw CancellationError() }
        let p = Process()
        p.executableURL = exe
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        for k in removing { env[k] = nil }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The command failed with `message` on standard error and without the usage text, which
    /// belongs to mistakes in the arguments' syntax only.
    static func failsClearly(_ r: Result, _ message: String) -> Bool {
        r.status != 0 && r.stderr.contains(message) && !r.stderr.contains("Usage:") && !r.stderr.contains("USAGE:")
    }

    /// A fresh path on every call: tests run in parallel, and two of them must never share a file.
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("reckit-test-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)").path
    }

    /// A fresh, existing folder (see ``temporaryPath(_:)``).
    static func temporaryFolder(_ name: String) throws -> String {
        let dir = temporaryPath(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct CLITests {
    @Test func infoReportsCPUAndKernel() throws {
        let r = try CLI.run(["info"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Kernel in use:") && r.stdout.contains("OpenBLAS 0.3"))
        let json = try CLI.run(["info", "--json", "-"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(obj?["openblas_kernel"] is String && obj?["cores"] is Int && obj?["schema"] as? String == "reckit-info/1")
        // The measured FMA peak runs at the widest vectors the CPU and OS support.
        let features = obj?["cpu_features"] as? [String] ?? []
        let peak = try #require(obj?["peak"] as? [String: Any])
        let widest = features.contains("avx512f") && features.contains("os:zmm") ? 512 : features.contains("avx2") && features.contains("fma") ? 256 : 128
        #expect(peak["vector_bits"] as? Int == widest && (peak["float_gflops"] as? Double ?? 0) > 0, "\(peak)")
    }

    /// The commit in `info` and in benchmark JSON is RecKit's own, whatever directory reckit runs in:
    /// from inside another git repository it must not report that repository's commit.
    @Test func gitCommitIsRecKitsNotTheWorkingDirectorys() throws {
        let other = CLI.temporaryPath("repo")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/bin/sh")
        git.arguments = ["-c", "git init -q && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m x && git rev-parse --short=7 HEAD > head"]
        git.currentDirectoryURL = URL(fileURLWithPath: other)
        try git.run()
        git.waitUntilExit()
        #expect(git.terminationStatus == 0, "git is needed to set up this test")
        let otherHead = try String(contentsOfFile: other + "/head", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        func commit(_ directory: String?) throws -> String? {
            let r = try CLI.run(["info", "--json", "-"], environment: ["RECKIT_GIT_COMMIT": ""], directory: directory)
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return obj?["git_commit"] as? String
        }
        let inOther = try commit(other), here = try commit(nil)
        #expect(inOther != nil && !inOther!.hasPrefix(otherHead), "reported the working directory's commit \(otherHead)")
        #expect(inOther == here)
    }

    /// The two variables that choose the OpenBLAS kernel. Each test below states their values for its
    /// subprocess, so that it holds whatever the host's environment sets.
    static let kernelVariables = ["RECKIT_BLAS_KERNEL", "OPENBLAS_CORETYPE"]

    /// `reckit info --json`'s kernel and how it was chosen.
    func kernelInfo(_ environment: [String: String]) throws -> (kernel: String, source: String, stderr: String) {
        let r = try CLI.run(["info", "--json", "-"], environment: environment,
                            removing: Self.kernelVariables.filter { environment[$0] == nil })
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return (obj["openblas_kernel"] as? String ?? "", obj["openblas_kernel_source"] as? String ?? "", r.stderr)
    }

    func tier(of kernel: String) -> Int? {
        BLASKernel.known.first { $0.name.lowercased() == kernel.lowercased() }?.tier
    }

    @Test func automaticSelectionPicksTheHighestTierWithoutOverrides() throws {
        let auto = try kernelInfo([:])
        #expect(auto.source == "auto")
        let best = try #require(BLASKernel.supported.map(\.tier).max())
        #expect(tier(of: auto.kernel) == best, "picked \(auto.kernel); this CPU runs tier \(best) (on AVX-512, tier 4)")
        #expect(try kernelInfo(["RECKIT_BLAS_KERNEL": "auto"]).source == "auto")
    }

    @Test func environmentOverridesAreKeptWhenTheCPUCanRunThem() throws {
        // The lowest-tier kernel this CPU runs, so that the override differs from automatic selection.
        let low = try #require(BLASKernel.supported.min { $0.tier < $1.tier }).name
        let high = try #require(BLASKernel.supported.max { $0.tier < $1.tier }).name

        let coretype = try kernelInfo(["OPENBLAS_CORETYPE": low])
        #expect(coretype.kernel.lowercased() == low.lowercased() && coretype.source == "OPENBLAS_CORETYPE", "\(coretype)")
        let text = try CLI.run(["info"], environment: ["OPENBLAS_CORETYPE": low], removing: ["RECKIT_BLAS_KERNEL"])
        #expect(text.stdout.contains("Kernel in use:    \(low) (chosen by: OPENBLAS_CORETYPE)"), "\(text.stdout)")

        let reckit = try kernelInfo(["RECKIT_BLAS_KERNEL": "Sandybridge"])
        #expect(reckit.kernel == "Sandybridge" && reckit.source == "RECKIT_BLAS_KERNEL", "\(reckit)")

        // RECKIT_BLAS_KERNEL wins over OPENBLAS_CORETYPE; a refused one falls back to OPENBLAS_CORETYPE.
        let both = try kernelInfo(["RECKIT_BLAS_KERNEL": high, "OPENBLAS_CORETYPE": low])
        #expect(both.kernel.lowercased() == high.lowercased() && both.source == "RECKIT_BLAS_KERNEL", "\(both)")
        let bogus = try kernelInfo(["RECKIT_BLAS_KERNEL": "Pentium9", "OPENBLAS_CORETYPE": low])
        #expect(bogus.stderr.contains("RECKIT_BLAS_KERNEL=Pentium9 refused: unknown kernel name"))
        #expect(bogus.kernel.lowercased() == low.lowercased() && bogus.source == "OPENBLAS_CORETYPE", "\(bogus)")
        let bogusAlone = try kernelInfo(["RECKIT_BLAS_KERNEL": "Pentium9"])
        #expect(bogusAlone.source == "auto" && tier(of: bogusAlone.kernel) == tier(of: high))
    }

    /// RECKIT_SHIM_KERNEL chooses the shim's C kernels' variant; unknown or unsupported values are
    /// refused with a message and automatic selection applies.
    @Test func shimKernelVariantFollowsTheEnvironment() throws {
        let prefix = "Shim kernels:     "
        func variant(_ r: CLI.Result) -> Substring? {
            r.stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }
        }
        let auto = try CLI.run(["info"], removing: ["RECKIT_SHIM_KERNEL"])
        let autoLine = try #require(variant(auto), "\(auto.stdout)")
        #expect(autoLine.hasSuffix("chosen by: auto)"), "\(autoLine)")
        let base = try CLI.run(["info"], environment: ["RECKIT_SHIM_KERNEL": "baseline"])
        let baseLine = try #require(variant(base), "\(base.stdout)")
        #expect(baseLine.hasPrefix(prefix + "baseline ") && baseLine.hasSuffix("chosen by: RECKIT_SHIM_KERNEL)"), "\(baseLine)")
        let bogus = try CLI.run(["info"], environment: ["RECKIT_SHIM_KERNEL": "avx9"])
        #expect(bogus.status == 0 && bogus.stderr.contains("RECKIT_SHIM_KERNEL=avx9 refused: unknown variant"), "\(bogus.stderr)")
        #expect(variant(bogus) == autoLine, "a refused value leaves automatic selection")
        if !autoLine.hasPrefix(prefix + "avx512") {
            let high = try CLI.run(["info"], environment: ["RECKIT_SHIM_KERNEL": "avx512"])
            #expect(high.stderr.contains("RECKIT_SHIM_KERNEL=avx512 refused: this CPU or OS does not support its instructions"))
        }
    }

    @Test func unsupportedKernelIsRefusedNotRun() throws {
        // A kernel this CPU cannot run, if there is one here (on an AVX-512 machine every kernel may run).
        let info = try CLI.run(["info"])
        guard let line = info.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Kernels refused here") }),
              let name = line.split(separator: ":").last?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) else { return }
        let env = try CLI.run(["info"], environment: ["RECKIT_BLAS_KERNEL": name])
        #expect(env.status == 0 && env.stderr.contains("refused: this CPU or OS does not support its instructions"))
        let coretype = try CLI.run(["info"], environment: ["OPENBLAS_CORETYPE": name])
        #expect(coretype.status == 0 && coretype.stderr.contains("OPENBLAS_CORETYPE=\(name) refused"))
        let api = try CLI.run(["bench", "gemm", "--blas-kernel", name, "--sizes", "8", "--threads", "1", "--batch", "0"])
        #expect(CLI.failsClearly(api, "refused"))
    }

    @Test func benchGemmWritesTheDocumentedJSON() throws {
        let path = CLI.temporaryPath("gemm.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["bench", "gemm", "--sizes", "64,96", "--threads", "1,2", "--batch", "50", "--batch-order", "8",
                             "--blas-kernel", "Haswell", "--json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let machine = doc["machine"] as! [String: Any]
        #expect((machine["openblas_kernel"] as? String)?.lowercased() == "haswell", "the API override must take effect")
        let rows = doc["rows"] as! [[String: Any]]
        let expectedRows: Int = 2 * (2 * 2 * 2 + 2 * 2) // dtypes × (sizes × back ends × threads + batched × back ends × threads)
        #expect(rows.count == expectedRows)
        for row in rows {
            for key in ["op", "dtype", "backend", "threads", "size", "seconds", "gflops", "memory_increase_bytes"] {
                #expect(row[key] != nil, "row lacks \(key)")
            }
            #expect(["blas", "swift"].contains(row["backend"] as! String))
            #expect((row["seconds"] as! Double) > 0 && (row["gflops"] as! Double) > 0)
        }
        #expect(Set(rows.map { $0["op"] as! String }) == ["gemm", "batched_gemm"])
        #expect(r.stdout.contains("blas/swift"))
    }

    @Test func benchSparseAndScoringRowsCarryAgreement() throws {
        let path = CLI.temporaryPath("sparse.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["bench", "sparse", "--ratings", "20000", "--columns", "16", "--threads", "1,2", "--json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(rows.count == 2 * 2 * 2)
        for row in rows {
            let agreement = row["agreement"] as! Double
            #expect(agreement < 1e-5, "back ends disagree: \(row)")
            #expect((row["seconds"] as! Double) > 0)
        }
        let s = try CLI.run(["bench", "scoring", "--users", "300", "--items", "200", "--factors", "8", "--threads", "1"])
        #expect(s.status == 0 && s.stdout.contains("topk_all_users"))
    }

    @Test func badArgumentsAreClearErrors() throws {
        let r = try CLI.run(["bench", "gemm", "--threads", "0"])
        #expect(CLI.failsClearly(r, "--threads"))
        let b = try CLI.run(["bench", "gemm", "--backend", "cuda"])
        #expect(CLI.failsClearly(b, "--backend"))
        // --size is one of the three sizes, and is refused where it would be ignored.
        let unknownScale = try CLI.run(["bench", "svd", "--size", "3m"])
        #expect(CLI.failsClearly(unknownScale, "--size must be one of 2m, 20m, 100m"))
        let noMatrix = try CLI.run(["bench", "gemm", "--size", "20m"])
        #expect(CLI.failsClearly(noMatrix, "gemm suite has no rating matrix"))
        let both = try CLI.run(["bench", "sparse", "--ratings", "20000", "--size", "20m"])
        #expect(CLI.failsClearly(both, "--ratings 20000 already sets the matrix"))
        let fileAndScale = try CLI.run(["bench", "als", "ratings.csv", "--size", "100m"])
        #expect(CLI.failsClearly(fileAndScale, "rating file ratings.csv"))
    }
}
