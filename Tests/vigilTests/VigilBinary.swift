import Foundation
import VigilTestSupport

/// Runs the built `vigil` executable, as a user would.
enum VigilBinary {
    static let path: String = {
        if let configured = ProcessInfo.processInfo.environment["VIGIL_BINARY"] {
            return configured
        }
        return Fixtures.root.appendingPathComponent(".build/debug/vigil").path
    }()

    static func run(_ arguments: [String], timeout: TimeInterval = 120) async throws -> ProcessOutput {
        try await runProcess(path, arguments, timeout: timeout)
    }
}
