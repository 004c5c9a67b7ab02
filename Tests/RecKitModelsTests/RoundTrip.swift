import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Save/load checks every model's tests share.
enum RoundTrip {
    /// Saves `model`, loads it through the registry and expects the same model name, the same predictions
    /// at `pairs` and the same top-10 for user 4.
    static func expectSameModel(_ model: any Recommender, name: String, pairs: [(Int, Int)], tolerance: Float = 0) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-\(name)-\(UUID()).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try ModelRegistry.load(from: path)
        #expect(type(of: loaded).name == name)
        for (u, i) in pairs { #expect(abs(loaded.predict(user: u, item: i) - model.predict(user: u, item: i)) <= tolerance, "\(name) at (\(u), \(i))") }
        if tolerance == 0 { #expect(try loaded.recommend(user: 4, count: 10) == model.recommend(user: 4, count: 10)) }
    }
}
