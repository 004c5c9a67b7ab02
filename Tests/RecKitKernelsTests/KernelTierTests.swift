import Foundation
import Testing
import CReckitShim
import RecKitKernels
import RecKitSIMD
import RecKitSIMDAVX2
import RecKitSIMDAVX512

/// The pure-Swift kernels' instruction-set tiers: each tier's GEMM against a Double reference, the
/// tiers against each other, and run-time selection. Tiers this CPU cannot run are skipped (their
/// instructions would trap); `reckit info` says which run here.
@Suite struct KernelTierTests {
    static let tiers: [KernelTier] = [.baseline, avx2Tier, avx512Tier]
    static var runnable: [KernelTier] { tiers.filter { SwiftKernelTier.supported.contains($0.name) } }

    /// Shapes that cross every blocking boundary of every tile: single elements, partial tiles in
    /// both directions, the unpacked small-product path (n ≤ 512 and k ≤ 64, or k ≤ 256 and B in
    /// 48 KB) with operands narrower than a tile (padded) and wider (shifted edge tiles), the
    /// largest transposed B that path copies (k 64 × n 500) and one just inside its size rule
    /// (k 150 × n 40, 48 000 bytes in Double), the packed path just past those rules (k 250 × n 500),
    /// several depth panels (k > kc for every tile) and several column panels (n > nc = 4 080).
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (7, 13, 5), (8, 8, 8), (4, 70, 9), (100, 10, 33), (50, 5, 12), (3, 3, 40), (70, 500, 64),
        (20, 40, 150), (70, 500, 250), (6, 64, 64), (64, 64, 64), (65, 97, 300), (130, 70, 1100), (13, 4200, 20),
        (200, 33, 7),
    ]

    struct Case: CustomStringConvertible {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, lowerOnly: Bool
        var description: String { "\(m)×\(n)×\(k)\(transA ? " Aᵀ" : "")\(transB ? " Bᵀ" : "")\(lowerOnly ? " lower" : "")" }
    }

    static var cases: [Case] {
        var all: [Case] = []
        for s in shapes {
            for transA in [false, true] { for transB in [false, true] {
                all.append(Case(m: s.m, n: s.n, k: s.k, transA: transA, transB: transB, lowerOnly: false))
            } }
        }
        all.append(Case(m: 150, n: 150, k: 90, transA: false, transB: true, lowerOnly: true))
        all.append(Case(m: 10, n: 10, k: 23, transA: true, transB: false, lowerOnly: true))
        all.append(Case(m: 5, n: 5, k: 40, transA: true, transB: false, lowerOnly: true))
        all.append(Case(m: 70, n: 70, k: 300, transA: true, transB: false, lowerOnly: true))
        return all
    }

    /// `C ← β·C + α·op(A)·op(B)` in `T` on `tier` with `threads`, from seeded operands.
    static func run<T: Scalar>(_ tier: KernelTier, _ c: Case, _: T.Type, threads: Int) -> (result: [T], reference: [Double], bound: [Double]) {
        var g = SeededGenerator(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k))
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        let a = (0..<(aRows * aCols)).map { _ in T(Double.random(in: -1..<1, using: &g)) }
        let b = (0..<(bRows * bCols)).map { _ in T(Double.random(in: -1..<1, using: &g)) }
        var out = (0..<(c.m * c.n)).map { _ in T(Double.random(in: -1..<1, using: &g)) }
        let alpha: T = 0.75, beta: T = -0.5
        // Reference and error bound in Double: |error| ≤ γ·(|α|·Σ|a||b| + |β||c|), γ = (k + 2)·u.
        var reference = [Double](repeating: 0, count: c.m * c.n), bound = reference
        for i in 0..<c.m {
            for j in 0..<c.n {
                var s = 0.0, magnitude = 0.0
                for p in 0..<c.k {
                    let x = Double(c.transA ? a[p * c.m + i] : a[i * c.k + p])
                    let y = Double(c.transB ? b[j * c.k + p] : b[p * c.n + j])
                    s += x * y
                    magnitude += abs(x * y)
                }
                let old = Double(out[i * c.n + j])
                reference[i * c.n + j] = Double(beta) * old + Double(alpha) * s
                bound[i * c.n + j] = Double(c.k + 2) * Double(T.ulpOfOne) * (abs(Double(alpha)) * magnitude + abs(Double(beta) * old)) + 1e-300
            }
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    let args = GEMMArguments(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: alpha,
                                             a: ap.baseAddress!, lda: aCols, b: bp.baseAddress!, ldb: bCols, beta: beta,
                                             c: cp.baseAddress!, ldc: c.n, threads: threads, lowerOnly: c.lowerOnly)
                    if T.self == Float.self { tier.float.gemm(unsafeBitCast(args, to: GEMMArguments<Float>.self)) }
                    else { tier.double.gemm(unsafeBitCast(args, to: GEMMArguments<Double>.self)) }
                }
            }
        }
        return (out, reference, bound)
    }

    static func check<T: Scalar>(_ tier: KernelTier, _: T.Type) {
        for c in cases {
            let (result, reference, bound) = run(tier, c, T.self, threads: 1)
            var worst = 0.0, worstIndex = 0
            for i in 0..<c.m {
                for j in 0..<c.n where !c.lowerOnly || j <= i {
                    let e = abs(Double(result[i * c.n + j]) - reference[i * c.n + j]) / bound[i * c.n + j]
                    if !(e <= worst) { worst = e; worstIndex = i * c.n + j }
                }
            }
            #expect(worst <= 1, "\(tier.name) \(T.self) \(c): error \(worst)× the bound at element \(worstIndex)")
            // Threads take disjoint rows of C: the result does not depend on their number.
            let twoThreads = run(tier, c, T.self, threads: 2).result
            let same = (0..<c.m).allSatisfy { i in (0..<c.n).allSatisfy { j in (c.lowerOnly && j > i) || twoThreads[i * c.n + j] == result[i * c.n + j] } }
            #expect(same, "\(tier.name) \(T.self) \(c): 2 threads differ from 1")
        }
    }

    @Test(arguments: ["baseline", "avx2", "avx512"])
    func gemmMeetsTheErrorBoundInFloatAndDouble(tier name: String) throws {
        guard let tier = Self.runnable.first(where: { $0.name == name }) else {
            print("note: skipping the \(name) tier: this CPU or OS cannot run it (supported: \(SwiftKernelTier.supported))")
            return
        }
        Self.check(tier, Float.self)
        Self.check(tier, Double.self)
    }

    /// The tiers sum in different orders (and the baseline does not fuse multiply-adds), so they
    /// agree to rounding: within twice the per-tier bound of each other.
    @Test func tiersAgreeWithEachOther() {
        let tiers = Self.runnable
        for c in Self.cases where c.k >= 64 {
            let results = tiers.map { Self.run($0, c, Float.self, threads: 2) }
            for (t, r) in zip(tiers.dropFirst(), results.dropFirst()) {
                let base = results[0]
                var worst = 0.0
                for i in 0..<c.m {
                    for j in 0..<c.n where !c.lowerOnly || j <= i {
                        let difference = abs(Double(r.result[i * c.n + j]) - Double(base.result[i * c.n + j]))
                        worst = max(worst, difference / (2 * base.bound[i * c.n + j]))
                    }
                }
                #expect(worst <= 1, "\(t.name) vs \(tiers[0].name), \(c): \(worst)× the bound")
            }
        }
    }

    /// One SGD epoch on every tier (and every variant of the shim's kernel) against a scalar reference of the same updates in the same order,
    /// with rows of 24 floats (a 512-bit tier runs one whole vector and an 8-float tail) and
    /// repeated users and items (so both the paired and the single-update paths run). The tiers
    /// differ from the reference by rounding only: within 1e-5 relative after one epoch.
    @Test func sgdEpochAgreesWithTheScalarReferenceOnEveryTier() {
        let users = 13, items = 17, stride = 24, count = 400
        var g = SeededGenerator(seed: 7)
        let entries = (0..<count).map { _ in
            RatingEntry(user: Int32.random(in: 0..<Int32(users), using: &g), item: Int32.random(in: 0..<Int32(items), using: &g),
                        rating: Float(Int.random(in: 1...5, using: &g)))
        }
        let p0 = (0..<(users * stride)).map { _ in Float.random(in: -0.1..<0.1, using: &g) }
        let q0 = (0..<(items * stride)).map { _ in Float.random(in: -0.1..<0.1, using: &g) }
        let mu: Float = 3.5, lr: Float = 0.01, reg: Float = 0.05, regBias: Float = 0.02

        // Scalar reference in Double.
        var p = p0.map(Double.init), q = q0.map(Double.init)
        var bu = [Double](repeating: 0, count: users), bi = [Double](repeating: 0, count: items)
        var squared = 0.0
        for e in entries {
            let u = Int(e.user), i = Int(e.item)
            var dot = 0.0
            for t in 0..<stride { dot += p[u * stride + t] * q[i * stride + t] }
            let err = Double(e.rating) - (Double(mu) + bu[u] + bi[i] + dot)
            squared += err * err
            bu[u] += Double(lr) * (err - Double(regBias) * bu[u])
            bi[i] += Double(lr) * (err - Double(regBias) * bi[i])
            for t in 0..<stride {
                let a = p[u * stride + t], b = q[i * stride + t]
                p[u * stride + t] = (1 - Double(lr * reg)) * a + Double(lr) * err * b
                q[i * stride + t] = (1 - Double(lr * reg)) * b + Double(lr) * err * a
            }
        }
        func check(_ name: String, _ epoch: (SGDEpochArguments) -> Double) {
            var tp = p0, tq = q0
            var tbu = [Float](repeating: 0, count: users), tbi = [Float](repeating: 0, count: items)
            let result = entries.withUnsafeBufferPointer { e in
                tp.withUnsafeMutableBufferPointer { pp in tq.withUnsafeMutableBufferPointer { qp in
                    tbu.withUnsafeMutableBufferPointer { bup in tbi.withUnsafeMutableBufferPointer { bip in
                        epoch(SGDEpochArguments(entries: e, p: pp.baseAddress!, q: qp.baseAddress!, bu: bup.baseAddress!,
                                                bi: bip.baseAddress!, stride: stride, mu: mu, lr: lr, reg: reg, regBias: regBias))
                    } }
                } }
            }
            #expect(abs(result - squared) <= 1e-5 * squared, "\(name): squared error \(result), reference \(squared)")
            let worstP = zip(tp, p).map { abs(Double($0) - $1) }.max()!, worstQ = zip(tq, q).map { abs(Double($0) - $1) }.max()!
            let worstB = zip(tbu, bu).map { abs(Double($0) - $1) }.max()!
            #expect(worstP <= 1e-5 && worstQ <= 1e-5 && worstB <= 1e-5, "\(name): factors off by \(worstP), \(worstQ), biases by \(worstB)")
        }
        for tier in Self.runnable { check(tier.name, tier.sgdBiasedEpoch) }
        // The shim's kernel in each variant this CPU runs.
        KernelTierSparseTests.forEachNativeLevel { name in
            check(name) { a in
                reckit_sgd_biased_epoch(UnsafeRawPointer(a.entries.baseAddress!).assumingMemoryBound(to: reckit_rating.self), a.entries.count, a.p, a.q, a.bu, a.bi, a.stride, a.mu, a.lr, a.reg, a.regBias)
            }
        }
    }

    /// Adam's update on every tier, in Float and Double, against the same update one element at a
    /// time: no fused multiply-adds and the same operations in the same order, so every tier is
    /// bit-identical to the scalar loop (lengths cross each tier's vector width and leave tails).
    /// The row form updates exactly the listed rows of a table and leaves the others untouched.
    @Test func adamUpdateIsBitIdenticalOnEveryTier() {
        func check<T: BinaryFloatingPoint & SIMDScalar>(_: T.Type, _ kernels: (KernelTier) -> TierKernels<T>) {
            let c = AdamConstants<T>(beta1: 0.9, beta2: 0.999, learningRate: 0.01, epsilon: 1e-8, decay: 0.001, k1: 1 / (1 - 0.81), k2: 1 / (1 - 0.998001))
            var g = SeededGenerator(seed: 11)
            for n in [1, 3, 8, 15, 16, 17, 33, 64, 101, 1000] {
                let w0 = (0..<n).map { _ in T(Double.random(in: -1..<1, using: &g)) }
                let m0 = (0..<n).map { _ in T(Double.random(in: -0.1..<0.1, using: &g)) }
                let v0 = (0..<n).map { _ in T(Double.random(in: 0..<0.01, using: &g)) }
                let grad = (0..<n).map { _ in T(Double.random(in: -1..<1, using: &g)) }
                var (w, m, v) = (w0, m0, v0)
                for i in 0..<n {
                    m[i] = c.b1 * m[i] + c.c1 * grad[i]
                    v[i] = c.b2 * v[i] + c.c2 * grad[i] * grad[i]
                    w[i] -= c.lr * (m[i] * c.k1) / ((v[i] * c.k2).squareRoot() + c.eps) + c.decay * w[i]
                }
                for tier in Self.runnable {
                    var (tw, tm, tv) = (w0, m0, v0)
                    kernels(tier).adam(&tw, &tm, &tv, grad, n, c)
                    #expect(tw == w && tm == m && tv == v, "\(tier.name), \(T.self), n = \(n): differs from the scalar update")
                }
            }
            // Rows 4 and 1 of a 6 × 5 table (rows of 5: every tier runs a tail only).
            let columns = 5, rows: [Int32] = [4, 1]
            let w0 = (0..<30).map { T($0) / 7 }, grad = (0..<10).map { T($0) / 3 - 1 }
            for tier in Self.runnable {
                var (w, m, v) = (w0, [T](repeating: 0, count: 30), [T](repeating: 0, count: 30))
                rows.withUnsafeBufferPointer { kernels(tier).adamRows(&w, &m, &v, grad, $0, columns, c) }
                for (r, row) in rows.enumerated() {
                    var (rw, rm, rv) = (Array(w0[Int(row) * 5..<Int(row) * 5 + 5]), [T](repeating: 0, count: 5), [T](repeating: 0, count: 5))
                    kernels(tier).adam(&rw, &rm, &rv, Array(grad[r * 5..<r * 5 + 5]), 5, c)
                    #expect(Array(w[Int(row) * 5..<Int(row) * 5 + 5]) == rw && Array(m[Int(row) * 5..<Int(row) * 5 + 5]) == rm,
                            "\(tier.name): row \(row) differs from its contiguous update")
                }
                for row in [0, 2, 3, 5] { #expect(Array(w[row * 5..<row * 5 + 5]) == Array(w0[row * 5..<row * 5 + 5]), "\(tier.name): row \(row) was touched") }
            }
        }
        check(Float.self) { $0.float }
        check(Double.self) { $0.double }
    }

    /// The matrix–vector product over rows on every tier, in Float and Double, against a Double
    /// reference: each entry within `2·n·ε·Σⱼ|aᵢⱼ·xⱼ|` (plus the β term's rounding), the standard
    /// bound for a dot product summed in any order. Shapes leave row tails (m not a multiple of 4)
    /// and column tails, the leading dimension exceeds n, and with β = 0 a NaN already in `y` is
    /// not read. Each row computed alone has the same bits as among the others.
    @Test func matrixVectorRowsMeetTheDotProductBoundOnEveryTier() {
        func check<T: BinaryFloatingPoint & SIMDScalar>(_: T.Type, _ kernels: (KernelTier) -> TierKernels<T>) {
            let eps = Double(T.ulpOfOne)
            var g = SeededGenerator(seed: 5)
            for (m, n) in [(1, 1), (3, 7), (4, 8), (5, 17), (9, 64), (13, 300), (64, 1000)] {
                let lda = n + 3
                let a = (0..<m * lda).map { _ in T(Double.random(in: -1..<1, using: &g)) }
                let x = (0..<n).map { _ in T(Double.random(in: -1..<1, using: &g)) }
                let y0 = (0..<m).map { _ in T(Double.random(in: -1..<1, using: &g)) }
                for (alpha, beta) in [(T(1), T(0)), (T(-0.5), T(2))] {
                    for tier in Self.runnable {
                        var y = beta == 0 ? [T](repeating: .nan, count: m) : y0
                        kernels(tier).gemvRows(a, lda, m, n, x, alpha, beta, &y)
                        for i in 0..<m {
                            var exact = 0.0, magnitude = 0.0
                            for j in 0..<n { exact += Double(a[i * lda + j]) * Double(x[j]); magnitude += abs(Double(a[i * lda + j]) * Double(x[j])) }
                            let expected = Double(alpha) * exact + Double(beta) * Double(y0[i])
                            let bound = 2 * Double(n + 2) * eps * (abs(Double(alpha)) * magnitude + abs(Double(beta) * Double(y0[i])))
                            #expect(abs(Double(y[i]) - expected) <= bound,
                                    "\(tier.name), \(T.self), \(m)×\(n), α \(alpha), β \(beta), row \(i): \(y[i]), expected \(expected) ± \(bound)")
                            // Alone, the row gets the same bits as in a group (threads split rows anywhere).
                            var alone = [beta == 0 ? T.nan : y0[i]]
                            a.withUnsafeBufferPointer { kernels(tier).gemvRows($0.baseAddress! + i * lda, lda, 1, n, x, alpha, beta, &alone) }
                            #expect(alone[0] == y[i], "\(tier.name), \(T.self), \(m)×\(n), row \(i): \(alone[0]) alone, \(y[i]) among the others")
                        }
                    }
                }
            }
        }
        check(Float.self) { $0.float }
        check(Double.self) { $0.double }
    }

    /// The vector `exp` behind the softmax losses, on every tier and in both precisions, against
    /// libm in Double: each numerator within 4 units in the last place of the true `e^(x − max)`
    /// where that is normal, at most the smallest normal where it is subnormal, exactly 0 from
    /// −bias·ln 2 down (and for −∞), the sum within rounding of the true sum, and NaN carried
    /// through. Rows are long and short (tails only, a vector and a tail, many vectors).
    @Test func softmaxNumeratorsMeetTheExpContractOnEveryTier() {
        func check<T: BinaryFloatingPoint & SIMDScalar>(_: T.Type, zeroBelow: Double, _ kernels: (KernelTier) -> TierKernels<T>) {
            let ulp = Double(T.ulpOfOne), smallestNormal = Double(T.leastNormalMagnitude)
            var g = SeededGenerator(seed: 3)
            var rows: [[T]] = [1, 2, 7, 16, 17, 100, 1000, 3001].map { n in (0..<n).map { _ in T(Double.random(in: -95...5, using: &g)) } }
            let edge = Foundation.log(smallestNormal)
            rows.append([0, T(edge + 0.2), T(edge - 0.2), T(zeroBelow), T(zeroBelow - 1), -1000, -.infinity, -1e-30, 1e-30, 5e-8])
            for tier in Self.runnable {
                for x in rows {
                    let top = x.max()!
                    var y = x
                    let sum = y.withUnsafeMutableBufferPointer { kernels(tier).softmaxNumerators($0.baseAddress!, $0.count) }
                    var trueSum = 0.0
                    for (c, v) in x.enumerated() {
                        let argument = Double(v - top)   // the kernel subtracts in T, exactly as here
                        let expected = Foundation.exp(argument)
                        trueSum += expected
                        if argument <= zeroBelow {
                            #expect(y[c] == 0, "\(tier.name), \(T.self): e^\(argument) gave \(y[c]), not 0")
                        } else if expected < smallestNormal {
                            #expect(Double(y[c]) <= smallestNormal, "\(tier.name), \(T.self): e^\(argument) gave \(y[c])")
                        } else {
                            #expect(abs(Double(y[c]) - expected) <= 4 * ulp * expected, "\(tier.name), \(T.self): e^\(argument) = \(y[c]), libm \(expected)")
                        }
                    }
                    #expect(abs(Double(sum) - trueSum) <= 8 * ulp * Double(x.count) * trueSum, "\(tier.name), \(T.self), n = \(x.count): sum \(sum), true \(trueSum)")
                }
                var withNaN: [T] = [0, 1, .nan, 2]
                let sum = withNaN.withUnsafeMutableBufferPointer { kernels(tier).softmaxNumerators($0.baseAddress!, 4) }
                #expect(sum.isNaN, "\(tier.name), \(T.self): NaN in a row gave the sum \(sum)")
            }
        }
        check(Float.self, zeroBelow: -88.03) { $0.float }
        check(Double.self, zeroBelow: -709.09) { $0.double }
    }

    @Test func selectionFollowsTheCPUAndTheEnvironment() throws {
        let supported = SwiftKernelTier.supported
        #expect(supported.first == "baseline")
        #expect(supported == SwiftKernelTier.names.filter(supported.contains), "supported tiers are listed lowest first")
        #expect(supported.contains(SwiftKernelTier.current))
        let requested = ProcessInfo.processInfo.environment["RECKIT_SWIFT_KERNEL"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        if let requested, requested != "auto", supported.contains(requested) {
            #expect(SwiftKernelTier.current == requested)
            #expect(SwiftKernelTier.selectionSource == "RECKIT_SWIFT_KERNEL")
        } else if SwiftKernelTier.selectionSource == "auto" {
            #expect(SwiftKernelTier.current == supported.last)
            if let requested, requested != "auto" {
                #expect(SwiftKernelTier.environmentRefusal?.contains("RECKIT_SWIFT_KERNEL=") == true)
            }
        }
        #expect(SwiftKernelTier.vectorBits == ["baseline": 128, "avx2": 256, "avx512": 512][SwiftKernelTier.current])
        #expect(throws: EngineError.unknownSwiftKernelTier(name: "sse9", known: ["baseline", "avx2", "avx512", "auto"])) {
            try SwiftKernelTier.select("sse9")
        }
        for name in SwiftKernelTier.names where !supported.contains(name) {
            #expect(throws: EngineError.swiftKernelTierNotSupported(name: name, supported: supported)) {
                try SwiftKernelTier.select(name)
            }
        }
    }
}
