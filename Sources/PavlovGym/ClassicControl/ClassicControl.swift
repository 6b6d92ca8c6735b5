/// The ClassicControl environments (filled in as they land).
public enum ClassicControl {
  public static let specs: [EnvSpec] = []
}
