import RecKitSIMD

/// The AVX-512 tier: ``RecKitSIMD``'s generic kernels specialised here, in a module compiled for
/// `skylake-avx512` (AVX-512 F, CD, BW, DQ and VL — the subset every AVX-512 CPU since 2017 has;
/// 32 vector registers of 512 bits). Run it only where the CPU has those and the OS saves zmm
/// state: `RecKitKernels` checks before choosing it.
public let avx512Tier = KernelTier(
    name: "avx512", vectorBits: 512,
    float: TierKernels(SIMD16<Float>.self, Fused.self, gemmTile: Tile6x4<SIMD16<Float>, Fused>.self,
                       narrowTile: Tile6x2<SIMD8<Float>, Fused>.self,
                       narrowestTile: Tile6x2<SIMD4<Float>, Fused>.self, rowVector: SIMD8<Float>.self),
    double: TierKernels(SIMD8<Double>.self, Fused.self, gemmTile: Tile6x4<SIMD8<Double>, Fused>.self,
                        narrowTile: Tile6x2<SIMD4<Double>, Fused>.self, rowVector: SIMD4<Double>.self),
    sgdBiasedEpoch: { BiasedSGD.epoch(SIMD16<Float>.self, $0) })
