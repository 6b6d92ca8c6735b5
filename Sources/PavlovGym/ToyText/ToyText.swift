/// The ToyText environments (filled in as they land).
public enum ToyText {
  public static let specs: [EnvSpec] = []
}
