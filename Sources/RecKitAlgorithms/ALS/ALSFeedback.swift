/// What the entries of the rating matrix mean to ALS.
public enum ALSFeedback: Sendable, Equatable {
    /// Observed ratings to reconstruct: `min Σ_{(u,i) observed} (r_ui − x_uᵀy_i)² + λ(Σ n_u‖x_u‖² + Σ n_i‖y_i‖²)`
    /// (weighted-λ regularisation, Zhou et al. 2008; `n_u`, `n_i` are the entry counts).
    case explicit
    /// Implicit feedback (Hu, Koren & Volinsky 2008): preference `p_ui = 1{r_ui > 0}`, confidence
    /// `c_ui = 1 + α·r_ui`, over **all** user–item pairs:
    /// `min Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(‖X‖² + ‖Y‖²)`.
    case implicit(alpha: Double)
}
