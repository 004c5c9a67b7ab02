/// Element-wise arithmetic on matrices of equal shape, and scaling.
///
/// Shape mismatches here are programming errors and stop the program with a message naming both
/// shapes (the products and factorisations, whose shapes often come from data, throw instead).
extension Matrix {
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                     "cannot add a \(lhs.shapeDescription) matrix and a \(rhs.shapeDescription) matrix")
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] += rhs.storage[k] }
        return r
    }

    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                     "cannot subtract a \(rhs.shapeDescription) matrix from a \(lhs.shapeDescription) matrix")
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] -= rhs.storage[k] }
        return r
    }

    public static func * (lhs: Matrix, rhs: Element) -> Matrix {
        var r = lhs
        for k in 0..<r.storage.count { r.storage[k] *= rhs }
        return r
    }

    public static func * (lhs: Element, rhs: Matrix) -> Matrix { rhs * lhs }

    public static func += (lhs: inout Matrix, rhs: Matrix) { lhs = lhs + rhs }
    public static func -= (lhs: inout Matrix, rhs: Matrix) { lhs = lhs - rhs }
}
