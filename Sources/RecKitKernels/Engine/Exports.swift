// The worker pool and the SGD kernels' rating record live below the kernels (in RecKitSIMD, with
// the generic kernels that use them); they are part of the engine's API.
@_exported import enum RecKitSIMD.Parallel
@_exported import struct RecKitSIMD.RatingEntry
@_exported import struct RecKitSIMD.AdamConstants
