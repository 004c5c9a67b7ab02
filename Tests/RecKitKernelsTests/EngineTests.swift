import Foundation
import Synchronization
import Testing
import CReckitShim
import RecKitKernels

/// Kernel selection, threads and execution settings.
@Suite(.serialized) struct EngineTests {
    /// The malloc settings yield to the user's own (any glibc tunable or `MALLOC_…_` variable in
    /// the environment) and refuse sizes glibc cannot take; otherwise glibc accepts them.
    @Test func freedMemorySettingsYieldToTheEnvironment() {
        #expect(!Engine.keepFreedMemoryForReuse(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1"]))
        #expect(!Engine.keepFreedMemoryForReuse(environment: ["MALLOC_ARENA_MAX_": "2"]))
        #expect(!Engine.keepFreedMemoryForReuse(heapBlock: 0, environment: [:]))
        #expect(!Engine.keepFreedMemoryForReuse(retained: 1 << 40, environment: [:]))
        #if canImport(Glibc)
        #expect(Engine.keepFreedMemoryForReuse(environment: ["MALLOC": "not a tunable"]))
        #endif
    }

    /// The kernel in use follows the documented precedence for *this* process's environment, whatever
    /// the host sets: RECKIT_BLAS_KERNEL, then OPENBLAS_CORETYPE, then automatic selection. Automatic
    /// selection with neither variable set is tested in a subprocess (`CLITests`), so that this test
    /// holds on hosts that set OPENBLAS_CORETYPE.
    @Test func kernelInUseFollowsTheEnvironment() throws {
        let current = BLASKernel.current
        let entry = try #require(BLASKernel.known.first { $0.name.lowercased() == current.lowercased() },
                                 "OpenBLAS reports \(current), which RecKit does not know")
        #expect(entry.isSupported, "kernel \(current) in use but this CPU/OS cannot run it")

