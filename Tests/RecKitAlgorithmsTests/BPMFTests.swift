import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitKernels
import RecKitLinearAlgebra
import RecKitTestSupport

/// Bayesian MF: the Normal–Wishart and Gamma draws have their distributions' moments; the sampler
/// fits held-out ratings, its trace behaves, a seed fixes the result for any thread count, the back
/// ends and precisions agree; fold-in; bad input.
@Suite struct BPMFTests {
    static func split() throws -> RatingSplit {
        try SyntheticRatings(users: 300, items: 150, ratings: 15_000, seed: 5).generate(threads: 1).randomHoldout(testFraction: 0.2, seed: 2)
    }

    static func options(_ configure: (inout BPMFOptions) -> Void = { _ in }) -> BPMFOptions {
        var o = BPMFOptions()
        o.factors = 8
        o.burnIn = 10
        o.samples = 20
        configure(&o)
        return o
    }

    static func rmse(_ test: CSRMatrix<Float>, _ fit: BPMFPosterior) -> Double {
        var sum = 0.0
        for u in 0..<test.rows {
            for q in test.range(ofRow: u) {
                let i = Int(test.columnIndices[q])
                let dot = zip(fit.users.row(u), fit.items.row(i)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                let e = Double(test.values[q]) - Double(fit.globalMean + fit.userBias[u] + fit.itemBias[i] + dot)
                sum += e * e
            }
        }
        return (sum / Double(test.nonZeroCount)).squareRoot()
    }

    @Test func gammaDrawsHaveTheirMeanAndVariance() {
        var rng = SeededGenerator(seed: 1)
        for shape in [0.4, 1.0, 3.5, 50.0] {
            let n = 40_000
            let x = (0..<n).map { _ in Gamma.draw(shape: shape, using: &rng) }
            let mean = x.reduce(0, +) / Double(n)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            // Gamma(a, 1): mean a, variance a. Standard error of the mean √(a/n): 5 of them.
            #expect(abs(mean - shape) < 5 * (shape / Double(n)).squareRoot(), "shape \(shape): mean \(mean)")
            #expect(abs(variance / shape - 1) < 0.06, "shape \(shape): variance \(variance)")
        }
    }

    @Test func wishartDrawsAverageToDegreesTimesScale() {
        // E[Wishart(W, ν)] = ν·W. W from its inverse [[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 3]].
        let d = 3, inverse: [Double] = [2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3], nu = 7.0
        var l = inverse
        SmallCholesky.factor(&l, d)
        let w = SmallCholesky.inverse(fromFactor: l, d)
        var rng = SeededGenerator(seed: 9)
        var mean = [Double](repeating: 0, count: d * d)
        let n = 20_000
        for _ in 0..<n {
            let draw = NormalWishart.wishart(scaleInverse: inverse, dimension: d, degrees: nu, using: &rng)
            for t in 0..<(d * d) { mean[t] += draw[t] / Double(n) }
        }
        for a in 0..<d {
            for b in 0..<d {
                // Var of an entry: ν(W_ab² + W_aa W_bb); 5 standard errors.
                let sd = (nu * (w[a * d + b] * w[a * d + b] + w[a * d + a] * w[b * d + b]) / Double(n)).squareRoot()
                #expect(abs(mean[a * d + b] - nu * w[a * d + b]) < 5 * sd, "(\(a), \(b)): \(mean[a * d + b]) vs \(nu * w[a * d + b])")
            }
        }
    }

    @Test(arguments: TestSupport.contexts)
    func fitsHeldOutRatingsAndTracesEverySweep(context: ExecutionContext) throws {
        let data = try Self.split()
        let options = Self.options()
        var seen: [BPMFSample] = []
        let fit = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: options, context: context) { seen.append($0) }
        #expect(fit.trace == seen && seen.count == 30 && seen.map(\.index) == Array(1...30))
        #expect(seen.prefix(10).allSatisfy(\.burnIn) && !seen.dropFirst(10).contains(where: \.burnIn))
        #expect(fit.kept == 20 && fit.users.columns == 8 * 20 && fit.items.rows == 150)
        // The chain moves from its random start to a likelier state: the kept sweeps' mean
        // log-likelihood well above the first five's (measured: about −15 860 → −15 320).
        let early = seen.prefix(5).reduce(0) { $0 + $1.logLikelihood } / 5, late = seen.suffix(10).reduce(0) { $0 + $1.logLikelihood } / 10
        #expect(late > early + 100, "first five \(early), last ten \(late)")
        // Averaging over sweeps predicts held-out ratings better than the mean rating and than a single sweep.
        let mean = Double(fit.globalMean)
        var baseline = 0.0
        for v in data.test.ratings.values { baseline += (Double(v) - mean) * (Double(v) - mean) }
        baseline = (baseline / Double(data.test.ratingCount)).squareRoot()
        let averaged = seen.last!.averagedProbeRMSE!
        #expect(averaged < 0.9 * baseline, "averaged \(averaged) vs mean predictor \(baseline)")
        #expect(averaged <= seen.last!.probeRMSE!, "averaged \(averaged) vs last sweep \(seen.last!.probeRMSE!)")
        // The posterior's own factors give the trace's averaged figure (up to clipping to the rating range).
        #expect(Self.rmse(data.test.ratings, fit) < averaged + 0.02)
    }

