/// Why a bank could not be loaded: the file, the line when one is at fault, and the problem.
///
/// Its description reads like a compiler diagnostic, e.g.
/// `known.csv:17: hash has 63 hex digits, expected 64`.
public struct BankError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or folder) as it was given to the loader.
    public var file: String
    /// The 1-based line at fault; nil when the whole file is (unreadable, UTF-16...).
    public var line: Int?
    /// What is wrong.
    public var problem: BankProblem

    /// Creates an error.
    public init(file: String, line: Int?, problem: BankProblem) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `file:line: problem`, or `file: problem` for a whole-file problem.
    public var description: String {
        if let line {
            return "\(file):\(line): \(problem)"
        }
        return "\(file): \(problem)"
    }
}
