import Foundation
import Synchronization

/// Writes each alert as one JSON line to standard output (for `vigil serve` under a supervisor
/// that collects output, and for demos).
public final class StdoutSink: AlertSink {
    public let name: String
    private let lock = Mutex(())

    /// Creates the sink.
    public init(name: String = "stdout") {
        self.name = name
    }

    public func deliver(_ delivery: OutgoingAlert) async throws {
        var line = delivery.body
        line.append(0x0A)
        try lock.withLock { _ in
            try FileHandle.standardOutput.write(contentsOf: line)
        }
    }
}
