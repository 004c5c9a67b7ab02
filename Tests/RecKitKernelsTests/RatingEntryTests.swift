import CReckitShim
import Testing
import RecKitKernels

/// The native SGD kernel reads Swift arrays of `RatingEntry` as C `reckit_rating`: the layouts must agree.
@Test func ratingEntryHasTheLayoutOfTheShimsRating() {
    #expect(MemoryLayout<RatingEntry>.size == MemoryLayout<reckit_rating>.size)
    #expect(MemoryLayout<RatingEntry>.stride == MemoryLayout<reckit_rating>.stride)
    #expect(MemoryLayout<RatingEntry>.alignment == MemoryLayout<reckit_rating>.alignment)
    #expect(MemoryLayout<RatingEntry>.offset(of: \.user) == MemoryLayout<reckit_rating>.offset(of: \.user))
    #expect(MemoryLayout<RatingEntry>.offset(of: \.item) == MemoryLayout<reckit_rating>.offset(of: \.item))
    #expect(MemoryLayout<RatingEntry>.offset(of: \.rating) == MemoryLayout<reckit_rating>.offset(of: \.rating))
}

/// Both back ends' biased-MF epochs apply the same update: on the same ratings and starting
/// parameters their factors agree to Float rounding (the C kernel and Swift SIMD sum in different
/// orders; 1e-4 relative after one epoch).
@Test func sgdEpochKernelsAgreeAcrossBackEnds() {
    var rng = SeededGenerator(seed: 3)
    let users = 30, items = 20, f = 12, stride = SGDParameters.stride(for: f)
    let entries = (0..<300).map { _ in
        RatingEntry(user: Int32(rng.next() % UInt64(users)), item: Int32(rng.next() % UInt64(items)), rating: Float(rng.next() % 5 + 1))
    }
    func run(_ kernels: any BackendKernels.Type) -> (SGDParameters, Double) {
        var params = SGDParameters(users: users, items: items, factors: f, stride: stride, deviation: 0.1, seed: 5)
        let loss = entries.withUnsafeBufferPointer { e in
            params.withPointers { p, q, bu, bi in
                kernels.sgdBiasedEpoch(e, p: p, q: q, bu: bu, bi: bi, stride: stride, mu: 3, lr: 0.01, reg: 0.02, regBias: 0.02)
            }
        }
        return (params, loss)
    }
    let (native, nativeLoss) = run(OpenBLASBackend.self), (swift, swiftLoss) = run(SwiftBackend.self)
    #expect(abs(nativeLoss - swiftLoss) <= 1e-4 * nativeLoss)
    for (a, b) in zip(native.p + native.q + native.userBias + native.itemBias, swift.p + swift.q + swift.userBias + swift.itemBias) {
        #expect(abs(a - b) <= 1e-4 * max(1, abs(a)))
    }
}
