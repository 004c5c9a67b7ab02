/// How a kernel failed: what LAPACK (or the pure-Swift counterpart) reported. The linear-algebra
/// layer turns it into its public error, `LinearAlgebraError`.
package enum KernelError: Error, Sendable, Equatable {
    /// A factorisation returned `info ≠ 0`; `hint` says what to check.
    case factorizationFailed(operation: String, info: Int, hint: String)
    /// An iterative method did not converge within its iteration limit.
    case noConvergence(operation: String, iterations: Int)
}
