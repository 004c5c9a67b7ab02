import RecKitLinearAlgebra

/// Sparse × dense products, multi-threaded on both back ends (the kernel layer's `SparseKernels`
/// splits the work; each back end runs its own row loops). Results are deterministic for a given
/// thread count.
extension CSRMatrix {
    /// `y = A·x` (A: rows × columns, x: columns).
    public func multiply(vector x: [Value], context: ExecutionContext = .current) throws -> [Value] {
        guard x.count == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply(vector:)", details: "A is \(shapeDescription), x has \(x.count) elements")
        }
        return try multiply(try Matrix(rows: columns, columns: 1, elements: x), context: context).storage
    }

    /// `y = Aᵀ·x` (x: rows).
    public func multiplyTransposed(vector x: [Value], context: ExecutionContext = .current) throws -> [Value] {
        guard x.count == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed(vector:)", details: "A is \(shapeDescription), x has \(x.count) elements")
        }
        let b = try Matrix(rows: rows, columns: 1, elements: x)
        return try multiplyTransposed(b, context: context).storage
    }

    /// `C = A·B` for a dense row-major `B` (columns × k): each row of C is a sum of scaled rows of B.
    /// - Complexity: `2·nnz·k` flops.
    public func multiply(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        var c = Matrix<Value>(rows: 0, columns: 0)
        try multiply(b, into: &c, context: context)
        return c
    }

    /// `C = A·B` into an existing matrix, reusing its storage when it is already `rows × k` (so a
    /// loop of products does not allocate — and page-fault — a new result every time).
    public func multiply(_ b: some MatrixRepresentable<Value>, into c: inout Matrix<Value>, context: ExecutionContext = .current) throws {
        let bv = b.matrixView
        guard bv.rows == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(columns) rows")
        }
        product(bv.materialized(), transposed: false, into: &c, context: context)
    }

    /// `C = Aᵀ·B` for a dense row-major `B` (rows × k), without forming Aᵀ.
    /// - Complexity: `2·nnz·k` flops, plus `threads·columns·k` additions for the reduction.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        var c = Matrix<Value>(rows: 0, columns: 0)
        try multiplyTransposed(b, into: &c, context: context)
        return c
    }

    /// `C = Aᵀ·B` into an existing matrix, reusing its storage when it is already `columns × k`.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, into c: inout Matrix<Value>, context: ExecutionContext = .current) throws {
        let bv = b.matrixView
        guard bv.rows == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(rows) rows")
        }
        product(bv.materialized(), transposed: true, into: &c, context: context)
    }
}

extension CSRMatrix {
    /// The values as Float when every one converts exactly (integer ratings, halves, …), else nil:
    /// products can then stream the narrower copy with no change to any result.
    /// Runs on raw Double memory: this extension is generic and not specialised, and converting
    /// through `Value`'s witnesses cost ~50 ns an entry (0.1 s for 2 M ratings, inside the first
    /// Lanczos solve of an operator).
    public var exactFloatValues: [Float]? {
        values.withUnsafeBufferPointer { buffer in
            if Value.self == Float.self { return Array(UnsafeRawBufferPointer(buffer).bindMemory(to: Float.self)) }
            precondition(Value.self == Double.self, "CSRMatrix values are Float or Double")
            return Self.exactFloats(UnsafeRawBufferPointer(buffer).bindMemory(to: Double.self))
        }
    }

    private static func exactFloats(_ wide: UnsafeBufferPointer<Double>) -> [Float]? {
        var exact = true
        let narrow = [Float](unsafeUninitializedCapacity: wide.count) { out, count in
            for i in 0..<wide.count {
                let f = Float(wide[i])
                out[i] = f
                if Double(f) != wide[i] { exact = false; break }
            }
            count = exact ? wide.count : 0
        }
        return exact ? narrow : nil
    }
}