        func runnable(_ name: String) -> BLASKernel? {
            BLASKernel.known.first { $0.name.lowercased() == name.lowercased() && $0.isSupported }
        }
        let environment = ProcessInfo.processInfo.environment
        let requested = environment["RECKIT_BLAS_KERNEL"].flatMap { $0.isEmpty || $0.lowercased() == "auto" ? nil : $0 }
        let coretype = environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        if let requested, let kernel = runnable(requested) {
            #expect(BLASKernel.selectionSource == "RECKIT_BLAS_KERNEL")
            #expect(current.lowercased() == kernel.name.lowercased(), "RECKIT_BLAS_KERNEL=\(requested) not honoured")
        } else if let coretype, runnable(coretype) != nil {
            #expect(BLASKernel.selectionSource == "OPENBLAS_CORETYPE", "OPENBLAS_CORETYPE=\(coretype) must be honoured")
            #expect(current.lowercased() == coretype.lowercased(), "OPENBLAS_CORETYPE=\(coretype) set, \(current) in use")
        } else if coretype == nil {
            #expect(BLASKernel.selectionSource == "auto")
            let best = BLASKernel.supported.map(\.tier).max() ?? -1
            #expect(entry.tier == best, "automatic selection must use the highest tier this CPU supports")
        }
        // A refused override says so.
        if let requested, runnable(requested) == nil {
            #expect(BLASKernel.environmentRefusal?.contains("RECKIT_BLAS_KERNEL=\(requested) refused") == true)
        }
    }

    /// RecKit switches OpenBLAS through environment variables that OpenBLAS reads, but it must leave
    /// the user's environment as it found it: child processes inherit it. `/proc/self/environ` holds
    /// the environment the process started with.
    @Test func kernelSelectionLeavesTheEnvironmentAsItWas() throws {
        _ = BLASKernel.current
        guard let start = try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/environ")) else { return }
        var initial: [String: String] = [:]
        for entry in start.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if let eq = text.firstIndex(of: "=") { initial[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
        }
        for name in ["OPENBLAS_CORETYPE", "OPENBLAS_THREAD_TIMEOUT"] {
            let now = getenv(name).map { String(cString: $0) }
            #expect(now == initial[name], "\(name) was \(initial[name] ?? "unset") at start, is \(now ?? "unset") now")
        }
    }

    @Test func unsupportedOrUnknownOverridesAreRefused() throws {
        let before = BLASKernel.current
        for k in BLASKernel.known where !k.isSupported {
            #expect { try BLASKernel.select(k.name) } throws: { "\($0)".contains("refused") }
            #expect(BLASKernel.current == before, "a refused override must not change the kernel")
        }
        #expect { try BLASKernel.select("Pentium-MMX") } throws: { "\($0)".contains("unknown OpenBLAS kernel") }
    }

    // Switching to a supported kernel is tested in a subprocess (RecKitCLITests): a switch is not
    // safe while other tests run BLAS calls in this process.

    /// The selection rule itself, on synthetic feature sets (so the AVX-512 branch is tested on any CPU).
    @Test func automaticSelectionRule() {
        func index(_ name: String) -> Int32 { reckit_kernel_index(name) }
        let skx = reckit_kernel_requirements(index("SkylakeX"))
        let hsw = reckit_kernel_requirements(index("Haswell"))
        func choice(_ features: UInt32, _ pick: String) -> String {
            String(cString: reckit_kernel_name(reckit_kernel_auto_choice(features, pick)))
        }
        #expect(choice(skx, "Haswell") == "SkylakeX", "AVX-512 CPU: upgrade OpenBLAS's AVX2 pick")
        #expect(choice(skx, "Zen") == "SkylakeX")
        #expect(choice(hsw, "Zen") == "Zen", "AVX2 CPU: keep OpenBLAS's tuned pick of the same tier")
        #expect(choice(hsw, "SkylakeX") == "Haswell", "never keep a kernel the CPU cannot run")
        let noOSZmm = skx & ~UInt32(RECKIT_CPU_OS_ZMM)
        #expect(choice(noOSZmm, "Haswell") == "Haswell", "AVX-512 in CPUID but not enabled by the OS: refuse it")
        #expect(reckit_kernel_supported_by(index("SkylakeX"), noOSZmm) == 0)
    }

    @Test func executionSettings() throws {
        #expect(Engine.availableCores >= 1)
        #expect(ExecutionContext(backend: .swift, threads: 0).threads == 1)
        #expect(try Backend(parsing: "OpenBLAS") == .blas)
        #expect(throws: EngineError.unknownBackend("cuda")) { try Backend(parsing: "cuda") }
        #expect(throws: EngineError.invalidThreadCount(0)) { try Engine.setDefault(threads: 0) }
        let saved = ExecutionContext.current
        try Engine.setDefault(backend: .swift, threads: 1)
        #expect(ExecutionContext.current == ExecutionContext(backend: .swift, threads: 1))
        try Engine.setDefault(backend: saved.backend, threads: saved.threads)
    }

    /// A worker inside ``BackendKernels/withSingleThreadedCalls(_:)`` makes its OpenBLAS calls at
    /// one thread, even one that asks for two, and they do not wait behind a call on another thread
    /// that wants a different count (before the gate let its own thread through, such a nested call
    /// queued behind the waiting one, which waited for it: a deadlock, caught here by a timeout).
    /// The nested product equals the same product made outside (n = 48, exact small integers).
    @Test func singleThreadedRunsPassNestedCallsThroughTheGate() throws {
        let n = 48
        let a = (0..<(n * n)).map { Float(($0 * 7) % 11) - 5 }, b = (0..<(n * n)).map { Float(($0 * 5) % 13) - 6 }
        @Sendable func product(threads: Int) -> [Float] {
            var c = [Float](repeating: 0, count: n * n)
            OpenBLASBackend.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                                 beta: 0, c: &c, ldc: n, threads: threads)
            return c
        }
        let expected = product(threads: 1)
        let otherStarted = DispatchSemaphore(value: 0), nestedDone = DispatchSemaphore(value: 0), otherDone = DispatchSemaphore(value: 0)
        let results = Mutex<(nested: [Float], countInside: Int, other: [Float])>(([], 0, []))
        Thread.detachNewThread {
            OpenBLASBackend.withSingleThreadedCalls {
                Thread.detachNewThread {
                    otherStarted.signal()
                    let other = product(threads: 2)   // waits for the run below to end
                    results.withLock { $0.other = other }
                    otherDone.signal()
                }
                otherStarted.wait()
                Thread.sleep(forTimeInterval: 0.05)   // let the other call queue for its count
                let nested = product(threads: 2)
                results.withLock { $0.nested = nested; $0.countInside = Engine.blasThreads }
            }
            nestedDone.signal()
        }
        #expect(nestedDone.wait(timeout: .now() + 20) == .success, "a nested call waited behind another thread's call")
        #expect(otherDone.wait(timeout: .now() + 20) == .success, "the call wanting two threads never ran")
        let r = results.withLock { $0 }
        #expect(r.countInside == 1, "OpenBLAS ran at \(r.countInside) threads inside a single-threaded run")
        let nestedMatches = r.nested == expected, otherMatches = r.other == expected
        #expect(nestedMatches, "the nested product differs from the same product made outside the run")
        #expect(otherMatches, "the two-thread product differs from the one-thread product")
    }

    @Test func parallelChunksCoverTheRangeOnce() {
        for count in [0, 1, 7, 100] {
            for parts in [1, 2, 3, 8] {
                let chunks = (0..<parts).map { Parallel.chunk($0, of: parts, count: count) }
                #expect(chunks.flatMap { Array($0) } == Array(0..<count))
            }
        }
    }
}
