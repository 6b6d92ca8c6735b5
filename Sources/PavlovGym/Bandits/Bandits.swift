/// The Bandits environments (filled in as they land).
public enum Bandits {
  public static let specs: [EnvSpec] = []
}
