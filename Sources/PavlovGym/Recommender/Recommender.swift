import PavlovCore

/// `Recommender-v0`: one user's visit to a site that recommends items, for learning (and
/// evaluating from logs) policies that must trade today's clicks for tomorrow's visits.
///
/// A catalogue of items in `categories` categories; each item has a category and a quality. The
/// user has an interest in each category, which drifts as a random walk, and a satiation per
/// category, which grows with every item of that category they take and fades by a factor each
/// step (after five horror films you want a comedy; a while later horror is fine again).
///
/// Each step the policy picks a category (the action); the site shows a slate of `slate_size`
/// items of it, drawn at random. The user takes one item or none by a multinomial logit over
/// utilities interest + quality − satiation (and `no_click_utility` for none). A taken item is
/// watched for 10·σ(utility) minutes. The user's patience (`patience` visits to start) drops by
/// one each step and grows with watch time; the visit ends (terminated) when it runs out. The
/// reward mixes a click, watch time and staying for another step:
///
///     reward = click_weight·click + watch_weight·minutes/10 + stay_weight·(not terminated)
///
/// so a policy that keeps showing the favourite category gets clicks now and a bored user who
/// leaves soon. The observation is what a site can see: an exponential average of clicks and of
/// recommendations per category, the fraction of patience left, and how long the visit has
/// lasted (and, with `profile_noise`, a noisy profile of the user's interests). `info` holds every hidden quantity (interests, satiation, patience, the slate and its
/// utilities, whether the user was bored), for lessons and for checking learners.
public final class Recommender: Environment {
  public struct Settings: Sendable {
    public var categories = 6
    public var itemsPerCategory = 20
    public var slateSize = 5
    /// The standard deviation of each step's change in interest.
    public var drift = 0.05
    public var satiationGain = 0.6
    /// Satiation is multiplied by this every step.
    public var satiationRecovery = 0.85
    public var noClickUtility = 0.0
    public var patience = 10.0
    /// Patience gained per minute watched.
    public var patiencePerMinute = 0.12
    public var clickWeight = 1.0
    public var watchWeight = 1.0
    public var stayWeight = 0.2
    /// How fast the observed averages forget (0: only the last step counts).
    public var memory = 0.8
    /// When set, the site also sees the user's profile: their interests when the visit began
    /// (as past visits revealed them), each with N(0, profile_noise²) error.
    public var profileNoise: Double?
    /// Patience lost per unit of the shown category's satiation: a user shown what they are
    /// tired of may still click, but leaves sooner (the toilet-brush ads).
    public var annoyance = 0.0
    public init() {}
  }

  public let settings: Settings
  public let observationSpace: Space
  public let actionSpace: Space
  public private(set) var interests: [Double]
  public private(set) var satiation: [Double]
  public private(set) var qualities: [Double]
  public private(set) var patienceLeft = 0.0
  public private(set) var steps = 0
  private var clickAverage: [Double]
  private var shownAverage: [Double]
  private var profile: [Double]
  private let generator: SeededGenerator
  private var lastRender = ""

  public init(_ settings: Settings = Settings(), seed: UInt64 = 0) {
    self.settings = settings
    let c = settings.categories
    let profiled = settings.profileNoise == nil ? 0 : c
    observationSpace = .box(low: [Double](repeating: 0, count: 2 * c) + [Double](repeating: -.infinity, count: profiled) + [0, 0],
                            high: [Double](repeating: 1, count: 2 * c) + [Double](repeating: .infinity, count: profiled) + [.infinity, .infinity],
                            shape: [2 * c + profiled + 2])
    actionSpace = .discrete(c)
    interests = [Double](repeating: 0, count: c)
    satiation = [Double](repeating: 0, count: c)
    qualities = [Double](repeating: 0, count: c * settings.itemsPerCategory)
    clickAverage = [Double](repeating: 0, count: c)
    shownAverage = [Double](repeating: 0, count: c)
    profile = settings.profileNoise == nil ? [] : [Double](repeating: 0, count: c)
    generator = SeededGenerator(seed: seed)
  }

