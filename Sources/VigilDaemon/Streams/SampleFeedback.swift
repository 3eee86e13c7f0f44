import VigilMedia

/// How a sample's consumer talks back to the source it came from: where to focus sampling, and
/// (for a file read in step with detection) that the sample is done.
public struct SampleFeedback: Sendable {
    /// Asks the source to also sample the pictures at these times.
    public var focus: @Sendable (FocusRequest) -> Void
    /// The sample has been judged (or dropped): a source waiting for it may read on.
    public var acknowledge: @Sendable () -> Void

    /// Creates feedback from its two actions.
    public init(focus: @escaping @Sendable (FocusRequest) -> Void, acknowledge: @escaping @Sendable () -> Void) {
        self.focus = focus
        self.acknowledge = acknowledge
    }
}
