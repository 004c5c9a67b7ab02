/// Which implementation runs the numerical kernels.
public enum Backend: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// OpenBLAS and LAPACKE through the C shim.
    case blas
    /// RecKit's own cache-blocked, SIMD, multi-threaded Swift kernels.
    case swift

    public var description: String { rawValue }

    /// Parses `"blas"`/`"openblas"` or `"swift"`.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "blas", "openblas": self = .blas
        case "swift", "pure-swift", "pureswift": self = .swift
        default: throw EngineError.unknownBackend(text)
        }
    }
}

