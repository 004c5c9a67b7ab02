import CReckitShim

/// The instruction-set variant of the shim's own C kernels (sparse × dense products, ALS rows and
/// the SGD epoch of the native back end): `avx512`, `avx2` or `baseline`, the highest this CPU and
/// OS run (CPUID and XGETBV, the rule of ``SwiftKernelTier``). Chosen automatically; the shim's
/// `reckit_native_simd_limit` lowers it for the calling thread (tests of each variant).
public enum NativeKernelVariant {
    /// The variant in use on this thread.
    public static var current: String { ["baseline", "avx2", "avx512"][Int(reckit_native_simd_level())] }
}
