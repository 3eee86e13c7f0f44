/// An invalid line that a lenient load (`skipInvalid: true`) skipped.
public struct BankIssue: Sendable, Hashable, CustomStringConvertible {
    /// The file as it was given to the loader.
    public var file: String
    /// The 1-based line that was skipped.
    public var line: Int
    /// Why it was skipped.
    public var problem: BankProblem

    /// Creates an issue.
    public init(file: String, line: Int, problem: BankProblem) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `file:line: problem`.
    public var description: String { "\(file):\(line): \(problem)" }
}
