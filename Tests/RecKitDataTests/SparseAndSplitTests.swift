import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitTestSupport

@Suite struct SparseTests {
    static func random<T: Scalar>(_: T.Type, rows: Int, columns: Int, density: Double, seed: UInt64) -> CSRMatrix<T> {
        var rng = SeededGenerator(seed: seed)
        let dense = Matrix<T>(rows: rows, columns: columns) { _, _ in
            Double.random(in: 0..<1, using: &rng) < density ? T(Double.random(in: -1...1, using: &rng)) : 0
        }
        return CSRMatrix(dense: dense)
    }

    @Test(arguments: TestSupport.contexts)
    func productsMatchDenseReference(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let a = Self.random(T.self, rows: 300, columns: 170, density: 0.05, seed: 3)
            let dense = a.dense()
            let b = Matrix<T>.random(rows: 170, columns: 33, seed: 4)
            let bt = Matrix<T>.random(rows: 300, columns: 19, seed: 5)
            let tol = 64 * TestSupport.eps(T.self)
            #expect(TestSupport.relativeDifference(try a.multiply(b, context: context), TestSupport.referenceProduct(dense, b)) <= tol)
            #expect(TestSupport.relativeDifference(try a.multiplyTransposed(bt, context: context), TestSupport.referenceProduct(dense, bt, transposeA: true)) <= tol)
            // A wide Aᵀ·B (threads split its columns) into a stale buffer of the right shape, and a
            // product into a buffer of the wrong shape: both overwrite, neither accumulates.
            let wide = Matrix<T>.random(rows: 300, columns: 40, seed: 6)
            var into = Matrix<T>(rows: 170, columns: 40, repeating: 7)
            try a.multiplyTransposed(wide, into: &into, context: context)
            #expect(TestSupport.relativeDifference(into, TestSupport.referenceProduct(dense, wide, transposeA: true)) <= tol)
            try a.multiply(b, into: &into, context: context)
            #expect(into.rows == 300 && TestSupport.relativeDifference(into, TestSupport.referenceProduct(dense, b)) <= tol)
            // The threads zero what they accumulate into: NaN left in a reused buffer, of A·B and
            // of a narrow Aᵀ·B (private buffers), must not reach the result; nor for a matrix
            // with no stored entries.
            var stale = Matrix<T>(rows: 300, columns: 33, repeating: .nan)
            try a.multiply(b, into: &stale, context: context)
            #expect(TestSupport.relativeDifference(stale, TestSupport.referenceProduct(dense, b)) <= tol)
            stale = Matrix<T>(rows: 170, columns: 19, repeating: .nan)
            try a.multiplyTransposed(bt, into: &stale, context: context)
            #expect(TestSupport.relativeDifference(stale, TestSupport.referenceProduct(dense, bt, transposeA: true)) <= tol)
            let empty = try CSRMatrix<T>(rows: 300, columns: 170, rowOffsets: [Int](repeating: 0, count: 301), columnIndices: [], values: [])
            stale = Matrix<T>(rows: 300, columns: 33, repeating: .nan)
            try empty.multiply(b, into: &stale, context: context)
            #expect(stale.storage.allSatisfy { $0 == 0 })
            let x = (0..<170).map { T(Double($0 % 7) - 3) }
            let y = try a.multiply(vector: x, context: context)
            let ref = TestSupport.apply(dense, x.map(\.doubleValue))
            #expect(TestSupport.norm(zip(y, ref).map { $0.doubleValue - $1 }) <= tol * (TestSupport.norm(ref) + 1))
            let z = try a.multiplyTransposed(vector: (0..<300).map { T(Double($0 % 5)) }, context: context)
            let refT = TestSupport.apply(dense, (0..<300).map { Double($0 % 5) }, transpose: true)
            #expect(TestSupport.norm(zip(z, refT).map { $0.doubleValue - $1 }) <= tol * (TestSupport.norm(refT) + 1))
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test func structureConversionsAndErrors() throws {
        let a = Self.random(Double.self, rows: 40, columns: 25, density: 0.2, seed: 9)
        #expect(a.transposed().transposed() == a)
        #expect(a.transposed().dense() == a.dense().transposed)
        #expect(a.csc().csr() == a && a.csc().column(3).map(\.row) == (0..<40).filter { a[$0, 3] != 0 })
        let stats = a.rowStatistics()
        #expect(stats.counts.reduce(0, +) == a.nonZeroCount)
        #expect(throws: DataError.self) { _ = try CSRMatrix<Float>(rows: 2, columns: 2, rowOffsets: [0, 1, 3], columnIndices: [0, 1, 1], values: [1, 2, 3]) }
        #expect(throws: DataError.self) { _ = try CSRMatrix<Float>(rows: 1, columns: 2, rowOffsets: [0, 1], columnIndices: [5], values: [1]) }
        #expect(throws: DataError.self) { _ = try a.multiply(Matrix<Double>(rows: 3, columns: 2)) }
        #expect(throws: DataError.self) {
            _ = try CSRMatrix<Float>.fromTriplets(rows: 2, columns: 2, rowIndices: [0, 2], columnIndices: [0, 0], values: [1, 1])
        }
    }

