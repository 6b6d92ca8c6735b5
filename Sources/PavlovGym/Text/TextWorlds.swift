/// Environments whose observations and actions are text (LMRL-Gym's tasks).
public enum TextWorlds {
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "TextMaze-v0", maxEpisodeSteps: 50,
            summary: "LMRL-Gym's fully observed maze in words: told the goal's and its own cell, answer \"go north\" (or south, east, west)",
            build: { try TextMaze.make($0, fullyObserved: true) }),
    EnvSpec(id: "TextMazePO-v0", maxEpisodeSteps: 50,
            summary: "The maze told only which neighbouring cells are walls: the dialogue so far is the state",
            build: { try TextMaze.make($0, fullyObserved: false) }),
    EnvSpec(id: "Wordle-v0", maxEpisodeSteps: nil,
            summary: "Guess a secret five-letter word in six tries from per-letter feedback (g, y, _); the dialogue is the state",
            build: { try Wordle.make($0) }),
    EnvSpec(id: "TwentyQuestions-v0", maxEpisodeSteps: nil,
            summary: "Find the hidden object with yes/no questions from a fixed grammar, then guess it; twenty questions at most",
            build: { try QuestionGame.make($0, table: TwentyQuestions.table) }),
    EnvSpec(id: "GuessMyCity-v0", maxEpisodeSteps: nil,
            summary: "Twenty questions over 39 real cities: ask \"is the city on the coast?\" and the like, then \"is it paris?\"",
            build: { try QuestionGame.make($0, table: GuessMyCity.table) }),
    EnvSpec(id: "TextNav-v0", maxEpisodeSteps: 30,
            summary: "A six-room house in words: reach a goal such as \"put the apple in the fridge\" with the commands each observation lists",
            build: { try TextNav.make($0) }),
    EnvSpec(id: "ChessEndgame-v0", maxEpisodeSteps: 100,
            summary: "King and rook against a tablebase-perfect king: mate it in moves such as \"a1a8\" (1 for mate, 0 for a draw)",
            build: { try ChessEndgame.make($0) }),
  ]
}
