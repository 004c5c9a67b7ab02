import RecKitLinearAlgebra

/// A model fitted by ``SVDPlusPlus``: ``SGDFactors`` whose user vectors are the combined
/// `p_u + |N(u)|^{-1/2} Σ_{j∈N(u)} y_j` (what scores use; its fields read through, e.g. `fit.users`),
/// plus the explicit part and the implicit item factors.
@dynamicMemberLookup
public struct SVDPlusPlusFactors: Sendable {
    public var factors: SGDFactors
    /// `users × f`: the explicit part `p_u` alone.
    public var explicitUsers: Matrix<Float>
    /// `items × f`: `y_j`, what rating item `j` at all says about a user.
    public var implicitItems: Matrix<Float>

    public subscript<V>(dynamicMember path: KeyPath<SGDFactors, V>) -> V { factors[keyPath: path] }
}
