extension VectorKernels {
    /// Classical Gram–Schmidt against a basis in one pass over it:
    ///
    /// ```
    /// x ← x − Σᵢ (vᵢ·x)·vᵢ     for the rows vᵢ (i < count) of `basis`, each `n` long
    /// ```
    ///
    /// with every `vᵢ·x` taken against the `x` given (classical, not modified, Gram–Schmidt). Two
    /// matrix-vector products (`h = V·x`, then `x −= Vᵀ·h`) read the basis twice; here each row's
    /// dot and its contribution to the correction are formed while the row is in cache, so the
    /// basis — Lanczos keeps up to ~130 vectors of 20 000 Doubles, 20 MB — is read once.
    ///
    /// Contract: `basis` is row-major, `count × n`; `x` has `n` entries. The rows are split into at
    /// most 4 parts by count alone; each part sums its correction privately and the parts are
    /// subtracted in order, so the result does not depend on `threads`. Rounding differs from the
    /// two-product form only in the order of the sums.
    package static func subtractProjections<T: Scalar>(_ x: UnsafeMutablePointer<T>, basis: UnsafePointer<T>, count: Int, length n: Int,
                                                       threads: Int) {
        guard count > 0, n > 0 else { return }
        let parts = Swift.min(4, count)
        let corrections = UnsafeMutablePointer<T>.allocate(capacity: parts * n)
        corrections.initialize(repeating: 0, count: parts * n)
        defer { corrections.deallocate() }
        let original = UnsafePointer(x)
        Parallel.forEachPart(parts, threads: threads) { part in
            let u = corrections + part * n
            for i in Parallel.chunk(part, of: parts, count: count) {
                let v = basis + i * n
                axpy(dot(v, original, n), v, u, n)
            }
        }
        for part in 0..<parts { axpy(-1, corrections + part * n, x, n) }
    }
}
