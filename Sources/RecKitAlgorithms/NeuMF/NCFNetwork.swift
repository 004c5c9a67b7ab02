import Foundation
import RecKitData
import RecKitLinearAlgebra

/// The NCF network: GMF and/or MLP branches over user and item embeddings, one output logit.
///
/// ```
/// GMF:   g = p_u ⊙ q_i                                  (factors wide)
/// MLP:   h = ReLU(…ReLU([p′_u, q′_i]·W₁ + b₁)…)          (layers.last wide)
/// logit = [g, h]·w + b      (only g for gmf, only h for mlp)
/// ```
/// Backward passes: the output layer's, then `dg ⊙ q_i` into `p_u` (and `dg ⊙ p_u` into `q_i`),
/// the MLP's, and the split of its input gradient into the two embeddings.
public final class NCFNetwork<T: NeuralScalar> {
    public let mode: NCFMode
    public let gmfUser: Embedding<T>, gmfItem: Embedding<T>
    public let mlpUser: Embedding<T>, mlpItem: Embedding<T>
    public let tower: Sequential<T>
    public let output: Linear<T>
    var gmfP = Matrix<T>(rows: 0, columns: 0), gmfQ = Matrix<T>(rows: 0, columns: 0)

    public init(users: Int, items: Int, options: NCFOptions) {
        mode = options.mode
        let f = options.factors, half = options.layers[0] / 2, seeds = Seeds(options.seed)
        gmfUser = Embedding(count: users, dimension: f, standardDeviation: 0.01, seed: seeds(.base))
        gmfItem = Embedding(count: items, dimension: f, standardDeviation: 0.01, seed: seeds(.gmfItemEmbedding))
        mlpUser = Embedding(count: users, dimension: half, standardDeviation: 0.01, seed: seeds(.mlpUserEmbedding))
        mlpItem = Embedding(count: items, dimension: half, standardDeviation: 0.01, seed: seeds(.mlpItemEmbedding))
        var tower: [any Layer<T>] = []
        var width = 2 * half
        for (k, next) in options.layers.dropFirst().enumerated() {
            tower.append(Linear<T>(inputs: width, outputs: next, initializer: .heNormal, seed: seeds(.towerLayer, k)))
            tower.append(Activation<T>(.relu))
            width = next
        }
        self.tower = Sequential(tower)
        let inputs = (mode == .mlp ? 0 : f) + (mode == .gmf ? 0 : width)
        output = Linear(inputs: inputs, outputs: 1, initializer: .glorotUniform, seed: seeds(.outputLayer))
    }

    public var parameters: [Parameter<T>] {
        var p = output.parameters
        if mode != .mlp { p += gmfUser.parameters + gmfItem.parameters }
        if mode != .gmf { p += mlpUser.parameters + mlpItem.parameters + tower.parameters }
        return p
    }

    /// Logits (`batch × 1`) of the pairs `(users[k], items[k])`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func logits(users: [Int32], items: [Int32], context: ExecutionContext) throws -> Matrix<T> {
        var parts: [Matrix<T>] = []
        if mode != .mlp {
            gmfP = try gmfUser.forward(users)
            gmfQ = try gmfItem.forward(items)
            var g = gmfP
            for k in g.storage.indices { g.storage[k] *= gmfQ.storage[k] }
            parts.append(g)
        }
        if mode != .gmf {
            let x = Self.concatenate(try mlpUser.forward(users), try mlpItem.forward(items))
            parts.append(try tower.forward(x, context: context))
        }
        return try output.forward(parts.count == 1 ? parts[0] : Self.concatenate(parts[0], parts[1]), context: context)
    }

    /// Backward from `dLogits` (`batch × 1`) through every branch, into the parameters' gradients.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dLogits: Matrix<T>, context: ExecutionContext) throws {
        let dz = try output.backward(dLogits, context: context)
        let f = mode == .mlp ? 0 : gmfUser.dimension
        if mode != .mlp {
            let dg = dz.block(rows: 0..<dz.rows, columns: 0..<f).materialized()
            var dp = dg, dq = dg
            for k in dg.storage.indices { dp.storage[k] *= gmfQ.storage[k]; dq.storage[k] *= gmfP.storage[k] }
            gmfUser.backward(dp)
            gmfItem.backward(dq)
        }
        if mode != .gmf {
            let dh = dz.block(rows: 0..<dz.rows, columns: f..<dz.columns).materialized()
            let dx = try tower.backward(dh, context: context)
            let half = mlpUser.dimension
            mlpUser.backward(dx.block(rows: 0..<dx.rows, columns: 0..<half).materialized())
            mlpItem.backward(dx.block(rows: 0..<dx.rows, columns: half..<(2 * half)).materialized())
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    /// NeuMF's pretrained start (He et al. 2017, §3.4.1): the embeddings and tower of separately
    /// trained GMF and MLP networks, and the output weights `[α·w_GMF, (1 − α)·w_MLP]` with bias
    /// `α·b_GMF + (1 − α)·b_MLP`.
    public func start(from gmf: NCFNetwork<T>, and mlp: NCFNetwork<T>, balance alpha: T) {
        gmfUser.table.value = gmf.gmfUser.table.value
        gmfItem.table.value = gmf.gmfItem.table.value
        mlpUser.table.value = mlp.mlpUser.table.value
        mlpItem.table.value = mlp.mlpItem.table.value
        for (to, from) in zip(tower.parameters, mlp.tower.parameters) { to.value = from.value }
        output.weight.value.storage = gmf.output.weight.value.storage.map { alpha * $0 } + mlp.output.weight.value.storage.map { (1 - alpha) * $0 }
        output.bias!.value.storage[0] = alpha * gmf.output.bias!.value.storage[0] + (1 - alpha) * mlp.output.bias!.value.storage[0]
    }

    static func concatenate(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
        var out = [T]()
        out.reserveCapacity(a.storage.count + b.storage.count)
        for r in 0..<a.rows {
            out.append(contentsOf: a.storage[r * a.columns..<(r + 1) * a.columns])
            out.append(contentsOf: b.storage[r * b.columns..<(r + 1) * b.columns])
        }
        return try! Matrix(rows: a.rows, columns: a.columns + b.columns, elements: out)
    }
}
