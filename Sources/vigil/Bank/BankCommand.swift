import ArgumentParser

/// `vigil bank`: tools for hash lists.
struct BankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank",
        abstract: "Work with hash lists (banks).",
        subcommands: [BankCheckCommand.self]
    )
}
