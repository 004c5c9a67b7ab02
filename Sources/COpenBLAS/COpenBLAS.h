#ifndef COPENBLAS_H
#define COPENBLAS_H
// Umbrella header for the system libraries. Nothing but includes: every call
// RecKit makes goes through the prefixed wrappers in CReckitShim.
#include <cblas.h>
#include <lapacke.h>
#endif
