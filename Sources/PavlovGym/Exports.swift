// The foundation's types (the seeded generator, the error every env throws) are part of the
// environments' API: code that imports PavlovGym sees them without importing PavlovCore.
@_exported import PavlovCore
