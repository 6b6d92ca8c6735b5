import PavlovGym
import XCTest

final class ToyTextTaxiTests: XCTestCase {
  private func taxi(_ env: ManagedEnvironment) throws -> Taxi {
    try XCTUnwrap(env.unwrapped as? Taxi)
  }

  func testEncodingMatchesGymnasium() {
    // Gymnasium's documented example: taxi (3, 1), passenger at Y (2), destination R (0).
    XCTAssertEqual(Taxi.encode(row: 3, col: 1, passenger: 2, destination: 0), 328)
    for state in 0..<500 {
      let s = Taxi.decode(state)
      XCTAssertEqual(Taxi.encode(row: s.row, col: s.col, passenger: s.passenger, destination: s.destination), state)
      XCTAssertTrue((0..<5).contains(s.row) && (0..<5).contains(s.col) && (0..<5).contains(s.passenger) && (0..<4).contains(s.destination))
    }
  }

  func testAnOptimalEpisodeEarnsEight() throws {
    let env = try EnvRegistry.make("Taxi-v3")
    let cab = try taxi(env)
    _ = try env.reset(seed: 0)
    // Taxi at (2, 2), passenger waiting at R, going to B: 4 moves to R, pickup, 7 moves to B,
    // dropoff — 12 steps at -1 and +20 for the delivery.
    cab.state = Taxi.encode(row: 2, col: 2, passenger: 0, destination: 3)
    let actions = [3, 3, 1, 1, 4, 0, 0, 2, 2, 2, 0, 0, 5]
    var total = 0.0
    for (i, action) in actions.enumerated() {
      let step = try env.step(.int(action))
      total += step.reward
      XCTAssertEqual(step.terminated, i == actions.count - 1)
      XCTAssertEqual(step.info["prob"], .double(1))
      if i == 4 { XCTAssertEqual(Taxi.decode(cab.state).passenger, Taxi.inTaxi) }
    }
    XCTAssertEqual(total, 8)
    XCTAssertEqual(cab.state, Taxi.encode(row: 4, col: 3, passenger: 3, destination: 3))
    // Value iteration agrees that 8 is the best return from there (gamma 1: the episode is short
    // and every detour costs).
    let values = valueIteration(cab.transitions, gamma: 1)
    XCTAssertEqual(values[Taxi.encode(row: 2, col: 2, passenger: 0, destination: 3)], 8)
  }

  func testIllegalPickupAndDropoffCostTen() throws {
    let env = try EnvRegistry.make("Taxi-v3")
    let cab = try taxi(env)
    _ = try env.reset(seed: 0)
    let start = Taxi.encode(row: 1, col: 1, passenger: 2, destination: 1)
    cab.state = start
    let pickup = try env.step(.int(4))
    XCTAssertEqual(pickup.reward, -10)
    XCTAssertEqual(pickup.observation, .int(start))
    XCTAssertFalse(pickup.terminated)
    let dropoff = try env.step(.int(5))
    XCTAssertEqual(dropoff.reward, -10)
    XCTAssertEqual(dropoff.observation, .int(start))
  }

  func testDroppingAtAnotherStandLeavesThePassengerThere() throws {
    let cab = Taxi()
    cab.state = Taxi.encode(row: 4, col: 0, passenger: Taxi.inTaxi, destination: 1)
    let step = try cab.step(.int(5))
    XCTAssertEqual(step.reward, -1)
    XCTAssertFalse(step.terminated)
    XCTAssertEqual(step.observation, .int(Taxi.encode(row: 4, col: 0, passenger: 2, destination: 1)))
  }

  func testWallsBlockAndTheMaskKnows() throws {
    let cab = Taxi()
    // (0, 1) has a wall to its east; (0, 0) is the R stand with open road east.
    cab.state = Taxi.encode(row: 0, col: 1, passenger: 0, destination: 2)
    let blocked = try cab.step(.int(2))
    XCTAssertEqual(blocked.observation, .int(Taxi.encode(row: 0, col: 1, passenger: 0, destination: 2)))
    XCTAssertEqual(blocked.reward, -1)
    XCTAssertEqual(blocked.info["action_mask"], .point(.ints([1, 0, 0, 1, 0, 0])))
    let west = try cab.step(.int(3))
    XCTAssertEqual(west.info["action_mask"], .point(.ints([1, 0, 1, 0, 1, 0])))
    XCTAssertEqual(Taxi.actionMask(Taxi.encode(row: 4, col: 3, passenger: Taxi.inTaxi, destination: 0)), [0, 1, 1, 0, 0, 1])
    XCTAssertEqual(Taxi.actionMask(-1), [0, 0, 0, 0, 0, 0])
  }

  func testResetsCoverTheThreeHundredStartStates() throws {
    let env = try EnvRegistry.make("Taxi-v3", seed: 11)
    var seen = Set<Int>()
    for _ in 0..<5000 {
      let reset = try env.reset(seed: nil)
      guard case .int(let state) = reset.observation else { return XCTFail("not an int") }
      let s = Taxi.decode(state)
      XCTAssertTrue(s.passenger < 4 && s.passenger != s.destination)
      XCTAssertEqual(reset.info["prob"], .double(1))
      XCTAssertEqual(reset.info["action_mask"], .point(.ints(Taxi.actionMask(state))))
      seen.insert(state)
    }
    XCTAssertEqual(seen.count, 300)
    XCTAssertEqual(env.maxEpisodeSteps, 200)
    XCTAssertEqual(EnvRegistry.spec("Taxi-v3")?.rewardThreshold, 8)
  }

  func testRenderShowsTheTaxiPassengerAndLastAction() throws {
    let cab = Taxi()
    cab.state = Taxi.encode(row: 2, col: 3, passenger: 2, destination: 3)
    XCTAssertEqual(cab.render(), """
      +---------+
      |R: | : :G|
      | : | : : |
      | : : :T: |
      | | : | : |
      |Y| : |B: |
      +---------+
        Passenger at Y, destination B
      """)
    _ = try cab.step(.int(0))
    XCTAssertTrue(cab.render().hasSuffix("| | : |T: |\n|Y| : |B: |\n+---------+\n  Passenger at Y, destination B\n  (South)"))
  }
}