  private var observation: Point {
    .reals(clickAverage + shownAverage + profile + [max(patienceLeft, 0) / settings.patience, Double(steps) / 100])
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    for k in interests.indices { interests[k] = generator.nextGaussian() }
    for k in qualities.indices { qualities[k] = 0.5 * generator.nextGaussian() }
    for k in satiation.indices { satiation[k] = 0; clickAverage[k] = 0; shownAverage[k] = 0 }
    // Drawn after everything else, so visits without a profile are the same with or without the option.
    if let noise = settings.profileNoise { for k in profile.indices { profile[k] = interests[k] + noise * generator.nextGaussian() } }
    patienceLeft = settings.patience
    steps = 0
    return Reset(observation: observation, info: ["interests": .point(.reals(interests))])
  }

  public func step(_ action: Point) throws -> Step {
    guard case .int(let category) = action, (0..<settings.categories).contains(category) else {
      throw CoreError("Recommender-v0: the action must be a category from 0 to \(settings.categories - 1), got \(action.description)")
    }
    let n = settings.itemsPerCategory
    let slate = (0..<settings.slateSize).map { _ in category * n + generator.nextInt(below: n) }
    let utilities = slate.map { interests[category] + qualities[$0] - satiation[category] }
    // The multinomial logit over the slate and "none" (the last option).
    let options = utilities + [settings.noClickUtility]
    let top = options.max()!
    let weights = options.map { PortableMath.exp($0 - top) }
    var u = generator.nextDouble() * weights.reduce(0, +), choice = options.count - 1
    for k in weights.indices { u -= weights[k]; if u < 0 { choice = k; break } }
    let clicked = choice < slate.count
    let minutes = clicked ? 10 / (1 + PortableMath.exp(-utilities[choice])) : 0
    let bored = satiation[category] > interests[category] && satiation[category] > 0

    patienceLeft += settings.patiencePerMinute * minutes - 1 - settings.annoyance * satiation[category]
    if clicked { satiation[category] += settings.satiationGain }
    for k in satiation.indices {
      satiation[k] *= settings.satiationRecovery
      interests[k] += settings.drift * generator.nextGaussian()
      let shown = k == category ? 1.0 : 0, took = k == category && clicked ? 1.0 : 0
      shownAverage[k] = settings.memory * shownAverage[k] + (1 - settings.memory) * shown
      clickAverage[k] = settings.memory * clickAverage[k] + (1 - settings.memory) * took
    }
    steps += 1
    let leaves = patienceLeft <= 0
    let reward = settings.clickWeight * (clicked ? 1 : 0) + settings.watchWeight * minutes / 10 + settings.stayWeight * (leaves ? 0 : 1)
    lastRender = "step \(steps): showed category \(category), " + (clicked ? "took item \(slate[choice]) for \(fixed(minutes, 1)) min" : "took nothing")
      + (bored ? " (bored)" : "") + ", patience \(fixed(max(patienceLeft, 0), 1))"
    let info: Info = [
      "clicked": .bool(clicked),
      "item": .int(clicked ? slate[choice] : -1),
      "watch_time": .double(minutes),
      "bored": .bool(bored),
      "patience": .double(max(patienceLeft, 0)),
      "slate": .point(.ints(slate)),
      "utilities": .point(.reals(utilities)),
      "interests": .point(.reals(interests)),
      "satiation": .point(.reals(satiation)),
    ]
    return Step(observation: observation, reward: reward, terminated: leaves, info: info)
  }

  public func render() -> String { lastRender.isEmpty ? "a new visit, patience \(fixed(patienceLeft, 1))" : lastRender }

  public func copy() -> Environment? {
    let twin = Recommender(settings)
    twin.generator.copyState(from: generator)
    (twin.interests, twin.satiation, twin.qualities) = (interests, satiation, qualities)
    (twin.patienceLeft, twin.steps, twin.clickAverage, twin.shownAverage, twin.lastRender) = (patienceLeft, steps, clickAverage, shownAverage, lastRender)
    twin.profile = profile
    return twin
  }
}
