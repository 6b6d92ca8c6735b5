import PavlovCore

/// The ground of `BipedalWalker-v3`, generated as Gymnasium generates it: a start pad, then grass
/// whose height drifts randomly, and — in hardcore mode — stumps, stairs and pits between stretches
/// of grass. `profile` is the surface line (edge fixtures); `obstacles` the solid polygons.
struct BipedalTerrain {
  static let step = 14 / BipedalWalker.scale
  static let length = 200
  static let height = BipedalWalker.viewportHeight / BipedalWalker.scale / 4
  static let grass = 10
  static let startPad = 20

  var profile: [(Double, Double)] = []
  var obstacles: [[(Double, Double)]] = []

  private enum Kind { case grass, stump, stairs, pit }

  init(hardcore: Bool, generator: SeededGenerator) {
    let step = Self.step
    var kind = Kind.grass
    var velocity = 0.0
    var y = Self.height
    var counter = Self.startPad
    var oneshot = false
    var stairSteps = 0, stairWidth = 0, stairHeight = 0
    var originalY = 0.0
    func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [(Double, Double)] {
      [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    }
    for i in 0..<Self.length {
      let x = Double(i) * step
      switch (kind, oneshot) {
      case (.grass, false):
        velocity = 0.8 * velocity + 0.01 * (Self.height - y).signum
        if i > Self.startPad { velocity += generator.uniform(-1, 1) / BipedalWalker.scale }
        y += velocity
      case (.pit, true):
        counter = generator.nextInt(from: 3, to: 5)
        let wall = square(x, y, x + step, y - 4 * step)
        obstacles.append(wall)
        obstacles.append(wall.map { ($0.0 + step * Double(counter), $0.1) })
        counter += 2
        originalY = y
      case (.pit, false):
        y = originalY
        if counter > 1 { y -= 4 * step }
      case (.stump, true):
        counter = generator.nextInt(from: 1, to: 3)
        obstacles.append(square(x, y, x + Double(counter) * step, y + Double(counter) * step))
      case (.stairs, true):
        stairHeight = generator.nextDouble() > 0.5 ? 1 : -1
        stairWidth = generator.nextInt(from: 4, to: 5)
        stairSteps = generator.nextInt(from: 3, to: 5)
        originalY = y
        for s in 0..<stairSteps {
          obstacles.append(square(x + Double(s * stairWidth) * step, y + Double(s * stairHeight) * step,
                                  x + Double((1 + s) * stairWidth) * step, y + Double(-1 + s * stairHeight) * step))
        }
        counter = stairSteps * stairWidth
      case (.stairs, false):
        let s = Double(stairSteps * stairWidth - counter - stairHeight)
        y = originalY + s / Double(stairWidth) * Double(stairHeight) * step
      default:
        break
      }
      oneshot = false
      profile.append((x, y))
      counter -= 1
      if counter == 0 {
        counter = generator.nextInt(from: Self.grass / 2, to: Self.grass)
        if kind == .grass, hardcore {
          kind = [.stump, .stairs, .pit][generator.nextInt(below: 3)]
        } else {
          kind = .grass
        }
        oneshot = true
      }
    }
  }
}

private extension Double {
  /// -1, 0 or 1, as NumPy's `sign`.
  var signum: Double { self > 0 ? 1 : self < 0 ? -1 : 0 }
}
