import Foundation
import VigilMatch

/// Loads a bank the way the daemon would, without starting it (`vigil serve --check-config`).
public enum BankCheck {
    /// The bank's statistics, or the error naming the file and line at fault.
    public static func load(_ spec: BankSpec) async throws -> BankStats {
        let result = try BankLoader.load(name: spec.name, paths: spec.paths)
        _ = BankMatcher(bank: result.bank, threshold: spec.threshold, minQuality: spec.minQuality, role: spec.role)
        return result.bank.stats
    }
}
