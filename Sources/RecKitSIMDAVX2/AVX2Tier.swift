import RecKitSIMD

/// The AVX2 tier: ``RecKitSIMD``'s generic kernels specialised here, in a module compiled for
/// `haswell` (AVX2 + FMA, 16 vector registers of 256 bits). Run it only where the CPU has AVX2
/// and FMA and the OS saves ymm state: `RecKitKernels` checks before choosing it.
public let avx2Tier = KernelTier(
    name: "avx2", vectorBits: 256,
    float: TierKernels(SIMD8<Float>.self, Fused.self, gemmTile: Tile6x2<SIMD8<Float>, Fused>.self,
                       narrowTile: Tile6x2<SIMD4<Float>, Fused>.self, rowVector: SIMD8<Float>.self),
    double: TierKernels(SIMD4<Double>.self, Fused.self, gemmTile: Tile6x2<SIMD4<Double>, Fused>.self,
                        narrowTile: Tile6x2<SIMD2<Double>, Fused>.self, rowVector: SIMD4<Double>.self),
    sgdBiasedEpoch: { BiasedSGD.epoch(SIMD8<Float>.self, $0) })
