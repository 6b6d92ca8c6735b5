/// Environments whose frames are moments in time: how many to show a second for an animation at
/// the real pace (Gymnasium's `metadata["render_fps"]`, with the same figures). `play` uses it.
public protocol RenderSpeed {
  var renderFPS: Double { get }
}

extension CartPole: RenderSpeed { public var renderFPS: Double { 50 } }
extension Acrobot: RenderSpeed { public var renderFPS: Double { 15 } }
extension MountainCar: RenderSpeed { public var renderFPS: Double { 30 } }
extension MountainCarContinuous: RenderSpeed { public var renderFPS: Double { 30 } }
extension Pendulum: RenderSpeed { public var renderFPS: Double { 30 } }
extension FrozenLake: RenderSpeed { public var renderFPS: Double { 4 } }
extension CliffWalking: RenderSpeed { public var renderFPS: Double { 4 } }
extension Taxi: RenderSpeed { public var renderFPS: Double { 4 } }
extension GridWorld: RenderSpeed { public var renderFPS: Double { 4 } }
