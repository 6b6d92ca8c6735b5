import PavlovCore

/// `TextNav-v0`, after LMRL-Gym's text navigation: a small house of six rooms, five objects and a
/// goal — "put the apple in the fridge", or "open the chest" (the garden's chest is locked; holding
/// the key opens it). Each reset draws the goal, where the objects lie (one to a room, on the
/// floor) and the agent's room. The observation is the goal, the room with what lies in it, what
/// the agent holds (one thing at a time) and the admissible commands: "goal: put the apple in the
/// fridge. hall: a book. holding nothing. commands: go north, go south, go east, take book." An
/// action is one of those commands; any other string of the action space is an invalid command:
/// nothing happens and it pays `invalid_reward` (-2), as TextMaze. Every step pays -1; the step
/// that reaches the goal pays 0 and ends the episode. `info.expert_action` is the next command of
/// a shortest plan and `info.plan` its length.
public final class TextNav: Environment {
  public static let rooms = ["hall", "kitchen", "living room", "bedroom", "study", "garden"]
  /// Each room's exits. The house on a grid: bedroom, study / hall, living room, garden / kitchen.
  static let exits: [[(direction: String, room: Int)]] = [
    [("north", 3), ("south", 1), ("east", 2)], [("north", 0)], [("west", 0), ("north", 4), ("east", 5)],
    [("south", 0), ("east", 4)], [("west", 3), ("south", 2)], [("west", 2)],
  ]
  /// Each room's container (the hall has none); the garden's chest starts locked.
  public static let containers: [String?] = [nil, "fridge", "basket", "drawer", "box", "chest"]
  static let chestRoom = 5
  public static let objects = ["apple", "book", "cup", "ball", "key"]
  static let key = 4
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz .,:")
  /// `route[from][to]`: the exit to take first on a shortest way (-1 when there), and its length.
  static let route: [[(exit: Int, length: Int)]] = rooms.indices.map { from in
    var best = [(exit: Int, length: Int)](repeating: (-1, Int.max), count: rooms.count)
    best[from] = (-1, 0)
    var queue = [from], head = 0
    while head < queue.count {
      let here = queue[head]
      head += 1
      for (k, exit) in exits[here].enumerated() where best[exit.room].length == Int.max {
        best[exit.room] = (here == from ? k : best[here].exit, best[here].length + 1)
        queue.append(exit.room)
      }
    }
    return best
  }

  enum Place: Equatable {
    case floor(Int), inside(Int), held

    /// The room the thing is in, nil when held.
    var room: Int? {
      switch self {
      case .floor(let r), .inside(let r): return r
      case .held: return nil
      }
    }
  }

  /// Put `object` in the container of room `into`; an object of `key` means open the chest.
  public private(set) var goal = (object: 0, into: 1)
  public internal(set) var agent = 0
  var places = [Place](repeating: .floor(0), count: TextNav.objects.count)
  public private(set) var chestOpen = false
  public let invalidReward: Double
  /// What an invalid move costs unless the option `invalid_reward` says otherwise.
  public static let defaultInvalidReward: Double = -2
  private let generator = SeededGenerator(seed: 0)
  public let observationSpace: Space = .text(minLength: 1, maxLength: 256, charset: TextNav.charset)
  public let actionSpace: Space = .text(minLength: 1, maxLength: 24, charset: Array("abcdefghijklmnopqrstuvwxyz "))

  public init(invalidReward: Double = TextNav.defaultInvalidReward) throws {
    guard invalidReward.isFinite else { throw CoreError("TextNav-v0: option invalid_reward must be a finite number, got \(invalidReward)") }
    self.invalidReward = invalidReward
  }

  static func make(_ options: EnvOptions) throws -> Environment {
    try TextNav(invalidReward: try options.double("invalid_reward", default: defaultInvalidReward))
  }

  private var held: Int? { places.firstIndex(of: .held) }
  private var goalIsChest: Bool { goal.object == Self.key }
  var solved: Bool { goalIsChest ? chestOpen : places[goal.object] == .inside(goal.into) }

  private func isOpen(_ room: Int) -> Bool { Self.containers[room] != nil && (room != Self.chestRoom || chestOpen) }

  /// The commands that do something here, in a fixed order: moves, takes, drop, puts, open.
  var commands: [String] {
    var out = Self.exits[agent].map { "go \($0.direction)" }
    if let h = held {
      out.append("drop \(Self.objects[h])")
      if isOpen(agent), let box = Self.containers[agent] { out.append("put \(Self.objects[h]) in \(box)") }
      if agent == Self.chestRoom && !chestOpen && h == Self.key { out.append("open chest") }
    } else {
      out += Self.objects.indices.filter { places[$0] == .floor(agent) || (isOpen(agent) && places[$0] == .inside(agent)) }
        .map { "take \(Self.objects[$0])" }
    }
    return out
  }

