/// Where each key of a record sits in the record's entry arrays: an open-addressing table of
/// positions, probed as CPython's dict probes (start at hash & mask, then i = 5i + 1 + perturb,
/// perturb >>= 5), so patterned keys do not pile up.
///
/// Ints hash to themselves, as in CPython: consecutive int keys land in neighbouring slots, which
/// keeps a million-key loop in cache (Swift's seeded SipHash scattered them: one cache miss per
/// access, and SipHash itself was ~45% of the instructions of a map loop). Strings keep Swift's
/// hash, which agrees with string equality; field accesses in loops skip it (`FieldHint`). The
/// table never stores keys: a probe compares the key at the slot's position in the record's key
/// array.
struct KeyIndex {
  private static let empty = -1, deleted = -2
  /// Positions into the key array, or `empty` / `deleted`; a power of two long (or empty).
  private var slots: [Int] = []
  /// Slots not empty (live or deleted): the table grows before they pass two thirds.
  private var filled = 0

  static func hash(_ key: RecordKey) -> UInt {
    switch key {
    case .int(let i):
      return UInt(bitPattern: i)
    case .string(let s):
      // Swift's own string hash: it agrees with `==`, which takes canonically equivalent
      // spellings ("\u{e9}" and "e\u{301}") as one key; a hash of the raw bytes did not.
      // The tag keeps strings apart from the ints they spell ("5" and 5 are different keys).
      return UInt(bitPattern: s.hashValue) ^ 0x5bd1_e995
    }
  }

  /// The slots a key visits, in order: CPython's probe sequence.
  private struct Probe {
    let mask: Int
    var perturb: UInt
    var slot: Int

    init(hash: UInt, tableSize: Int) {
      mask = tableSize - 1
      perturb = hash
      slot = Int(perturb & UInt(mask))
    }

    init(_ key: RecordKey, tableSize: Int) { self.init(hash: KeyIndex.hash(key), tableSize: tableSize) }

    mutating func next() {
      perturb >>= 5
      slot = (slot &* 5 &+ 1 &+ Int(perturb & UInt(mask))) & mask
    }
  }

  /// The position of `key` in `keys`, or nil.
  @inline(__always)
  func position(of key: RecordKey, in keys: [RecordKey]) -> Int? {
    position(of: key, hash: Self.hash(key), in: keys)
  }

  /// The position of `key`, whose hash (`hash(key)`) the caller already has.
  @inline(__always)
  func position(of key: RecordKey, hash: UInt, in keys: [RecordKey]) -> Int? {
    guard !slots.isEmpty else { return nil }
    var probe = Probe(hash: hash, tableSize: slots.count)
    while true {
      let p = slots[probe.slot]
      if p == Self.empty { return nil }
      if p >= 0 && keys[p] == key { return p }
      probe.next()
    }
  }

  /// Records that `key` (absent now) is at `position`; `keys` holds the keys of the positions
  /// already in the table (growing the table re-hashes them).
  mutating func insert(_ key: RecordKey, at position: Int, keys: [RecordKey]) {
    if (filled + 1) * 3 >= slots.count * 2 { grow(keys) }
    place(key, at: position)
  }

  /// The position of `key` if it is in the table; if not, records it at `newPosition` (the
  /// caller appends it there) and returns nil. One probe where looking up and then inserting
  /// took two (`m[k] = v` on a map).
  mutating func positionOrInsert(_ key: RecordKey, at newPosition: Int, keys: [RecordKey]) -> Int? {
    if (filled + 1) * 3 >= slots.count * 2 { grow(keys) }
    var probe = Probe(key, tableSize: slots.count)
    var free = -1  // the first deleted slot on the way, which the key takes if it is absent
    while true {
      let p = slots[probe.slot]
      if p == Self.empty { break }
      if p >= 0 {
        if keys[p] == key { return p }
      } else if free < 0 {
        free = probe.slot
      }
      probe.next()
    }
    if free < 0 {
      free = probe.slot
      filled += 1
    }
    slots[free] = newPosition
    return nil
  }

  private mutating func place(_ key: RecordKey, at position: Int) {
    var probe = Probe(key, tableSize: slots.count)
    while slots[probe.slot] >= 0 { probe.next() }
    if slots[probe.slot] == Self.empty { filled += 1 }
    slots[probe.slot] = position
  }

  /// A table of `size` slots holding the positions `positions` yields for `keys` (distinct
  /// keys, so no probe meets its own key), filled through a buffer: writing the array property
  /// slot by slot checked its uniqueness at each write (a third of a growth's cost).
  private static func table<Positions: Sequence<Int>>(size: Int, _ positions: Positions, keys: [RecordKey]) -> (slots: [Int], filled: Int) {
    var table = [Int](repeating: empty, count: size)
    var filled = 0
    table.withUnsafeMutableBufferPointer { slots in
      for position in positions {
        var probe = Probe(keys[position], tableSize: size)
        while slots[probe.slot] != empty { probe.next() }
        slots[probe.slot] = position
        filled += 1
      }
    }
    return (table, filled)
  }

  /// Forgets `key` and returns the position it was at, or nil if it is absent.
  mutating func remove(_ key: RecordKey, keys: [RecordKey]) -> Int? {
    guard !slots.isEmpty else { return nil }
    var probe = Probe(key, tableSize: slots.count)
    while true {
      let p = slots[probe.slot]
      if p == Self.empty { return nil }
      if p >= 0 && keys[p] == key {
        slots[probe.slot] = Self.deleted
        return p
      }
      probe.next()
    }
  }

  mutating func removeAll() {
    slots = []
    filled = 0
  }

  /// A fresh table for `keys`, key i at position i (after a record closed its holes), sized
  /// for them at once (inserting one by one re-hashed every key at each doubling).
  mutating func rebuild(_ keys: [RecordKey]) {
    (slots, filled) = Self.table(size: Self.tableSize(for: keys.count), keys.indices, keys: keys)
  }

  /// The smallest power of two (at least 8) that keeps `live` entries, plus the next insert,
  /// under two thirds full: a table at least twice as big as they need.
  private static func tableSize(for live: Int) -> Int {
    var size = 8
    while size < (live + 1) * 3 { size *= 2 }
    return size
  }

  /// A table at most a third full of live entries (so at least twice as big as they need),
  /// without the deleted marks.
  private mutating func grow(_ keys: [RecordKey]) {
    let live = slots.lazy.filter { $0 >= 0 }
    (slots, filled) = Self.table(size: Self.tableSize(for: live.count), live, keys: keys)
  }
}
