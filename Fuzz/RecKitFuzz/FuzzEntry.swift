import Foundation
import RecKitFuzzTargets

/// libFuzzer's entry point. The target is chosen by `RECKIT_FUZZ_TARGET` (one binary holds them
/// all; `scripts/fuzz.sh` runs each in turn). A target feeds the bytes to one reader of untrusted
/// input exactly as RecKit reads it; a thrown error is the expected answer to bad input, while a
/// trap, an AddressSanitizer report, a hang or a broken invariant of what was read is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func reckitFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

/// The executable's entry point (SwiftPM links an executable target's `main` under this name):
/// hands control to libFuzzer's driver, which parses the libFuzzer flags and runs the loop.
@_cdecl("RecKitFuzz_main")
public func reckitFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, reckitFuzzOne)
}

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target `RECKIT_FUZZ_TARGET` names.
let selectedTarget: FuzzTargets.Target = {
    let name = ProcessInfo.processInfo.environment["RECKIT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("RECKIT_FUZZ_TARGET must be one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()
