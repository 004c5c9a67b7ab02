import Foundation
import Testing
import CReckitShim
import RecKitKernels
import RecKitSIMD

/// The sparse kernels of every pure-Swift tier and of every variant of the shim's C kernels
/// (AVX-512, AVX2, baseline) — ALS row solvers and CSR × dense products — in both precisions, each
/// against a Double reference. Tiers and variants this CPU cannot run are skipped.
@Suite struct KernelTierSparseTests {
    /// A seeded CSR matrix `rows × columns` with about `density` of its entries stored (values
    /// 1…5), and one empty row.
    struct CSR {
        var rows: Int, columns: Int
        var offsets: [Int] = [0], columnIndices: [Int32] = [], values: [Double] = []

        init(rows: Int, columns: Int, density: Double, seed: UInt64) {
            self.rows = rows
            self.columns = columns
            var g = SeededGenerator(seed: seed)
            for r in 0..<rows {
                if r != 3 {
                    for c in 0..<columns where Double.random(in: 0..<1, using: &g) < density {
                        columnIndices.append(Int32(c))
                        values.append(Double(Int.random(in: 1...5, using: &g)))
                    }
                }
                offsets.append(columnIndices.count)
            }
        }

        func row(_ r: Range<Int>.Element) -> Range<Int> { offsets[r]..<offsets[r + 1] }
    }

