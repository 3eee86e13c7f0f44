/// What a bank's entries do when a frame comes near them.
public enum BankRole: String, Sendable, Equatable, Codable, CaseIterable {
    /// Known material: a match raises an alert.
    case match
    /// Known benign pictures (title cards, a platform's own intro, test patterns, benign
    /// look-alikes): a frame at least as near one of them as to any known entry raises nothing.
    case allow
}
