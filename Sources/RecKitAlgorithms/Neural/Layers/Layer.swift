import RecKitLinearAlgebra

/// Neural layers on row-major batches: an input is `batch × features`, one example per row.
///
/// Each layer's `forward` caches what its `backward` needs; `backward(dY)` takes the gradient of
/// the loss with respect to the layer's output, **adds** the gradients of its parameters into
/// their ``Parameter/gradient`` and returns the gradient with respect to its input. The backward
/// passes are derived by hand (each is stated in its doc comment) and checked against central
/// finite differences in Double by the tests. Dense products run on the context's back end
/// (OpenBLAS or pure Swift), so a model's training step is GEMMs on either.
public protocol Layer<T>: AnyObject {
    associatedtype T: NeuralScalar
    var parameters: [Parameter<T>] { get }
    func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T>
    func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T>
}