    static func random(_ count: Int, scale: Double, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * Double.random(in: -1..<1, using: &g) }
    }

    /// Solves the symmetric positive definite `a·x = b` (`n × n`, row-major) in Double.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? s.squareRoot() : s / l[j * n + j]
            }
        }
        var z = b
        for i in 0..<n { for k in 0..<i { z[i] -= l[i * n + k] * z[k] }; z[i] /= l[i * n + i] }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(i + 1, n) { z[i] -= l[k * n + i] * z[k] }
            z[i] /= l[i * n + i]
        }
        return z
    }

    /// The normal equations of row `u`: implicit (`gram` given) `(G + Σ α·r·yyᵀ)·x = Σ (1 + α·r)·y`,
    /// or explicit weighted-λ `(Σ yyᵀ + λ·n·I)·x = Σ r·y`.
    static func normalEquations(_ m: CSR, _ u: Int, y: [Double], f: Int, gram: [Double]?, lambda: Double, alpha: Double)
        -> (a: [Double], b: [Double]) {
        var a = gram ?? [Double](repeating: 0, count: f * f), b = [Double](repeating: 0, count: f)
        for q in m.row(u) {
            let j = Int(m.columnIndices[q]), r = m.values[q]
            let weight = gram != nil ? alpha * r : 1, target = gram != nil ? 1 + alpha * r : r
            for s in 0..<f {
                b[s] += target * y[j * f + s]
                for t in 0..<f { a[s * f + t] += weight * y[j * f + s] * y[j * f + t] }
            }
        }
        if gram == nil { for s in 0..<f { a[s * f + s] += lambda * Double(m.row(u).count) } }
        return (a, b)
    }

    /// A row solver: the arguments, and whether to run conjugate gradient (else Cholesky).
    typealias RowSolver<T: BinaryFloatingPoint> = (ALSRowArguments<T>, _ cg: Bool) -> (row: Int, order: Int)?

    /// A pure-Swift tier's row solvers.
    static func swiftSolver<T: Scalar>(_ kernels: TierKernels<T>) -> RowSolver<T> {
        { arguments, cg in
            if cg { kernels.alsConjugateGradient(arguments); return nil }
            return kernels.alsCholesky(arguments)
        }
    }

    /// The shim's row solvers (whichever variant this thread's level selects).
    static func nativeSolver<T: Scalar>(_: T.Type) -> RowSolver<T> {
        { a, cg in
            let r0 = a.rows.lowerBound, r1 = a.rows.upperBound, nnz = a.offsets[r1]
            var order = 0
            let row: Int
            if T.self == Float.self {
                func f(_ p: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
                func f(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) }
                if cg {
                    reckit_sals_cg(r0, r1, a.f, a.offsets, a.columns, f(a.values), nnz, f(a.gram!), f(a.y), f(a.x),
                                   Float(a.alpha), Int32(a.steps), f(a.work))
                    return nil
                }
                row = reckit_sals_solve(r0, r1, a.f, a.offsets, a.columns, f(a.values), nnz, a.gram.map { f($0) }, Float(a.lambda),
                                        f(a.y), f(a.x), Float(a.alpha), f(a.work), &order)
            } else {
                func d(_ p: UnsafePointer<T>) -> UnsafePointer<Double> { UnsafeRawPointer(p).assumingMemoryBound(to: Double.self) }
                func d(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self) }
                if cg {
                    reckit_dals_cg(r0, r1, a.f, a.offsets, a.columns, d(a.values), nnz, d(a.gram!), d(a.y), d(a.x),
                                   Double(a.alpha), Int32(a.steps), d(a.work))
                    return nil
                }
                row = reckit_dals_solve(r0, r1, a.f, a.offsets, a.columns, d(a.values), nnz, a.gram.map { d($0) }, Double(a.lambda),
                                        d(a.y), d(a.x), Double(a.alpha), d(a.work), &order)
            }
            return row < 0 ? nil : (row, order)
        }
    }

    /// Runs `solver` over all rows of `m` in precision `T`; the solution as Double.
    static func solveRows<T: Scalar>(_ solver: RowSolver<T>, _ m: CSR, y: [Double], f: Int, gram: [Double]?, lambda: Double,
                                     alpha: Double, cgSteps: Int?) -> [Double] {
        let gatherRows = Int(RECKIT_ALS_GATHER)
        let values = m.values.map { T($0) }, yT = y.map { T($0) }, gramT = gram?.map { T($0) } ?? []
        var x = [T](repeating: 0, count: m.rows * f)
        var work = [T](repeating: 0, count: reckit_als_work_size(f, 1))
        var failure: (row: Int, order: Int)?
        m.offsets.withUnsafeBufferPointer { o in m.columnIndices.withUnsafeBufferPointer { j in values.withUnsafeBufferPointer { v in
            yT.withUnsafeBufferPointer { yp in gramT.withUnsafeBufferPointer { gp in x.withUnsafeMutableBufferPointer { xp in
                work.withUnsafeMutableBufferPointer { wp in
                    let arguments = ALSRowArguments(rows: 0..<m.rows, f: f, offsets: o.baseAddress!, columns: j.baseAddress!,
                                                    values: v.baseAddress!, gram: gram == nil ? nil : gp.baseAddress!,
                                                    lambda: T(lambda), alpha: T(alpha), y: yp.baseAddress!, x: xp.baseAddress!,
                                                    steps: cgSteps ?? 0, gatherRows: gatherRows, work: wp.baseAddress!)
                    failure = solver(arguments, cgSteps != nil)
                }
            } } }
        } } }
        #expect(failure == nil, "positive definite systems must factor")
        return x.map { Double($0) }
    }

    /// The shim's variants this CPU runs (0 baseline, 1 AVX2, 2 AVX-512), each passed to `body`
    /// with the calling thread limited to it.
    static func forEachNativeLevel(_ body: (String) -> Void) {
        defer { _ = reckit_native_simd_limit(-1) }
        for level in 0...2 where reckit_native_simd_limit(Int32(level)) == level {
            body("native \(["baseline", "avx2", "avx512"][level])")
        }
    }

    /// Every implementation's exact and CG solvers (f = 32: the register-tiled rank update on every tier;
    /// f = 10: the row-update path and scalar tails), implicit and explicit, against the Double
    /// solution: within 2e-4 of ‖x‖ in Float and 1e-10 in Double for Cholesky; CG (f steps from
    /// zero on these well-conditioned systems) within 2e-3 in Float and 1e-8 in Double.
    @Test(arguments: [32, 10])
    func alsRowsAgreeWithTheDoubleSolution(f: Int) {
        let m = CSR(rows: 12, columns: 40, density: 0.5, seed: UInt64(f))
        let y = Self.random(m.columns * f, scale: 0.5, seed: 11)
        var gram = [Double](repeating: 0, count: f * f)
        for j in 0..<m.columns { for s in 0..<f { for t in 0..<f { gram[s * f + t] += y[j * f + s] * y[j * f + t] } } }
        for s in 0..<f { gram[s * f + s] += 1 }
        let alpha = 0.5, lambda = 0.1
        func check(_ name: String, _ float: RowSolver<Float>, _ double: RowSolver<Double>) {
            for (implicit, cg) in [(true, false), (false, false), (true, true)] {
                let g = implicit ? gram : nil
                var worst = [Double](repeating: 0, count: 2)
                for (p, result) in [Self.solveRows(float, m, y: y, f: f, gram: g, lambda: lambda, alpha: alpha, cgSteps: cg ? f : nil),
                                    Self.solveRows(double, m, y: y, f: f, gram: g, lambda: lambda, alpha: alpha, cgSteps: cg ? f : nil)]
                    .enumerated() {
                    for u in 0..<m.rows {
                        let row = Array(result[(u * f)..<((u + 1) * f)])
                        if m.row(u).isEmpty {
                            if !cg { #expect(row.allSatisfy { $0 == 0 }, "an empty row solves to zero") }
                            continue
                        }
                        let (a, b) = Self.normalEquations(m, u, y: y, f: f, gram: g, lambda: lambda, alpha: alpha)
                        let exact = Self.solve(a, b, f)
                        let norm = exact.map { $0 * $0 }.reduce(0, +).squareRoot()
                        worst[p] = max(worst[p], zip(row, exact).map { abs($0 - $1) }.max()! / norm)
                    }
                }
                let bounds = cg ? [2e-3, 1e-8] : [2e-4, 1e-10]
                let what = "\(name) f=\(f) \(implicit ? "implicit" : "explicit") \(cg ? "CG" : "Cholesky")"
                #expect(worst[0] <= bounds[0], "\(what) Float: \(worst[0]) of ‖x‖")
                #expect(worst[1] <= bounds[1], "\(what) Double: \(worst[1]) of ‖x‖")
            }
        }
        for tier in KernelTierTests.runnable { check(tier.name, Self.swiftSolver(tier.float), Self.swiftSolver(tier.double)) }
        Self.forEachNativeLevel { check($0, Self.nativeSolver(Float.self), Self.nativeSolver(Double.self)) }
    }

    /// A CSR × dense product.
    typealias Product<T: BinaryFloatingPoint> = (CSRProductArguments<T>) -> Void

    /// The shim's products (whichever variant this thread's level selects).
    static func nativeProduct<T: Scalar>(_: T.Type) -> Product<T> {
        { a in
            let r0 = a.rows.lowerBound, r1 = a.rows.upperBound, nnz = a.offsets[r1]
            if T.self == Float.self {
                func f(_ p: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
                let c = UnsafeMutableRawPointer(a.c).assumingMemoryBound(to: Float.self)
                (a.transposed ? reckit_scsrmm_t : reckit_scsrmm)(r0, r1, a.width, a.offsets, a.columns, f(a.values), nnz, f(a.b), a.ldb, c, a.ldc)
            } else {
                func d(_ p: UnsafePointer<T>) -> UnsafePointer<Double> { UnsafeRawPointer(p).assumingMemoryBound(to: Double.self) }
                let c = UnsafeMutableRawPointer(a.c).assumingMemoryBound(to: Double.self)
                (a.transposed ? reckit_dcsrmm_t : reckit_dcsrmm)(r0, r1, a.width, a.offsets, a.columns, d(a.values), nnz, d(a.b), a.ldb, c, a.ldc)
            }
        }
    }

    /// Every implementation's CSR × dense product (plain and transposed; widths with vector tails,
    /// and 2, 4, 8, which gathers sum in registers) against a Double reference:
    /// |error| ≤ (entries in the row + 1)·u·Σ|a·b| per element.
    @Test(arguments: [1, 2, 4, 7, 8, 37, 64])
    func sparseProductsAgreeWithTheDoubleReference(width: Int) {
        let m = CSR(rows: 30, columns: 25, density: 0.3, seed: 5)
        for tier in KernelTierTests.runnable {
            check(tier.float.csrTimesDense, m, width: width, name: tier.name)
            check(tier.double.csrTimesDense, m, width: width, name: tier.name)
        }
        Self.forEachNativeLevel { name in
            check(Self.nativeProduct(Float.self), m, width: width, name: name)
            check(Self.nativeProduct(Double.self), m, width: width, name: name)
        }
    }

    func check<T: Scalar>(_ product: Product<T>, _ m: CSR, width: Int, name: String) {
        for transposed in [false, true] {
            let (bRows, cRows) = transposed ? (m.rows, m.columns) : (m.columns, m.rows)
            let b = Self.random(bRows * width, scale: 1, seed: 9)
            var reference = [Double](repeating: 0, count: cRows * width), magnitude = reference, terms = reference
            for i in 0..<m.rows {
                for q in m.row(i) {
                    let j = Int(m.columnIndices[q]), (src, dst) = transposed ? (i, j) : (j, i)
                    for t in 0..<width {
                        reference[dst * width + t] += m.values[q] * b[src * width + t]
                        magnitude[dst * width + t] += abs(m.values[q] * b[src * width + t])
                        terms[dst * width + t] += 1
                    }
                }
            }
            let values = m.values.map { T($0) }, bT = b.map { T($0) }
            var c = [T](repeating: 0, count: cRows * width)
            m.offsets.withUnsafeBufferPointer { o in m.columnIndices.withUnsafeBufferPointer { j in values.withUnsafeBufferPointer { v in
                bT.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    product(CSRProductArguments(transposed: transposed, rows: 0..<m.rows, width: width,
                                                offsets: o.baseAddress!, columns: j.baseAddress!, values: v.baseAddress!,
                                                b: bp.baseAddress!, ldb: width, c: cp.baseAddress!, ldc: width))
                } }
            } } }
            let u = Double(T.ulpOfOne) / 2
            var worst = 0.0
            for e in 0..<c.count {
                let bound = (terms[e] + 1) * u * magnitude[e]
                let error = abs(Double(c[e]) - reference[e])
                worst = max(worst, bound == 0 ? (error == 0 ? 0 : .infinity) : error / bound)
            }
            #expect(worst <= 1, "\(name) \(T.self) width \(width)\(transposed ? " transposed" : ""): \(worst)× the bound")
        }
    }
}