extension CSRMatrix where Value == Double {
    /// `y = A·x` for one vector `x` (columns × 1) into `y` (rows × 1), streaming `narrowValues` —
    /// this matrix's values as Float, from ``exactFloatValues`` — with every product and sum in
    /// Double. The result equals ``multiply(_:into:context:)``'s.
    public func multiply(vector x: Matrix<Double>, narrowValues: [Float], into y: inout Matrix<Double>,
                         context: ExecutionContext = .current) throws {
        guard x.rows == columns, x.columns == 1, narrowValues.count == values.count else {
            throw DataError.shapeMismatch(operation: "sparse multiply(vector:narrowValues:)",
                                          details: "A is \(shapeDescription) with \(values.count) entries, x is \(x.shapeDescription), \(narrowValues.count) narrow values")
        }
        var storage = y.rows == rows && y.columns == 1 ? y.storage : []
        y = Matrix(rows: 0, columns: 0)  // drop the old reference so the storage is not copied on write
        SparseKernels.product(rows: rows, offsets: rowOffsets, indices: columnIndices, narrowValues: narrowValues, x: x.storage,
                              into: &storage, context: context)
        y = Matrix(rows: rows, columns: 1, uncheckedStorage: storage)
    }
}

extension CSRMatrix {
    /// At most `parts` contiguous, non-empty row ranges of near-equal cost, a row costing its
    /// stored entries plus `perRow` (so skewed rows — a few heavy users — do not leave one thread
    /// with most of the work). Depends only on the arguments, so splits are deterministic.
    package func balancedRowRanges(parts: Int, perRow: Int = 0) -> [Range<Int>] {
        SparseKernels.balancedRowRanges(offsets: rowOffsets, parts: parts, perRow: perRow)
    }

    /// `C = op(A)·B` into `c`, reusing its storage when it already has the output's shape.
    func product(_ b: Matrix<Value>, transposed: Bool, into c: inout Matrix<Value>, context: ExecutionContext) {
        let outRows = transposed ? columns : rows
        var storage = c.rows == outRows && c.columns == b.columns ? c.storage : []
        c = Matrix(rows: 0, columns: 0)  // drop the old reference so the storage is not copied on write
        SparseKernels.product(rows: rows, columns: columns, offsets: rowOffsets, indices: columnIndices, values: values,
                              b: b.storage, k: b.columns, transposed: transposed, into: &storage, context: context)
        c = Matrix(rows: outRows, columns: b.columns, uncheckedStorage: storage)
    }
}

extension CSRMatrix {
    /// `w = A·x − β·previous` and `s = Aᵀ·w` in one pass over the matrix: one step of Lanczos
    /// bidiagonalisation (``SparseKernels/productAndTransposedProduct``). `previous` is empty (no
    /// shift) or has `rows` entries. With `narrowValues` (this matrix's values as Float, from
    /// ``exactFloatValues``) a Double matrix streams those instead, every product and sum still
    /// in Double. `s` does not depend on the thread count.
    public func productAndTransposedProduct(_ x: [Value], minus beta: Value, times previous: [Value], narrowValues: [Float]? = nil,
                                            context: ExecutionContext = .current) throws -> (w: [Value], s: [Value]) {
        guard x.count == columns, previous.isEmpty || previous.count == rows, narrowValues.map({ $0.count == values.count }) ?? true else {
            throw DataError.shapeMismatch(operation: "sparse productAndTransposedProduct",
                                          details: "A is \(shapeDescription), x has \(x.count) elements, previous \(previous.count), narrow values \(narrowValues?.count ?? 0) of \(values.count)")
        }
        var w = [Value](), s = [Value]()
        if let narrowValues, Value.self == Double.self {
            var wd = [Double](), sd = [Double]()
            SparseKernels.productAndTransposedProduct(rows: rows, columns: columns, offsets: rowOffsets, indices: columnIndices, values: narrowValues,
                                                      x: unsafeBitCast(x, to: [Double].self), beta: unsafeBitCast(beta, to: Double.self),
                                                      previous: unsafeBitCast(previous, to: [Double].self), w: &wd, s: &sd, context: context)
            return (unsafeBitCast(wd, to: [Value].self), unsafeBitCast(sd, to: [Value].self))
        }
        SparseKernels.productAndTransposedProduct(rows: rows, columns: columns, offsets: rowOffsets, indices: columnIndices, values: values,
                                                  x: x, beta: beta, previous: previous, w: &w, s: &s, context: context)
        return (w, s)
    }
}
