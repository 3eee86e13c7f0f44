/// Where a bank entry came from: a file and a 1-based line number.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as it was given to the loader (or the name given to the parser).
    public var file: String
    /// 1-based line number within `file`.
    public var line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, the form editors and compilers use, so a reader can jump straight to it.
    public var description: String { "\(file):\(line)" }
}
