/// Vigil's version, as `vigil --version` prints it and fleet nodes record it.
public enum VigilVersion {
    /// The version string.
    public static let current = "0.1.0"
}
