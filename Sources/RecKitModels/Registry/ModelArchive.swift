import Foundation
import RecKitData
import RecKitLinearAlgebra

/// A saved model: its name, format version, configuration as fitted, named arrays and the training
/// data's structure and ids, in one checksummed file written atomically.
///
/// Layout: magic `RECKITMD`, archive version (UInt32), the length and bytes of a JSON header
/// (model name, model version, the configuration — every field of the model's
/// ``ModelConfiguration`` —, array names and lengths), the arrays' raw little-endian bytes in header
/// order, the training dataset as a RecKit dataset cache, and a 64-bit checksum of everything
/// before it. A file that is truncated, corrupted, of another archive version, or for another model
/// is refused with a message. Version 1 (RecKit 0.1) stored hyperparameters as numbers with codes;
/// it is refused with the advice to retrain.
public struct ModelArchive: Sendable {
    public static let version: UInt32 = 2
    static let magic = Array("RECKITMD".utf8)

    public var model: String
    /// The model's own parameter-layout version.
    public var modelVersion: Int
    /// The configuration as fitted: every field by name.
    public var configuration: [String: FieldValue]
    public var floats: [String: [Float]] = [:]
    public var doubles: [String: [Double]] = [:]
    /// Named string lists (vocabularies of side information), kept in the header.
    public var strings: [String: [String]] = [:]
    public var training: RatingDataset?

    /// An archive of model `model` with its configuration; arrays and training data are added by the model.
    public init<Configuration: ModelConfiguration>(model: String, modelVersion: Int = 1, configuration: Configuration) {
        self.model = model
        self.modelVersion = modelVersion
        self.configuration = configuration.values
    }

    /// An archive of model `model` with a configuration given field by field (as ``ModelSpec/configuration(settings:)`` returns it).
    public init(model: String, modelVersion: Int = 1, configurationValues values: [String: FieldValue]) {
        self.model = model
        self.modelVersion = modelVersion
        self.configuration = values
    }

    /// The stored configuration as `type`, every field present and in range.
    /// - Throws: ``ModelError/invalidArchive(file:reason:)`` naming the missing or bad field.
    public func configuration<Configuration: ModelConfiguration>(_ type: Configuration.Type) throws -> Configuration {
        let decoded: Configuration
        do {
            decoded = try JSONDecoder().decode(Configuration.self, from: try JSONEncoder().encode(configuration))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ModelError.invalidArchive(file: model + " model", reason: "the saved configuration has no '\(key.stringValue)'; retrain and save the model")
        } catch let DecodingError.dataCorrupted(context) {
            throw ModelError.invalidArchive(file: model + " model", reason: "the saved configuration is invalid: \(context.debugDescription)")
        } catch {
            throw ModelError.invalidArchive(file: model + " model", reason: "the saved configuration is invalid: \(error)")
        }
        do { try decoded.validate(model: model) } catch let error as ModelError {
            throw ModelError.invalidArchive(file: model + " model", reason: "the saved configuration is invalid: \(error)")
        }
        return decoded
    }

    struct Header: Codable {
        var model: String
        var modelVersion: Int
        var configuration: [String: FieldValue]
        var floatArrays: [String: Int]
        var doubleArrays: [String: Int]
        var hasTraining: Bool
        /// Absent in files of models without string lists (and in files written before it existed).
        var strings: [String: [String]]?
    }

    /// Writes the archive (atomically).
    public func write(to path: String) throws {
        let floatNames = floats.keys.sorted(), doubleNames = doubles.keys.sorted()
        let header = Header(model: model, modelVersion: modelVersion, configuration: configuration,
                            floatArrays: Dictionary(uniqueKeysWithValues: floatNames.map { ($0, floats[$0]!.count) }),
                            doubleArrays: Dictionary(uniqueKeysWithValues: doubleNames.map { ($0, doubles[$0]!.count) }),
                            hasTraining: training != nil, strings: strings.isEmpty ? nil : strings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(header)
        let trainingBytes = training?.cacheBytes() ?? []
        var out: [UInt8] = Self.magic
        withUnsafeBytes(of: Self.version) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(json.count)) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for name in floatNames { floats[name]!.withUnsafeBytes { out.append(contentsOf: $0) } }
        for name in doubleNames { doubles[name]!.withUnsafeBytes { out.append(contentsOf: $0) } }
        withUnsafeBytes(of: UInt64(trainingBytes.count)) { out.append(contentsOf: $0) }
        out.append(contentsOf: trainingBytes)
        let sum = out.withUnsafeBytes { checksum64($0) }
        withUnsafeBytes(of: sum) { out.append(contentsOf: $0) }
        do {
            try AtomicOutput.write(out, to: path)
        } catch {
            throw ModelError.invalidArchive(file: path, reason: "cannot write the model: \(error)")
        }
    }

