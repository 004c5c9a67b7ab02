import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Which part of neural collaborative filtering (He et al. 2017) to train.
public enum NCFMode: String, Sendable, CaseIterable {
    /// Generalised matrix factorisation: `logit = w·(p_u ⊙ q_i) + b`.
    case gmf
    /// A multi-layer perceptron over the concatenated user and item embeddings.
    case mlp
    /// NeuMF: the GMF vector and the MLP's last layer concatenated into one output unit.
    case neumf
}
