/// One rating as the SGD kernels read it: 0-based user and item indexes and the value.
///
/// Its memory layout is that of the shim's C `reckit_rating` (two 32-bit integers, then a 32-bit
/// float; 12 bytes), so the native kernels read Swift arrays of it directly (a test checks the
/// layouts agree).
@usableFromInline package struct RatingEntry: Sendable, Equatable {
    @usableFromInline package var user: Int32
    @usableFromInline package var item: Int32
    @usableFromInline package var rating: Float

    package init(user: Int32, item: Int32, rating: Float) {
        self.user = user
        self.item = item
        self.rating = rating
    }
}