    @Test func withoutRobustNoiseThePaperModelFitsToo() throws {
        let data = try Self.split()
        let robust = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: Self.options())
        let plain = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: Self.options { $0.noiseScales = nil })
        #expect(robust.trace.last!.averagedProbeRMSE! != plain.trace.last!.averagedProbeRMSE!)
        // Both well below the mean predictor's held-out RMSE, and within 5 % of each other on this Gaussian-noise data.
        let a = robust.trace.last!.averagedProbeRMSE!, b = plain.trace.last!.averagedProbeRMSE!
        #expect(abs(a - b) < 0.05 * b, "robust \(a), plain \(b)")
    }

    @Test func aSeedFixesTheResultForAnyThreadCount() throws {
        let data = try Self.split().train.ratings
        let one = try BayesianMatrixFactorization.fit(data, options: Self.options(), context: ExecutionContext(backend: .blas, threads: 1))
        let two = try BayesianMatrixFactorization.fit(data, options: Self.options(), context: ExecutionContext(backend: .blas, threads: 2))
        let again = try BayesianMatrixFactorization.fit(data, options: Self.options(), context: ExecutionContext(backend: .blas, threads: 2))
        #expect(one.users == two.users && one.items == two.items && one.userBias == two.userBias && one.trace.map(\.logLikelihood) == two.trace.map(\.logLikelihood))
        #expect(two.users == again.users && two.itemBias == again.itemBias)
        let other = try BayesianMatrixFactorization.fit(data, options: Self.options { $0.seed = 1 }, context: ExecutionContext(backend: .blas, threads: 2))
        #expect(other.users != one.users)
    }

    @Test(arguments: [DType.double, .float])
    func backEndsAgree(dtype: DType) throws {
        let data = try Self.split()
        let options = Self.options { $0.dtype = dtype; $0.burnIn = 5; $0.samples = 10 }
        let blas = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: options,
                                                       context: ExecutionContext(backend: .blas, threads: 2))
        let swift = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: options,
                                                        context: ExecutionContext(backend: .swift, threads: 2))
        // The same draws: the back ends' syrk/potrf differ in rounding only, and the chain carries
        // that difference along. Double: 1e-9 relative on the log-likelihood, 1e-6 on held-out RMSE;
        // Float: 1e-3 on held-out RMSE.
        let rmseTolerance = dtype == .double ? 1e-6 : 1e-3
        for (a, b) in zip(blas.trace, swift.trace) {
            if dtype == .double { #expect(abs(a.logLikelihood - b.logLikelihood) <= 1e-9 * abs(a.logLikelihood), "sweep \(a.index)") }
            #expect(abs((a.averagedProbeRMSE ?? 0) - (b.averagedProbeRMSE ?? 0)) <= rmseTolerance, "sweep \(a.index)")
        }
        #expect(abs(Self.rmse(data.test.ratings, blas) - Self.rmse(data.test.ratings, swift)) <= rmseTolerance)
    }

    @Test func precisionsAgree() throws {
        let data = try Self.split()
        let float = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: Self.options { $0.dtype = .float })
        let double = try BayesianMatrixFactorization.fit(data.train.ratings, probe: data.test.ratings, options: Self.options { $0.dtype = .double })
        // Different rounding sends the chains apart, but to the same posterior: held-out RMSE within 0.01.
        #expect(abs(float.trace.last!.averagedProbeRMSE! - double.trace.last!.averagedProbeRMSE!) < 0.01)
    }

    @Test func foldInPredictsAUsersOwnRatingsAsTheFit() throws {
        let data = try Self.split().train
        let fit = try BayesianMatrixFactorization.fit(data.ratings, options: Self.options())
        var fitted = 0.0, folded = 0.0, count = 0.0
        for u in 0..<40 {
            let range = data.ratings.range(ofRow: u)
            let items = range.map { data.ratings.columnIndices[$0] }, ratings = range.map { data.ratings.values[$0] }
            let drawn = fit.foldIn(items: items, ratings: ratings, seed: 3)
            #expect(drawn.factors.count == fit.users.columns && drawn.factors.allSatisfy(\.isFinite))
            for (item, r) in zip(items, ratings) {
                let q = fit.items.row(Int(item))
                let a = Double(fit.globalMean + fit.userBias[u] + fit.itemBias[Int(item)] + zip(fit.users.row(u), q).reduce(0) { $0 + $1.0 * $1.1 })
                let b = Double(fit.globalMean + drawn.bias + fit.itemBias[Int(item)] + zip(drawn.factors, q).reduce(0) { $0 + $1.0 * $1.1 })
                fitted += (a - Double(r)) * (a - Double(r))
                folded += (b - Double(r)) * (b - Double(r))
                count += 1
            }
        }
        // Folded-in users fit their ratings about as well as trained ones (within 15 %).
        #expect((folded / count).squareRoot() < 1.15 * (fitted / count).squareRoot(), "\(folded / count) vs \(fitted / count)")
    }

    @Test func badInputIsRefusedClearly() throws {
        let data = try Self.split()
        #expect(throws: AlgorithmError.self) { try BayesianMatrixFactorization.fit(data.train.ratings, options: Self.options { $0.samples = 0 }) }
        #expect(throws: AlgorithmError.self) { try BayesianMatrixFactorization.fit(data.train.ratings, options: Self.options { $0.noisePrecision = -1 }) }
        #expect(throws: AlgorithmError.self) { try BayesianMatrixFactorization.fit(CSRMatrix<Float>(rows: 3, columns: 3), options: Self.options()) }
        let nan = try CSRMatrix<Float>(rows: 2, columns: 2, rowOffsets: [0, 1, 2], columnIndices: [0, 1], values: [3, .nan])
        do {
            _ = try BayesianMatrixFactorization.fit(nan, options: Self.options())
            Issue.record("NaN accepted")
        } catch let e as AlgorithmError {
            #expect("\(e)".contains("row 1") || "\(e)".contains("1"), "\(e)")
        }
        let wrongProbe = CSRMatrix<Float>(rows: 2, columns: 2)
        #expect(throws: AlgorithmError.self) { try BayesianMatrixFactorization.fit(data.train.ratings, probe: wrongProbe, options: Self.options()) }
    }
}
