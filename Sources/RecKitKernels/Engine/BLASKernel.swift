import CReckitShim

/// The OpenBLAS kernel family in use, and how to choose another.
///
/// When a process that links RecKit starts, the shim reads what the CPU and the operating system
/// support (CPUID and XGETBV) and switches OpenBLAS to the highest instruction-set tier it can run
/// (AVX-512 "SkylakeX" > AVX2 "Haswell"/"Zen" > AVX "Sandybridge" > SSE). OpenBLAS's own pick is
/// kept when it is already of the best tier. A kernel the CPU or OS cannot execute is never
/// selected.
///
/// Overrides, in order of precedence:
/// 1. ``select(_:)`` in code;
/// 2. the environment variable `RECKIT_BLAS_KERNEL=NAME` (`auto` means automatic selection);
/// 3. OpenBLAS's own `OPENBLAS_CORETYPE=NAME`, which some hosts set because older OpenBLAS builds
///    misbehave on newer CPUs; RecKit keeps it rather than "upgrading" it.
///
/// An override naming a kernel this CPU or OS cannot run is refused with a message on standard error
/// (see ``environmentRefusal``) and the next rule applies. ``selectionSource`` says which rule chose
/// the kernel in use. RecKit never changes these variables: child processes see what the user set.
public struct BLASKernel: Sendable, Equatable, CustomStringConvertible {
    /// Kernel name as OpenBLAS spells it, e.g. `"SkylakeX"`.
    public let name: String
    /// Instruction-set tier: 0 SSE3, 1 SSE4.2, 2 AVX, 3 AVX2+FMA, 4 AVX-512.
    public let tier: Int
    /// Whether this CPU and OS can run it.
    public let isSupported: Bool

    public var description: String { name }

    /// Every kernel RecKit knows, in automatic selection's order of preference.
    public static var known: [BLASKernel] {
        let features = reckit_cpu_features()
        return (0..<Int(reckit_kernel_count())).map { i in
            BLASKernel(name: String(cString: reckit_kernel_name(Int32(i))), tier: Int(reckit_kernel_tier(Int32(i))),
                       isSupported: reckit_kernel_supported_by(Int32(i), features) != 0)
        }
    }

    /// The kernels this CPU and OS can run.
    public static var supported: [BLASKernel] { known.filter(\.isSupported) }

    /// The kernel OpenBLAS is using now.
    public static var current: String {
        reckit_blas_initialize()
        return String(cString: reckit_blas_corename())
    }

    /// How ``current`` was chosen: `"auto"`, `"RECKIT_BLAS_KERNEL"`, `"OPENBLAS_CORETYPE"` or `"api"`.
    public static var selectionSource: String { String(cString: reckit_blas_selection_source()) }

    /// Why environment overrides were refused at start-up (one message per line), if any was.
    public static var environmentRefusal: String? { reckit_blas_env_refusal().map { String(cString: $0) } }

    /// The kernel automatic selection picks on this machine.
    public static var automaticChoice: String {
        let i = reckit_kernel_auto_choice(reckit_cpu_features(), reckit_blas_corename())
        return i >= 0 ? String(cString: reckit_kernel_name(i)) : current
    }

    /// OpenBLAS's build configuration, e.g. `"OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"`.
    public static var openBLASConfig: String { String(cString: reckit_blas_config()) }

    /// OpenBLAS's version number, read from its configuration string.
    public static var openBLASVersion: String {
        let parts = openBLASConfig.split(separator: " ")
        if let i = parts.firstIndex(of: "OpenBLAS"), i + 1 < parts.count { return String(parts[i + 1]) }
        return "unknown"
    }

    /// Switches OpenBLAS to kernel `name` (case-insensitive; `"auto"` restores automatic selection).
    ///
    /// Call it before BLAS work starts, not while other threads run BLAS calls.
    /// - Throws: ``EngineError`` for an unknown name, a kernel this CPU or OS cannot run (it would
    ///   crash with an illegal instruction), or an OpenBLAS that cannot switch.
    public static func select(_ name: String) throws {
        let target = name.lowercased() == "auto" ? automaticChoice : name
        let rc = reckit_blas_select_kernel(target)
        switch rc {
        case 0: return
        case 1: throw EngineError.unknownKernel(name: name, known: known.map(\.name))
        case 2: throw EngineError.kernelNotSupported(name: name, supported: supported.map(\.name))
        case 3: throw EngineError.kernelSwitchUnavailable
        default: throw EngineError.kernelSwitchFailed(name: name, current: current)
        }
    }
}