    @Test func tripletsMergeDuplicatesByPolicy() throws {
        let r: [Int32] = [1, 0, 1, 1, 0], c: [Int32] = [2, 0, 2, 0, 0], v: [Float] = [1, 5, 3, 4, 7]
        let last = try CSRMatrix<Float>.fromTriplets(rows: 2, columns: 3, rowIndices: r, columnIndices: c, values: v, payload: [10, 11, 12, 13, 14])
        #expect(last.merged == 2 && last.matrix[1, 2] == 3 && last.matrix[0, 0] == 7 && last.payload == [14, 13, 12])
        #expect(try CSRMatrix<Float>.fromTriplets(rows: 2, columns: 3, rowIndices: r, columnIndices: c, values: v, duplicates: .sum).matrix[1, 2] == 4)
        #expect(try CSRMatrix<Float>.fromTriplets(rows: 2, columns: 3, rowIndices: r, columnIndices: c, values: v, duplicates: .mean).matrix[0, 0] == 6)
    }

    /// Rows short and long (beyond the insertion-sort length, with columns needing more than one
    /// byte), in random order with repeats, against a reference built entry by entry: every policy,
    /// the payload of the last repeat, and 1 and 2 threads.
    @Test(arguments: [1, 2])
    func tripletsMatchAReferenceOnShortAndLongRows(threads: Int) throws {
        var rng = SeededGenerator(seed: 11)
        let rows = 2_500, columns = 70_000  // about 100 000 entries: enough for the parallel paths
        var r: [Int32] = [], c: [Int32] = [], v: [Double] = [], stamps: [Int64] = []
        for row in 0..<rows {
            let length = row % 97 == 0 ? 600 + Int(rng.next() % 400) : Int(rng.next() % 60)
            let span = row % 2 == 0 ? columns : 80  // narrow spans force repeats
            for _ in 0..<length {
                r.append(Int32(row)); c.append(Int32(rng.next() % UInt64(span))); v.append(Double(rng.next() % 9) + 1)
            }
        }
        var order = Array(r.indices)
        order.shuffle(using: &rng)
        r = order.map { r[$0] }; c = order.map { c[$0] }; v = order.map { v[$0] }
        stamps = order.indices.map { Int64($0) }
        let inputs = (r, c, v, stamps)
        for policy in DuplicatePolicy.allCases {
            var reference: [Int: [Int: (sum: Double, count: Int, last: Double, stamp: Int64)]] = [:]
            for k in r.indices {
                var e = reference[Int(r[k]), default: [:]][Int(c[k])] ?? (0, 0, 0, 0)
                e.sum += v[k]; e.count += 1; e.last = v[k]; e.stamp = stamps[k]
                reference[Int(r[k]), default: [:]][Int(c[k])] = e
            }
            let built = try CSRMatrix<Double>.fromTriplets(rows: rows, columns: columns, rowIndices: r, columnIndices: c, values: v,
                                                          duplicates: policy, payload: stamps, threads: threads)
            let m = built.matrix
            var expectedCount = 0
            for row in 0..<rows {
                let want = (reference[row] ?? [:]).sorted { $0.key < $1.key }
                expectedCount += want.count
                let lo = m.rowOffsets[row], hi = m.rowOffsets[row + 1]
                #expect(hi - lo == want.count, "row \(row): \(hi - lo) entries, want \(want.count)")
                guard hi - lo == want.count else { continue }
                for (t, (column, e)) in want.enumerated() {
                    let value = policy == .keepLast ? e.last : (policy == .sum ? e.sum : e.sum / Double(e.count))
                    #expect(Int(m.columnIndices[lo + t]) == column && abs(m.values[lo + t] - value) <= 1e-12 * abs(value)
                            && built.payload?[lo + t] == e.stamp, "row \(row) entry \(t), \(policy)")
                }
            }
            #expect(built.merged == r.count - expectedCount)
            // Handed over with no other reference, the inputs' storage becomes the matrix's: the same result.
            let owned = try CSRMatrix<Double>.fromTriplets(rows: rows, columns: columns, rowIndices: r.map { $0 }, columnIndices: c.map { $0 },
                                                          values: v.map { $0 }, duplicates: policy, payload: stamps.map { $0 }, threads: threads)
            #expect(owned.matrix == m && owned.payload == built.payload && owned.merged == built.merged)
        }
        // The caller's arrays, read by every build above, are as they were.
        #expect(r == inputs.0 && c == inputs.1 && v == inputs.2 && stamps == inputs.3)
    }
}

