import Testing
import RecKitData
import RecKitLinearAlgebra

/// The README's data tour (it needs MovieLens 100K; skipped with a message without it).
@Test(.enabled(if: MovieLens.directory != nil, Comment(rawValue: MovieLens.skipMessage)))
func readmeDataTour() throws {
    let ml = try RatingDataset.load(path: MovieLens.directory! + "/u.data")
    let split = try ml.kFold(5, seed: 1)[0]
    let itemFactors = try ml.ratings.multiplyTransposed(Matrix<Float>.random(rows: 943, columns: 16, seed: 3))
    let path = temporaryPath("V.npy")
    try NumPy.write(itemFactors, to: path)
    #expect(split.test.ratingCount == 20_000 && itemFactors.rows == 1682)
    #expect(try NumPy.readMatrix(path: path, as: Float.self) == itemFactors)
}
