import Foundation
import PavlovGym
import PavlovRL
import PavlovTensor
import XCTest

/// TD3's delayed policy updates and DDPG's settings.
final class TD3Tests: XCTestCase {
  func trainer(_ config: TD3Config) throws -> TD3Trainer {
    try TD3Trainer(env: try EnvSource.registered("Pendulum-v1"), config: config)
  }

  func testTheActorMovesEveryPolicyDelayCriticUpdates() throws {
    var config = TD3Config()
    config.hidden = [8]
    config.batchSize = 4
    config.learningStarts = 10
    let t = try trainer(config)
    let start = t.actor.namedParameters().map(\.1.data)
    _ = try t.train(.timesteps(11))  // one critic update: the actor waits
    XCTAssertEqual(t.updates, 1)
    XCTAssertEqual(t.actor.namedParameters().map(\.1.data), start)
    XCTAssertEqual(t.actorTarget.namedParameters().map(\.1.data), start, "the targets wait with the actor")
    _ = try t.train(.timesteps(1))  // the second: actor and targets move
    XCTAssertNotEqual(t.actor.namedParameters().map(\.1.data), start)
    XCTAssertNotEqual(t.actorTarget.namedParameters().map(\.1.data), start)
  }

  func testDDPGIsTD3WithoutItsThreeTricks() throws {
    let config = TD3Config.ddpg
    XCTAssertEqual(config.algorithm, "ddpg")
    XCTAssertEqual(config.nCritics, 1)
    XCTAssertEqual(config.policyDelay, 1)
    XCTAssertEqual(config.targetPolicyNoise, 0)
    var small = config
    small.hidden = [8]
    small.batchSize = 4
    small.learningStarts = 10
    let t = try trainer(small)
    let start = t.actor.namedParameters().map(\.1.data)
    _ = try t.train(.timesteps(11))
    XCTAssertNotEqual(t.actor.namedParameters().map(\.1.data), start, "DDPG moves its actor on every update")
    XCTAssertEqual(t.critics.count, 1)
  }
}