    /// Reads an archive written by ``write(to:)``.
    public static func read(from path: String) throws -> ModelArchive {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.invalidArchive(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        let bytes = [UInt8](data)
        func bad(_ why: String) -> ModelError { .invalidArchive(file: name, reason: why) }
        guard bytes.count >= 8 + 4 + 8 + 8 + 8, Array(bytes[0..<8]) == magic else { throw bad("not a RecKit model file") }
        let stored = bytes[(bytes.count - 8)...].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let body = bytes[0..<(bytes.count - 8)]
        let version = bytes[8..<12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        guard version == Self.version else {
            throw bad("model archive version \(version); this RecKit reads version \(Self.version)"
                      + (version < Self.version ? " (version \(version) was written by an earlier RecKit). Retrain the model and save it again" : ""))
        }
        guard body.withUnsafeBytes({ checksum64($0) }) == stored else { throw bad("checksum mismatch: the file is truncated or corrupted") }
        var offset = 12
        // Lengths and counts are read from the file: each is checked against the bytes left before
        // it is used, so a crafted file with a valid checksum is an error, not a trap.
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, n <= body.count - offset else { throw bad("truncated or forged: \(n) bytes wanted at byte \(offset) of \(body.count)") }
            defer { offset += n }
            return body[offset..<offset + n]
        }
        func length() throws -> Int {
            let v = try take(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            guard v <= UInt64(body.count) else { throw bad("a length of \(v) bytes at byte \(offset - 8), in a file of \(body.count)") }
            return Int(v)
        }
        func values(_ count: Int, _ width: Int, _ key: String) throws -> ArraySlice<UInt8> {
            let (n, overflow) = count.multipliedReportingOverflow(by: width)
            guard count >= 0, !overflow else { throw bad("array '\(key)' declares \(count) values") }
            return try take(n)
        }
        let jsonLength = try length()
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(try take(jsonLength))) } catch let error as ModelError { throw error } catch {
            throw bad("the header is not valid: \(error)")
        }
        var a = ModelArchive(model: header.model, modelVersion: header.modelVersion, configurationValues: header.configuration)
        a.strings = header.strings ?? [:]
        for key in header.floatArrays.keys.sorted() {
            let raw = try values(header.floatArrays[key]!, 4, key)
            let v = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            if let k = v.firstIndex(where: { !$0.isFinite }) { throw bad("array '\(key)' holds \(v[k]) at index \(k); a model's parameters are finite") }
            a.floats[key] = v
        }
        for key in header.doubleArrays.keys.sorted() {
            let raw = try values(header.doubleArrays[key]!, 8, key)
            let v = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            if let k = v.firstIndex(where: { !$0.isFinite }) { throw bad("array '\(key)' holds \(v[k]) at index \(k); a model's parameters are finite") }
            a.doubles[key] = v
        }
        let trainingLength = try length()
        if header.hasTraining {
            let raw = try take(trainingLength)
            a.training = try raw.withUnsafeBytes { try RatingDataset.decodeCache($0, name: "\(name) (training data)") }
        }
        return a
    }

    /// A float array the model needs, with its expected length.
    public func floats(_ key: String, count: Int) throws -> [Float] {
        guard let v = floats[key] else { throw ModelError.invalidArchive(file: model + " model", reason: "no '\(key)' array") }
        guard v.count == count else { throw ModelError.invalidArchive(file: model + " model", reason: "'\(key)' has \(v.count) values, expected \(count)") }
        return v
    }

    /// A double array the model needs, with its expected length.
    public func doubles(_ key: String, count: Int) throws -> [Double] {
        guard let v = doubles[key] else { throw ModelError.invalidArchive(file: model + " model", reason: "no '\(key)' array") }
        guard v.count == count else { throw ModelError.invalidArchive(file: model + " model", reason: "'\(key)' has \(v.count) values, expected \(count)") }
        return v
    }

    /// A range stored as two floats `[lower, upper]` (a rating scale): finite, lower ≤ upper.
    public func range(_ key: String) throws -> ClosedRange<Float> {
        let v = try floats(key, count: 2)
        guard v[0].isFinite, v[1].isFinite, v[0] <= v[1] else {
            throw ModelError.invalidArchive(file: model + " model", reason: "'\(key)' is not a range: \(v[0]) … \(v[1])")
        }
        return v[0]...v[1]
    }

    /// The training data, which every saved model holds.
    public func requireTraining() throws -> RatingDataset {
        guard let training else { throw ModelError.invalidArchive(file: model + " model", reason: "the file has no training data") }
        return training
    }

    /// Checks the archive is for `model` at a version the caller reads.
    public func expect(model expected: String, version: Int) throws {
        guard model == expected else { throw ModelError.invalidArchive(file: model + " model", reason: "the file holds a '\(model)' model, not '\(expected)'") }
        guard modelVersion == version else {
            throw ModelError.invalidArchive(file: model + " model", reason: "parameters version \(modelVersion); this RecKit reads \(version)")
        }
    }
}
