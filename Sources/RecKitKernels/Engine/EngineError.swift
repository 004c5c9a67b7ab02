/// Errors from the engine's settings: back ends, thread counts and the OpenBLAS kernel.
public enum EngineError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A back-end name that is neither `blas` nor `swift`.
    case unknownBackend(String)
    /// A thread count below 1.
    case invalidThreadCount(Int)
    /// An OpenBLAS kernel name RecKit does not know; `known` lists those it does.
    case unknownKernel(name: String, known: [String])
    /// A kernel whose instructions this CPU or OS cannot execute; `supported` lists those it can.
    case kernelNotSupported(name: String, supported: [String])
    /// This OpenBLAS was built for one CPU (not `DYNAMIC_ARCH`): its kernel cannot be changed.
    case kernelSwitchUnavailable
    /// OpenBLAS was asked for `name` but reports `current`.
    case kernelSwitchFailed(name: String, current: String)
    /// A pure-Swift kernel tier name RecKit does not know (see ``SwiftKernelTier``).
    case unknownSwiftKernelTier(name: String, known: [String])
    /// A pure-Swift kernel tier whose instructions this CPU or OS cannot execute.
    case swiftKernelTierNotSupported(name: String, supported: [String])

    public var description: String {
        switch self {
        case let .unknownBackend(name): return "unknown back end '\(name)'; use 'blas' or 'swift'"
        case let .invalidThreadCount(n): return "threads must be at least 1, got \(n)"
        case let .unknownKernel(name, known): return "unknown OpenBLAS kernel '\(name)'; known: \(known.joined(separator: ", "))"
        case let .kernelNotSupported(name, supported):
            return "OpenBLAS kernel '\(name)' refused: this CPU or OS does not support its instructions (supported here: \(supported.joined(separator: ", ")))"
        case .kernelSwitchUnavailable: return "this OpenBLAS is not a DYNAMIC_ARCH build; its kernel cannot be changed"
        case let .kernelSwitchFailed(name, current): return "OpenBLAS did not switch to '\(name)'; it is using \(current)"
        case let .unknownSwiftKernelTier(name, known):
            return "unknown pure-Swift kernel tier '\(name)'; known: \(known.joined(separator: ", "))"
        case let .swiftKernelTierNotSupported(name, supported):
            return "pure-Swift kernel tier '\(name)' refused: this CPU or OS does not support its instructions (supported here: \(supported.joined(separator: ", ")))"
        }
    }
}
