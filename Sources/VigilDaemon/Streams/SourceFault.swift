import Foundation
import VigilMedia

/// The latest error a source ran into, and when: what the stream-health watch judges a stream
/// that has stopped yielding pictures by.
public struct SourceFault: Sendable, Equatable, Codable {
    /// The error.
    public var error: MediaError
    /// When it happened.
    public var at: Date

    /// Creates a fault.
    public init(error: MediaError, at: Date) {
        self.error = error
        self.at = at
    }
}
