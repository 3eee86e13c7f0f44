import Foundation

/// The bytes of one bank file and the name to report it by, for loading banks that are not on
/// disk (tests, banks fetched over the network).
public struct BankSource: Sendable {
    /// The name used in sources, errors and issues.
    public var file: String
    /// The file's content.
    public var data: Data

    /// Creates a source.
    public init(file: String, data: Data) {
        self.file = file
        self.data = data
    }
}
