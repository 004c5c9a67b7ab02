// The worker pool lives below the kernels (in RecKitSIMD, with the generic kernels that use it);
// it is part of the engine's public API.
@_exported import enum RecKitSIMD.Parallel
