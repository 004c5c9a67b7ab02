import RecKitData
import RecKitLinearAlgebra

/// The encoder of a next-item model.
public enum SequenceEncoder: String, Sendable, CaseIterable {
    /// GRU4Rec (Hidasi et al. 2016): one GRU layer over the item embeddings.
    case gru
    /// SASRec (Kang & McAuley 2018): learned positions and pre-norm blocks of causal
    /// self-attention and a point-wise feed-forward network, each with a residual connection.
    case selfAttention = "self-attention"
}
