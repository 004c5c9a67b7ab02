import Atomics
import HashTreeCollections

/// What a request reads: the model and the online users, immutable. A writer builds the next
/// state (the user map is a persistent hash tree, so a change copies only a path of it) and
/// swaps it in with one atomic store; readers load the current one with one atomic load and take
/// no lock.
final class ServingState: AtomicReference, Sendable {
    let model: ServingModel
    let users: TreeDictionary<String, OnlineUser>
    /// Feedback events applied since the model was loaded.
    let eventsApplied: Int
    /// Events naming items the model does not know (sent with `new_item`), in arrival order: kept
    /// for the next refit.
    let newItemEvents: [FeedbackEvent]

    init(model: ServingModel, users: TreeDictionary<String, OnlineUser>, eventsApplied: Int, newItemEvents: [FeedbackEvent] = []) {
        self.model = model
        self.users = users
        self.eventsApplied = eventsApplied
        self.newItemEvents = newItemEvents
    }
}
