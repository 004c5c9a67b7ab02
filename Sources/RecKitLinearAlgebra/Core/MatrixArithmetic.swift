/// Element-wise arithmetic on matrices of equal shape, and scaling.
///
/// Shape mismatches here are programming errors and stop the program with a message naming both
/// shapes (the products and factorisations, whose shapes often come from data, throw instead).
/// Specialised for Float and Double: generic callers in other modules (neural layers) get the
/// concrete loops.
extension Matrix {
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                     "cannot add a \(lhs.shapeDescription) matrix and a \(rhs.shapeDescription) matrix")
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] += rhs.storage[k] }
        return r
    }

    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                     "cannot subtract a \(rhs.shapeDescription) matrix from a \(lhs.shapeDescription) matrix")
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] -= rhs.storage[k] }
        return r
    }

    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func * (lhs: Matrix, rhs: Element) -> Matrix {
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] *= rhs }
        return r
    }

    public static func * (lhs: Element, rhs: Matrix) -> Matrix { rhs * lhs }

    /// Scales in place (no second copy of a large matrix).
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func *= (lhs: inout Matrix, rhs: Element) {
        lhs.storage.withUnsafeMutableBufferPointer { b in for k in b.indices { b[k] *= rhs } }
    }

    public static func += (lhs: inout Matrix, rhs: Matrix) { lhs = lhs + rhs }
    public static func -= (lhs: inout Matrix, rhs: Matrix) { lhs = lhs - rhs }
}