  static func article(_ word: String) -> String { (word.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + word }

  static func list(_ words: [String]) -> String {
    words.count <= 1 ? words.joined() : words.dropLast().joined(separator: ", ") + " and " + words[words.count - 1]
  }

  var goalText: String {
    goalIsChest ? "open the chest" : "put the \(Self.objects[goal.object]) in the \(Self.containers[goal.into] ?? "")"
  }

  /// What lies in `room`: its container (and what it holds), then the objects on the floor.
  func contents(_ room: Int) -> [String] {
    var out: [String] = []
    if let box = Self.containers[room] {
      let inside = Self.objects.indices.filter { places[$0] == .inside(room) }.map { Self.article(Self.objects[$0]) }
      let name = room == Self.chestRoom ? (chestOpen ? "an open chest" : "a locked chest") : Self.article(box)
      out.append(inside.isEmpty ? name : "\(name) with \(Self.list(inside))")
    }
    return out + Self.objects.indices.filter { places[$0] == .floor(room) }.map { Self.article(Self.objects[$0]) }
  }

  var observationText: String {
    let here = contents(agent)
    return "goal: \(goalText). \(Self.rooms[agent]): \(here.isEmpty ? "nothing" : here.joined(separator: ", ")). "
      + "holding \(held.map { Self.article(Self.objects[$0]) } ?? "nothing"). commands: \(commands.joined(separator: ", "))."
  }

  /// The next command of a shortest plan and the plan's length: free the hands if they hold the
  /// wrong thing, fetch the goal's object, carry it to the goal's room, put it (or open the chest).
  var expert: (command: String, length: Int) {
    let target = goalIsChest ? Self.chestRoom : goal.into
    let finish = goalIsChest ? "open chest" : "put \(Self.objects[goal.object]) in \(Self.containers[target] ?? "")"
    func toward(_ room: Int) -> String { "go \(Self.exits[agent][Self.route[agent][room].exit].direction)" }
    if solved { return (finish, 0) }
    if places[goal.object] == .held {
      let way = Self.route[agent][target].length
      return (way == 0 ? finish : toward(target), way + 1)
    }
    let source = places[goal.object].room ?? agent
    let length = (held == nil ? 0 : 1) + Self.route[agent][source].length + 1 + Self.route[source][target].length + 1
    if let h = held { return ("drop \(Self.objects[h])", length) }
    return (agent == source ? "take \(Self.objects[goal.object])" : toward(source), length)
  }

  private var info: Info {
    let plan = expert
    return ["expert_action": .string(plan.command), "plan": .int(plan.length), "room": .string(Self.rooms[agent]),
            "holding": .string(held.map { Self.objects[$0] } ?? "nothing")]
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    let object = generator.nextInt(below: Self.objects.count)
    // The chest goal needs no container; every other goal names one of the four that start open.
    goal = (object, object == Self.key ? Self.chestRoom : 1 + generator.nextInt(below: 4))
    var free = Array(Self.rooms.indices)
    for k in Self.objects.indices { places[k] = .floor(free.remove(at: generator.nextInt(below: free.count))) }
    agent = generator.nextInt(below: Self.rooms.count)
    chestOpen = false
    return Reset(observation: .text(observationText), info: info)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let command) = action else {
      throw CoreError("TextNav-v0: the action must be a command string such as \"go north\", got \(action.description)")
    }
    let valid = commands.contains(command)
    if valid { perform(command.split(separator: " ").map(String.init)) }
    var stepInfo = info
    stepInfo["invalid"] = .bool(!valid)
    let done = solved
    return Step(observation: .text(observationText), reward: done ? 0 : (valid ? -1 : invalidReward), terminated: done, info: stepInfo)
  }

  /// Carries out an admissible command, split into words.
  private func perform(_ words: [String]) {
    let object = words.count > 1 ? Self.objects.firstIndex(of: words[1]) : nil
    switch (words[0], object) {
    case ("go", _): agent = Self.exits[agent].first { $0.direction == words[1] }?.room ?? agent
    case ("take", let o?): places[o] = .held
    case ("drop", let o?): places[o] = .floor(agent)
    case ("put", let o?): places[o] = .inside(agent)
    case ("open", _): chestOpen = true
    default: break
    }
  }

  /// The whole house, a line per room (the agent's marked with >), then the hands and the goal.
  public func render() -> String {
    let lines = Self.rooms.indices.map { room in
      let here = contents(room)
      return (room == agent ? "> " : "  ") + Self.rooms[room] + (here.isEmpty ? "" : ": " + here.joined(separator: ", "))
    }
    return (lines + ["holding \(held.map { Self.objects[$0] } ?? "nothing"); goal: \(goalText)"]).joined(separator: "\n")
  }

  public func copy() -> Environment? {
    guard let twin = try? TextNav(invalidReward: invalidReward) else { return nil }
    (twin.goal, twin.agent, twin.places, twin.chestOpen) = (goal, agent, places, chestOpen)
    twin.generator.copyState(from: generator)
    return twin
  }
}