@Suite struct SplitTests {
    static let data: RatingDataset = {
        var spec = SyntheticRatings(users: 300, items: 200, ratings: 6000, seed: 7)
        spec.rank = 4
        var d = try! spec.generate(threads: 2)
        d.timestamps = (0..<d.ratingCount).map { Int64(($0 * 7919) % 10_007) }
        return d
    }()

    func entries(_ d: RatingDataset) -> [String] { d.entries.map { "\($0.user) \($0.item) \($0.rating) \($0.timestamp ?? -1)" } }

    func checkPartition(_ s: RatingSplit, _ d: RatingDataset) {
        #expect(s.train.userCount == d.userCount && s.test.itemCount == d.itemCount)
        #expect((entries(s.train) + entries(s.test)).sorted() == entries(d).sorted())
        #expect(Set(entries(s.train)).isDisjoint(with: Set(entries(s.test))))
    }

    @Test func splitsPartitionAndAreDeterministic() throws {
        let d = Self.data
        let r = try d.randomHoldout(testFraction: 0.2, seed: 1)
        checkPartition(r, d)
        #expect(r.test.ratingCount == 1200)
        #expect(entries(try d.randomHoldout(testFraction: 0.2, seed: 1).test) == entries(r.test))
        #expect(entries(try d.randomHoldout(testFraction: 0.2, seed: 2).test) != entries(r.test))

        let folds = try d.kFold(5, seed: 3)
        #expect(folds.map { $0.test.ratingCount }.reduce(0, +) == d.ratingCount)
        #expect(folds.flatMap { entries($0.test) }.sorted() == entries(d).sorted())
        checkPartition(folds[2], d)

        let pu = try d.perUserHoldout(testFraction: 0.25, seed: 4)
        checkPartition(pu, d)
        for u in 0..<d.userCount {
            let n = d.ratings.count(ofRow: u)
            #expect(pu.test.ratings.count(ofRow: u) == min(n - 1, Int((Double(n) * 0.25).rounded())))
        }

        let loo = d.leaveLastOut(seed: 5)
        checkPartition(loo, d)
        for u in 0..<d.userCount where d.ratings.count(ofRow: u) >= 2 {
            let test = Array(loo.test.ratings.range(ofRow: u))
            #expect(test.count == 1)
            let latest = d.ratings.range(ofRow: u).map { d.timestamps![$0] }.max()!
            #expect(loo.test.timestamps![test[0]] == latest)
        }

        let t = try d.temporalSplit(testFraction: 0.3)
        checkPartition(t, d)
        #expect(t.train.timestamps!.max()! < t.test.timestamps!.min()!)
        var noTime = d
        noTime.timestamps = nil
        #expect(throws: DataError.self) { try noTime.temporalSplit(cutoff: 5) }
        #expect(throws: DataError.self) { try d.kFold(1, seed: 0) }
        #expect(throws: DataError.self) { try d.randomHoldout(testFraction: 1.5, seed: 0) }
    }

