// swift-tools-version: 6.2
import PackageDescription
import Foundation

// The library is compiled for baseline x86-64 and runs on any x86-64 CPU: its wide-vector kernels
// live in the tier modules below, compiled for AVX2 and AVX-512 and chosen at run time. Set
// RECKIT_TARGET_CPU to an LLVM CPU name (e.g. `znver4`) to compile the rest of the library for that
// CPU too — the binary then runs only on CPUs with that instruction set.
//
// swift-tools-version 6.2 is the oldest that lets a package depending on RecKit by version accept
// the tier modules' flags (6.1 refuses a versioned dependency with `unsafeFlags`);
// scripts/client-check.sh, run by the test command, keeps that true.
let targetCPU = ProcessInfo.processInfo.environment["RECKIT_TARGET_CPU"] ?? "generic"
#if arch(x86_64)
let simdSettings: [SwiftSetting] = targetCPU == "generic" ? [] : [.unsafeFlags(["-target-cpu", targetCPU])]
#else
let simdSettings: [SwiftSetting] = []
#endif
let engineSettings = simdSettings

// The pure-Swift kernels' instruction-set tiers (RecKitSIMD's generic kernels specialised per
// module; RecKitKernels picks one at run time, see SwiftKernelTier). Their flags are fixed: they
// do not follow RECKIT_TARGET_CPU.
#if arch(x86_64)
let avx2TierSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let avx512TierSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let avx2TierSettings: [SwiftSetting] = []
let avx512TierSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "RecKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RecKit", targets: ["RecKit"]),
        .executable(name: "reckit", targets: ["reckit"]),
        // Optional: training across machines with Open MPI (needs libopenmpi-dev); nothing above depends on it.
        .library(name: "RecKitDistributed", targets: ["RecKitDistributed"]),
        .executable(name: "reckit-mpi", targets: ["reckit-mpi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: - Shim: the C libraries and the thin C layer over them
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // LAPACKE is named here too: Debian's lapacke.pc adds nothing but `-llapacke`, and a C target does
        // not inherit the module map's `link` lines.
        .target(name: "CReckitShim", dependencies: ["COpenBLAS"], linkerSettings: [.linkedLibrary("lapacke")]),

        // MARK: - Kernels: the only Swift code that calls the shim; each back end registers its kernels
        // The pure-Swift kernels, generic over vector width (RecKitSIMD, compiled for the baseline ISA,
        // holds the baseline tier), and one module per wider tier that specialises them.
        // LLVM intrinsics the kernels need (software prefetch, a branch-free square root), reachable only
        // with -parse-stdlib.
        .target(name: "RecKitIntrinsics", swiftSettings: [.unsafeFlags(["-parse-stdlib"])]),
        .target(name: "RecKitSIMD", dependencies: ["RecKitIntrinsics"]),
        .target(name: "RecKitSIMDAVX2", dependencies: ["RecKitSIMD"], swiftSettings: avx2TierSettings),
        .target(name: "RecKitSIMDAVX512", dependencies: ["RecKitSIMD"], swiftSettings: avx512TierSettings),
        .target(name: "RecKitKernels", dependencies: ["CReckitShim", "RecKitSIMD", "RecKitSIMDAVX2", "RecKitSIMDAVX512"],
                swiftSettings: engineSettings),

        // MARK: - Public API
        .target(name: "RecKitLinearAlgebra", dependencies: ["RecKitKernels"], swiftSettings: engineSettings),
        .target(name: "RecKitData", dependencies: ["RecKitLinearAlgebra"], swiftSettings: engineSettings),
        .target(name: "RecKitAlgorithms", dependencies: ["RecKitLinearAlgebra", "RecKitData"], swiftSettings: engineSettings),
        .target(name: "RecKitModels", dependencies: ["RecKitLinearAlgebra", "RecKitData", "RecKitAlgorithms"], swiftSettings: engineSettings),
        .target(name: "RecKitEvaluation", dependencies: ["RecKitLinearAlgebra", "RecKitData", "RecKitAlgorithms", "RecKitModels"], swiftSettings: engineSettings),
        .target(name: "RecKit", dependencies: ["RecKitLinearAlgebra", "RecKitData", "RecKitAlgorithms", "RecKitModels", "RecKitEvaluation"]),

        // MARK: - Benchmarks and the command-line tool
        .target(name: "RecKitBenchmarks", dependencies: ["RecKitLinearAlgebra", "RecKitData", "RecKitModels", "RecKitEvaluation"], swiftSettings: engineSettings),
        // MARK: - Serving: snapshots, online fold-in, the event log, explore/exploit policies
        .target(
            name: "RecKitServing",
            dependencies: [
                "RecKitModels", "RecKitData", "RecKitLinearAlgebra",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: engineSettings
        ),
        .executableTarget(
            name: "reckit",
            dependencies: [
                "RecKit", "RecKitBenchmarks", "RecKitServing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // MARK: - Distributed: ALS, truncated SVD and top-k across MPI ranks (Open MPI), an optional layer
        // of its own: the library and `reckit` build and run without MPI.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .target(name: "CReckitMPI", dependencies: ["CMPI"]),
        .target(name: "RecKitDistributed", dependencies: ["CReckitMPI", "RecKitAlgorithms", "RecKitData", "RecKitModels", "RecKitLinearAlgebra"],
                swiftSettings: engineSettings),
        .executableTarget(
            name: "reckit-mpi",
            dependencies: ["RecKitDistributed", "RecKitData", "RecKitAlgorithms", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Fuzz targets: the readers of untrusted input, fed bytes (libFuzzer binary below; the
        // tests replay Fuzz/corpus through them)
        .target(name: "RecKitFuzzTargets", dependencies: ["RecKit", "RecKitData", "RecKitServing"], path: "Fuzz/RecKitFuzzTargets",
                swiftSettings: engineSettings),

        // MARK: - Tests
        .target(name: "RecKitTestSupport", dependencies: ["RecKitLinearAlgebra"], path: "Tests/RecKitTestSupport"),
        .testTarget(name: "RecKitKernelsTests", dependencies: ["RecKitKernels", "CReckitShim", "RecKitIntrinsics", "RecKitSIMD", "RecKitSIMDAVX2", "RecKitSIMDAVX512"]),
        .testTarget(
            name: "RecKitLinearAlgebraTests",
            dependencies: ["RecKitLinearAlgebra", "RecKitTestSupport"],
            swiftSettings: simdSettings
        ),
        .testTarget(
            name: "RecKitDataTests",
            dependencies: ["RecKitData", "RecKitTestSupport"],
            resources: [.copy("BadFiles")]
        ),
        .testTarget(name: "RecKitAlgorithmsTests", dependencies: ["RecKitAlgorithms", "RecKitData", "RecKitTestSupport"]),
        .testTarget(name: "RecKitModelsTests", dependencies: ["RecKitModels", "RecKitEvaluation", "RecKitAlgorithms", "RecKitData", "RecKitTestSupport"]),
        .testTarget(name: "RecKitEvaluationTests", dependencies: ["RecKitEvaluation", "RecKitModels", "RecKitAlgorithms", "RecKitData", "RecKitTestSupport"]),
        .testTarget(name: "RecKitServingTests", dependencies: ["RecKitServing", "RecKitModels", "RecKitData", "RecKitLinearAlgebra", "RecKitTestSupport"]),
        .testTarget(name: "RecKitDistributedTests", dependencies: ["RecKitAlgorithms", "RecKitData", "RecKitModels", "RecKitLinearAlgebra"]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["RecKitFuzzTargets"]),
        .testTarget(name: "RecKitCLITests", dependencies: ["RecKitBenchmarks", "RecKitModels", "RecKitLinearAlgebra", "RecKitServing", "RecKitTestSupport"],
                    exclude: ["Fixtures"]),
    ]
)

// MARK: - Microbenchmarks of the hot kernels (ordo-one/benchmark), built only on request, so that the
// library, the tool and the tests do not depend on the harness:
//
//     RECKIT_MICROBENCHMARKS=1 swift package --allow-writing-to-package-directory benchmark
//
// Each benchmark carries a relative wall-clock threshold for `benchmark baseline check` (see
// docs/benchmarks.md).
if ProcessInfo.processInfo.environment["RECKIT_MICROBENCHMARKS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(.executableTarget(
        name: "RecKitMicrobenchmarks",
        dependencies: ["RecKitLinearAlgebra", "RecKitData", "RecKitAlgorithms", .product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/RecKitMicrobenchmarks",
        swiftSettings: engineSettings,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ))
}

// MARK: - Fuzz targets (libFuzzer + AddressSanitizer), built only on request by scripts/fuzz.sh:
//
//     RECKIT_FUZZ=1 swift build -c release --product reckit-fuzz --build-path .build-fuzz \
//         -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
//
// One binary holds a target per untrusted input (RECKIT_FUZZ_TARGET chooses); libFuzzer supplies
// `main`, so the target is not part of an ordinary build.
if ProcessInfo.processInfo.environment["RECKIT_FUZZ"] != nil {
    package.products.append(.executable(name: "reckit-fuzz", targets: ["RecKitFuzz"]))
    package.targets.append(.executableTarget(
        name: "RecKitFuzz",
        dependencies: ["RecKitFuzzTargets"],
        path: "Fuzz/RecKitFuzz",
        swiftSettings: engineSettings + [.unsafeFlags(["-parse-as-library"])]
    ))
}
