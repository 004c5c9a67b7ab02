import Foundation
import Testing
import RecKitFuzzTargets

/// Every committed fuzz input (Fuzz/corpus/TARGET: the seeds and each crash fuzzing found, kept
/// once fixed) replayed through its target, as the libFuzzer binary runs it. A reader that traps,
/// or returns something that breaks an invariant, stops the suite; bad input must end in an error.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus").standardized.path

    @Test func everyTargetHasACorpus() {
        for target in FuzzTargets.all {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.corpus)/\(target.name)")) ?? []
            #expect(!files.isEmpty, "Fuzz/corpus/\(target.name) is empty")
        }
    }

    @Test func theCorpusReplaysWithoutAFinding() throws {
        var replayed = 0
        for target in FuzzTargets.all {
            let folder = "\(Self.corpus)/\(target.name)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")))
                target.run(bytes)
                replayed += 1
            }
        }
        #expect(replayed >= FuzzTargets.all.count)
    }
}
