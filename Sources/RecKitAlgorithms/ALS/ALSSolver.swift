/// How each user's (item's) `f × f` least-squares system is solved.
public enum ALSSolver: Sendable, Equatable {
    /// Form the normal equations and solve them exactly (batched Cholesky).
    case cholesky
    /// Implicit feedback only: a few conjugate-gradient steps warm-started from the previous
    /// factors, with `YᵀY` formed once per sweep and corrections only over the user's entries
    /// (Takács, Pilászy & Tikk 2011; the solver of benfred/implicit).
    case conjugateGradient(steps: Int)
}
