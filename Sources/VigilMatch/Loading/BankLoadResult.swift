/// A loaded bank and the invalid lines a lenient load skipped.
public struct BankLoadResult: Sendable {
    /// The bank.
    public var bank: Bank
    /// Skipped lines, in load order; always empty unless `skipInvalid` was set.
    public var issues: [BankIssue]

    /// Creates a result.
    public init(bank: Bank, issues: [BankIssue]) {
        self.bank = bank
        self.issues = issues
    }
}
