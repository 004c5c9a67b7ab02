import CReckitShim

/// The instruction-set variant of the shim's own C kernels (sparse × dense products, ALS rows and
/// the SGD epoch of the native back end): `avx512`, `avx2` or `baseline`, the highest this CPU and
/// OS run (CPUID and XGETBV, the rule of ``SwiftKernelTier``). `RECKIT_SHIM_KERNEL` (read at
/// start-up) chooses a lower one and is refused with a message when the CPU cannot run it; the
/// shim's `reckit_native_simd_limit` lowers it for the calling thread (tests of each variant).
public enum NativeKernelVariant {
    /// The variant in use on this thread.
    public static var current: String {
        reckit_blas_initialize()
        return ["baseline", "avx2", "avx512"][Int(reckit_native_simd_level())]
    }

    /// How it was chosen: `auto` or `RECKIT_SHIM_KERNEL`.
    public static var selectionSource: String {
        reckit_blas_initialize()
        return String(cString: reckit_native_simd_source())
    }
}
