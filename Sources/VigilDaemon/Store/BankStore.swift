/// Where the banks added over the API are kept, so that they outlive the process: a single
/// node's state database (``DaemonStore``), or the fleet's database (``FleetBanks``), from which
/// every node loads them.
///
/// The same behaviour tests run against both implementations.
public protocol BankStore: Sendable {
    /// Every stored bank, in the order added.
    func banks() async throws -> [BankSpec]
    /// Stores a bank; false when the name is taken.
    func insert(_ bank: BankSpec) async throws -> Bool
    /// Deletes a bank; false when none had the name.
    func removeBank(name: String) async throws -> Bool
}
