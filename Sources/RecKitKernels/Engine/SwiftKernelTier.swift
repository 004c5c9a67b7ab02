import CReckitShim
import RecKitSIMD
import RecKitSIMDAVX2
import RecKitSIMDAVX512
import Synchronization

/// The instruction-set tier of the pure-Swift back end's kernels, and how to choose another.
///
/// The kernels are compiled three times — for baseline x86-64 (SSE2), for AVX2 + FMA and for
/// AVX-512 (F, CD, BW, DQ, VL) — and the highest tier the CPU and OS support is used, by the rule the
/// shim applies to OpenBLAS (CPUID for the instructions, XGETBV for the register state the OS
/// saves). A tier this machine cannot execute is never selected.
///
/// Overrides, in order of precedence:
/// 1. ``select(_:)`` in code;
/// 2. the environment variable `RECKIT_SWIFT_KERNEL=baseline|avx2|avx512|auto`.
///
/// An environment override naming a tier this CPU or OS cannot run, or an unknown name, is refused
/// with a message on standard error (kept in ``environmentRefusal``) and automatic selection
/// applies; ``select(_:)`` throws instead.
public enum SwiftKernelTier {
    /// Every tier, lowest first.
    public static let names = tables.map(\.name)

    /// The tiers this CPU and OS can run, lowest first.
    public static var supported: [String] {
        #if arch(x86_64)
        let f = reckit_cpu_features()
        func has(_ flags: Int...) -> Bool { flags.allSatisfy { f & UInt32($0) != 0 } }
        let avx2 = has(RECKIT_CPU_AVX2, RECKIT_CPU_FMA, RECKIT_CPU_OS_YMM)
        let avx512 = avx2 && has(RECKIT_CPU_AVX512F, RECKIT_CPU_AVX512CD, RECKIT_CPU_AVX512BW, RECKIT_CPU_AVX512DQ,
                                 RECKIT_CPU_AVX512VL, RECKIT_CPU_OS_ZMM)
        return ["baseline"] + (avx2 ? ["avx2"] : []) + (avx512 ? ["avx512"] : [])
        #else
        return ["baseline"]
        #endif
    }

    /// The tier automatic selection picks here: the highest supported.
    public static var automaticChoice: String { supported.last! }

    /// The tier in use.
    public static var current: String { active.name }

    /// Width in bits of the vectors the tier in use computes with.
    public static var vectorBits: Int { active.vectorBits }

    /// How ``current`` was chosen: `"auto"`, `"RECKIT_SWIFT_KERNEL"` or `"api"`.
    public static var selectionSource: String { source.withLock { $0 } }

    /// Why the environment override was refused at start-up, if it was.
    public static var environmentRefusal: String? { startup.refusal }

    /// Switches the pure-Swift kernels to tier `name` (case-insensitive; `"auto"` restores automatic
    /// selection). Safe to call at any time: calls already running finish on the tier they began with.
    /// - Throws: ``EngineError/unknownSwiftKernelTier(name:known:)`` for an unknown name,
    ///   ``EngineError/swiftKernelTierNotSupported(name:supported:)`` for a tier this CPU or OS cannot run.
    public static func select(_ name: String) throws {
        let tier = try resolve(name)
        source.withLock { source in
            source = name.lowercased() == "auto" ? "auto" : "api"
            activeIndex.store(tier, ordering: .relaxed)
        }
    }

    /// The tier in use, as its kernel table. Read on every GEMM call (a batch makes thousands), so
    /// it is one relaxed atomic load rather than a lock.
    package static var active: KernelTier { tables[activeIndex.load(ordering: .relaxed)] }

    /// The tier in use's kernels for precision `T`.
    @inline(__always)
    package static func kernels<T: Scalar>(_: T.Type) -> TierKernels<T> {
        switch T.dtype {
        case .float: unsafeBitCast(active.float, to: TierKernels<T>.self)
        case .double: unsafeBitCast(active.double, to: TierKernels<T>.self)
        }
    }

    // MARK: Selection

    /// The kernel tables, in the order of ``names``.
    private static let tables: [KernelTier] = [.baseline, avx2Tier, avx512Tier]

    /// The choice made at start-up: automatic, or `RECKIT_SWIFT_KERNEL` when this CPU can run it.
    private static let startup: (index: Int, source: String, refusal: String?) = {
        let auto = names.firstIndex(of: automaticChoice)!
        guard let requested = Engine.environment("RECKIT_SWIFT_KERNEL") else { return (auto, "auto", nil) }
        do {
            return (try resolve(requested), requested.lowercased() == "auto" ? "auto" : "RECKIT_SWIFT_KERNEL", nil)
        } catch {
            let refusal = "RECKIT_SWIFT_KERNEL=\(requested) refused: \(error); using \(automaticChoice)"
            Engine.warn(refusal)
            return (auto, "auto", refusal)
        }
    }()

    /// How the tier in use was chosen; changed together with ``activeIndex`` under its lock.
    private static let source = Mutex<String>(startup.source)
    private static let activeIndex = Atomic<Int>(startup.index)

    /// The index in ``names`` of tier `name`.
    private static func resolve(_ name: String) throws -> Int {
        let wanted = name.lowercased()
        if wanted == "auto" { return names.firstIndex(of: automaticChoice)! }
        guard names.contains(wanted) else {
            throw EngineError.unknownSwiftKernelTier(name: name, known: names + ["auto"])
        }
        guard supported.contains(wanted) else {
            throw EngineError.swiftKernelTierNotSupported(name: name, supported: supported)
        }
        return names.firstIndex(of: wanted)!
    }
}
