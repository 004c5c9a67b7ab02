import Foundation
import Synchronization
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Typed configurations: one home for each default, field-level validation, archives that keep
/// every field, and the spellings of RecKit 0.1 still read.
@Suite struct ConfigurationTests {
    /// Every model type built in code with its defaults (`ALSRecommender()`), by registered name.
    static let builtInCode: [(String, any Recommender)] = [
        ("global-mean", GlobalMean()), ("baseline", BiasBaseline()), ("pure-svd", PureSVD()), ("svd-residual", SVDResidual()),
        ("als", ALSRecommender()), ("biased-mf", BiasedMF()), ("svd++", SVDPlusPlusRecommender()), ("bpmf", BPMFRecommender()),
        ("bpr", BPRRecommender()),
        ("ease", EASERecommender()), ("item-knn", ItemKNN()), ("gmf", GMFRecommender()), ("mlp", MLPRecommender()),
        ("neumf", NeuMFRecommender()), ("two-tower", TwoTowerRecommender()), ("gru4rec", GRU4RecRecommender()),
        ("sasrec", SASRecRecommender()), ("autorec", AutoRecRecommender()), ("popularity", Popularity()),
    ]

    /// The model made in code, the model the registry makes (what `reckit train NAME` fits) and the
    /// registry's description of each field agree on every default.
    @Test func defaultsAgreeInCodeInTheRegistryAndInTheDescriptions() throws {
        #expect(Self.builtInCode.map(\.0) == ModelRegistry.names, "a registered model is missing from this table")
        for (name, inCode) in Self.builtInCode {
            let spec = try ModelRegistry.spec(named: name)
            let registry = try spec.makeModel().configurationValues
            #expect(inCode.configurationValues == registry, "\(name): \(inCode.configurationValues) in code, \(registry) from the registry")
            #expect(Set(registry.keys) == Set(spec.fields.map(\.name)))
            for field in spec.fields { #expect(field.defaultValue == registry[field.name], "\(name) --\(field.name)") }
            #expect(type(of: inCode).name == name)
        }
        // The value the 0.1 code base gave three different defaults.
        #expect(ALSRecommender().configuration.alpha == (try ModelRegistry.spec(named: "als").configuration()["alpha"]?.number))
    }

    /// A saved configuration comes back field for field, every field of every model set to a value
    /// other than its default; a file missing any field is refused, naming it, rather than filled in —
    /// except a field added later that declares the value older files had (``FieldDescription/whenAbsent``).
    @Test(arguments: ModelRegistry.names)
    func archivesKeepEveryFieldAndRefuseMissingOnes(name: String) throws {
        let spec = try ModelRegistry.spec(named: name)
        let values = try Self.nonDefaultConfiguration(spec)
        for field in spec.fields { #expect(values[field.name] != field.defaultValue, "\(name) --\(field.name) kept its default") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-configuration-\(UUID()).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelArchive(model: name, configurationValues: values).write(to: path)
        #expect(try spec.configuration(in: try ModelArchive.read(from: path)) == values)
        for field in spec.fields {
            var missing = values
            missing[field.name] = nil
            if let older = field.whenAbsent {
                var expected = missing
                expected[field.name] = older
                #expect(try spec.configuration(in: ModelArchive(model: name, configurationValues: missing)) == expected)
                continue
            }
            #expect(performing: { _ = try spec.configuration(in: ModelArchive(model: name, configurationValues: missing)) }, throws: { error in
                guard case let ModelError.invalidArchive(_, reason) = error else { return false }
                return reason.contains("'\(field.name)'")
            })
        }
    }

