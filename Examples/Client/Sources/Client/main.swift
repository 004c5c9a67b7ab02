// The README's API tour, run from a package that depends on RecKit by version: load ratings,
// truncated SVD by Lanczos, implicit ALS (fit, recommend, explain, fold in a new user), biased MF.
//
// Usage: Client [RATINGS]   (a MovieLens-style or CSV ratings file; without it, synthetic ratings
// are written to a temporary CSV and loaded back, so the tour runs without MovieLens)
//
// Every step checks what it computed; a failed check prints `client tour: FAILED: …` and exits 1.
// The last line is `client tour: OK` (scripts/client-check.sh looks for it).
import Foundation
import RecKit

func check(_ condition: Bool, _ what: @autoclosure () -> String) {
    guard condition else {
        print("client tour: FAILED: \(what())")
        exit(1)
    }
}

// Dense linear algebra on both back ends.
let a = Matrix<Float>.random(rows: 1000, columns: 64, seed: 1)
let gram = try LinearAlgebra.gram(a, transposeA: true)
let b = Matrix<Float>.random(rows: 64, columns: 1, seed: 2)
let ridge = try LinearAlgebra.solvePositiveDefinite(gram + .identity(64) * 0.1, b)
let back = try LinearAlgebra.multiply(gram + .identity(64) * 0.1, ridge)
let solveError = (0..<64).map { abs(back[$0, 0] - b[$0, 0]) }.max()!
print("ridge solve: max |(AᵀA + 0.1 I)x − b| = \(solveError)")
check(solveError < 1e-3, "ridge solve residual \(solveError) ≥ 1e-3")
let swift1 = ExecutionContext(backend: .swift, threads: 1)
let viaSwift = try LinearAlgebra.multiply(a, a, transposeA: true, context: swift1)
let gramDifference = (0..<64).flatMap { i in (0..<64).map { j in abs(viaSwift[i, j] - gram[i, j]) / max(abs(gram[i, j]), 1) } }.max()!
print("AᵀA: pure Swift against \(ExecutionContext.current.backend), largest relative difference \(gramDifference); OpenBLAS kernel \(BLASKernel.current)")
check(gramDifference < 1e-4, "the back ends disagree on AᵀA by \(gramDifference)")

// Load ratings.
let path: String
if CommandLine.arguments.count > 1 {
    path = CommandLine.arguments[1]
} else {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-client-\(getpid()).csv").path
    try SyntheticRatings(users: 943, items: 1682, ratings: 100_000, seed: 7).generate(threads: 2).writeCSV(to: path)
}
let ml = try RatingDataset.load(path: path)
if CommandLine.arguments.count == 1 { try? FileManager.default.removeItem(atPath: path) }
print("loaded \(path): \(ml.userCount) users × \(ml.itemCount) items, \(ml.ratings.nonZeroCount) ratings")
check(ml.userCount > 100 && ml.itemCount > 100 && ml.ratings.nonZeroCount > 10_000, "too few ratings loaded")

// Truncated SVD by Lanczos, in Double.
let op = SparseOperator(ml.ratings.converted(to: Double.self))
let top = try SingularValues.lanczos(op, rank: 16)
let sigma = top.singularValues
print("Lanczos, rank 16: σ₁ = \(sigma[0]), σ₁₆ = \(sigma[15]), max relative residual \(top.maxRelativeResidual), converged \(top.converged)")
check(top.converged && top.maxRelativeResidual < 1e-8, "Lanczos did not converge to 1e-8")
check(zip(sigma, sigma.dropFirst()).allSatisfy { $0 >= $1 } && sigma[15] > 0, "singular values not positive and descending")

// Implicit-feedback ALS: fit, recommend, explain, fold in a new user.
var als = ALSRecommender { $0.factors = 32; $0.iterations = 10; $0.implicit = true }
var losses: [Double] = []
try als.fit(ml, context: .current) { losses.append($0.loss!) }
print("implicit ALS, 32 factors: loss \(losses.first!) after iteration 1, \(losses.last!) after \(losses.count)")
check(losses.count == 10 && losses.last! < losses.first!, "ALS loss did not decrease over 10 iterations")
let top10 = try als.recommend(user: 0, count: 10)
let seen = Set(ml.ratings.columnIndices[ml.ratings.range(ofRow: 0)].map(Int.init))
print("user \(ml.userIDs.externalID(0)): top 10 items \(top10.map { ml.itemIDs.externalID($0.item) })")
check(top10.count == 10 && top10.allSatisfy { !seen.contains($0.item) }, "recommendations must be 10 items the user has not seen")
check(zip(top10, top10.dropFirst()).allSatisfy { $0.score >= $1.score }, "recommendations not in descending score order")
let why = try als.explain(user: 0, item: top10[0].item, count: 3)
check(why.contributions.count == 3, "explain returned \(why.contributions.count) contributions, not 3")
let history: [Int32] = [0, 49, 171]
let newcomer = try als.recommend(try als.foldIn(items: history, ratings: [5, 4, 5]), count: 10)
print("a new user who liked items \(history.map { ml.itemIDs.externalID(Int($0)) }): \(newcomer.map { ml.itemIDs.externalID($0.item) })")
check(newcomer.count == 10 && !newcomer.contains { history.contains(Int32($0.item)) }, "fold-in must recommend 10 items outside the history")

// Biased MF by parallel SGD, rating prediction.
let split = try ml.kFold(5, seed: 1)[0]
var mf = BiasedMF()
try mf.fit(split.train, context: .current, progress: nil)
let rating = mf.predict(user: 0, item: 49)
print("biased MF predicts user 0 rates item 49 as \(rating)")
check(rating.isFinite && rating >= 0 && rating <= 6, "biased MF prediction \(rating) outside the rating scale")

print("client tour: OK")
