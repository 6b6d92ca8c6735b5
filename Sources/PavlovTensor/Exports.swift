// The foundation's types (the seeded generator, portable math, fingerprints) are part of the
// numeric core's API: code that imports PavlovTensor sees them without importing PavlovCore.
@_exported import PavlovCore