    /// Every field at a valid value other than its default: a few candidates per field, the next one
    /// tried when the field contradicts another (SASRec's heads must divide its factors).
    static func nonDefaultConfiguration(_ spec: ModelSpec) throws -> [String: FieldValue] {
        var candidates: [String: [String]] = [:]
        for f in spec.fields {
            switch (f.kind, f.defaultValue) {
            case let (.integer(r, _), .integer(n)), let (.optionalInteger(r, _), .integer(n)):
                candidates[f.name] = (1...6).flatMap { [n + $0, n - $0] }.filter(r.contains).map { "\($0)" }
            case let (.optionalInteger(r, _), .none): candidates[f.name] = ["\(r.lowerBound)", "\(r.lowerBound + 1)"]
            case let (.real(r, _), .real(x)): candidates[f.name] = [x * 2 + 0.5, (x + r.lowerBound) / 2, x / 3].filter { r.contains($0) && $0 != x }.map { "\($0)" }
            case let (.flag, .flag(b)): candidates[f.name] = ["\(!b)"]
            case let (.choice(options), .choice(c)): candidates[f.name] = options.filter { $0 != c }
            case let (.seed, .seed(s)): candidates[f.name] = ["\(s + 12_345)"]
            default: Issue.record("\(spec.name) --\(f.name): default \(f.defaultValue) of kind \(f.kind)")
            }
        }
        var next = [String: Int]()
        for _ in 0..<100 {
            let settings = spec.fields.compactMap { f -> (name: String, value: String)? in
                guard let values = candidates[f.name], !values.isEmpty else { return nil }
                return (f.name, values[next[f.name, default: 0]])
            }
            do {
                return try spec.configuration(settings: settings)
            } catch let ModelError.invalidConfiguration(_, field, _, _) {
                next[field, default: 0] += 1
                guard next[field]! < candidates[field, default: []].count else { break }
            }
        }
        throw ModelError.invalidConfiguration(model: spec.name, field: "*", value: "", requirement: "a valid combination of non-default values")
    }

    @Test func valuesAreCheckedByKindAndRange() throws {
        let als = try ModelRegistry.spec(named: "als")
        #expect(throws: ModelError.invalidConfiguration(model: "als", field: "factors", value: "0", requirement: "an integer in 1…100000")) {
            _ = try als.configuration(["factors": "0"])
        }
        #expect(throws: ModelError.invalidConfiguration(model: "als", field: "solver", value: "cg",
                                                        requirement: "cholesky or automatic for explicit ratings (cg is for --implicit feedback)")) {
            _ = try als.configuration(["solver": "cg"])
        }
        #expect(try als.configuration(["solver": "cg", "implicit": "true"])["solver"] == .choice("cg"))
        // The API validates the same way when fitting.
        var model = ALSRecommender { $0.alpha = -1 }
        #expect(throws: ModelError.invalidConfiguration(model: "als", field: "alpha", value: "-1.0", requirement: "a finite number in 1e-12…1e12")) {
            try model.fit(try SyntheticRatings(users: 20, items: 10, ratings: 100, seed: 1).generate(threads: 1), context: .current, progress: nil)
        }
    }

    /// RecKit 0.1's spellings: aliases of renamed fields and the number codes of choices, with a warning.
    @Test func oldSpellingsAreReadWithAWarning() throws {
        let warnings = Mutex<[String]>([])
        ConfigurationWarnings.install { message in warnings.withLock { $0.append(message) } }
        defer { ConfigurationWarnings.install(nil) }
        let als = try ModelRegistry.spec(named: "als")
        #expect(try als.configuration(["dtype": "double"])["precision"] == .choice("double"))
        #expect(try als.configuration(["double": "1"])["precision"] == .choice("double"))
        #expect(try als.configuration(["solver": "1"])["solver"] == .choice("cholesky"))
        #expect(try ModelRegistry.spec(named: "item-knn").configuration(["similarity": "4"])["similarity"] == .choice("cosine-whole-column"))
        // --double 1 is both an old name and a number code: two warnings.
        #expect(warnings.withLock { $0 }.count == 5, "\(warnings.withLock { $0 })")
        #expect(warnings.withLock { $0 }.allSatisfy { $0.contains("deprecated") })
    }

    /// A field added later (autorec's `optimizer`) reads, in a configuration saved before it existed,
    /// as the behaviour that configuration was trained with; a missing field without such a value is
    /// still refused.
    @Test func configurationsSavedBeforeAFieldExistedStillLoad() throws {
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(AutoRecConfiguration())) as! [String: Any]
        saved["optimizer"] = nil
        let old = try JSONDecoder().decode(AutoRecConfiguration.self, from: JSONSerialization.data(withJSONObject: saved))
        #expect(old.optimizer == .adam)
        #expect(AutoRecConfiguration().optimizer == .lbfgs)
        saved["hidden"] = nil
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AutoRecConfiguration.self, from: JSONSerialization.data(withJSONObject: saved)) }
    }
}
