import Testing

/// Every test that runs real servers and feeders. They run one at a time: they are timing-sensitive
/// (real-time feeds, stall deadlines) and the machine has two cores shared with other work.
@Suite("Live sources", .serialized, .timeLimit(.minutes(3)))
struct LiveSuite {}