    @Test func negativesAvoidTheUsersItems() throws {
        let d = Self.data
        let negatives = try d.sampleNegatives(count: 99, seed: 9)
        #expect(negatives == (try d.sampleNegatives(count: 99, seed: 9)))
        for u in [0, 17, 299] {
            let own = Set(d.ratings.range(ofRow: u).map { d.ratings.columnIndices[$0] })
            #expect(negatives[u].count == 99 && Set(negatives[u]).count == 99 && own.isDisjoint(with: negatives[u]))
        }
        #expect(throws: DataError.self) { try d.sampleNegatives(count: 199, seed: 1) }
    }

    @Test func kCoreAndTransforms() throws {
        let d = Self.data
        let (core, rounds) = try d.kCore(minimumPerUser: 10, minimumPerItem: 15)
        #expect(rounds >= 1 && core.ratingCount > 0)
        #expect(core.ratings.rowStatistics().counts.allSatisfy { $0 >= 10 })
        #expect(core.ratings.columnStatistics().counts.allSatisfy { $0 >= 15 })
        let pos = d.positives(threshold: 4)
        #expect(pos.ratings.values.allSatisfy { $0 == 1 } && pos.ratingCount == d.ratings.values.filter { $0 >= 4 }.count)
        let (centred, means) = d.centredPerUser()
        #expect(abs(centred.ratings.rowStatistics().sums[3]) < 1e-3 && means.count == d.userCount)
        let scaled = try d.scaled(from: 1...5, to: 0...1)
        #expect(scaled.ratings.values.allSatisfy { (0...1).contains($0) })
    }
}

@Suite struct SyntheticTests {
    @Test func deterministicAcrossThreadCountsWithExactCounts() throws {
        let spec = SyntheticRatings(users: 20_000, items: 3_000, ratings: 400_000, seed: 11)
        let one = try spec.generate(threads: 1)
        let two = try spec.generate(threads: 2)
        #expect(one == two)
        #expect(one.ratingCount == 400_000 && one.userCount == 20_000)
        #expect(one.ratings.values.allSatisfy { $0 >= 1 && $0 <= 5 && $0 == $0.rounded() })
        _ = try CSRMatrix(rows: one.userCount, columns: one.itemCount, rowOffsets: one.ratings.rowOffsets,
                          columnIndices: one.ratings.columnIndices, values: one.ratings.values) // validates structure
        let stats = DatasetStatistics(one)
        #expect(stats.longTailShare < 0.5, "popularity is skewed: the top 20 % of items hold most ratings")
        // The histogram: one count per distinct value (checked against a dictionary), or ten bins
        // past 20 distinct values.
        var byValue: [Float: Int] = [:]
        for v in one.ratings.values { byValue[v, default: 0] += 1 }
        #expect(byValue.count <= 20 && stats.histogram.count == byValue.count)
        for (label, count) in stats.histogram { #expect(byValue[Float(label) ?? .nan] == count, "histogram \(label): \(count)") }
        let many = try RatingDataset.fromTriples(users: (0..<500).map { "u\($0 % 50)" }, items: (0..<500).map { "i\($0)" },
                                                 values: (0..<500).map { Float($0 % 25) / 2 })
        let binned = DatasetStatistics(many).histogram
        #expect(binned.count == 10 && binned.values.reduce(0, +) == 500)
        // Values off the half-point scale (negative, fractional, large) mixed with on-scale ones.
        let odd: [Float] = [0.3, -1, 4.7, 40, 2.5, 0.3, 40, -1, 0.3, 2.5]
        let mixed = try RatingDataset.fromTriples(users: odd.indices.map { "u\($0)" }, items: odd.indices.map { "i\($0)" }, values: odd)
        #expect(DatasetStatistics(mixed).histogram == ["0.3": 3, "-1": 2, "4.7": 1, "40": 2, "2.5": 2])
        let other = try SyntheticRatings(users: 20_000, items: 3_000, ratings: 400_000, seed: 12).generate()
        #expect(other != one)
        var implicit = spec
        implicit.kind = .implicit
        #expect(try implicit.generate().ratings.values.allSatisfy { $0 >= 1 && $0 <= 1000 })
        #expect(throws: DataError.self) { try SyntheticRatings(users: 2, items: 4, ratings: 100).generate() }
    }
}
