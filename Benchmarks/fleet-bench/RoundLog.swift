import Synchronization

/// What one lease round of one simulated node did.
struct RoundRecord: Sendable {
    /// When the round ended.
    var end: ContinuousClock.Instant
    /// How long it took, renewal to the last statement.
    var seconds: Double
    /// Whether a statement failed or ran past the database deadline; then nothing else is known.
    var failed: Bool
    /// Whether the plan issued a claim statement (it may have found nothing to take).
    var claimed: Bool
    /// Whether the plan issued an offer statement.
    var offered: Bool
    /// Streams the node holds now that it did not hold after its previous round.
    var taken: Int

    /// Statements the round issued: renewal and census always, then a claim and an offer when
    /// the plan asks for them (as ``LeaseRound`` skips a claim or offer of zero streams).
    var statements: Int { failed ? 0 : 2 + (claimed ? 1 : 0) + (offered ? 1 : 0) }

    /// Whether the round changed who holds or offers what.
    var moved: Bool { taken > 0 || offered }
}

/// Every round of every simulated node, for the phases to count what happened in their windows.
final class RoundLog: Sendable {
    private let state = Mutex<(records: [RoundRecord], lastMove: ContinuousClock.Instant?)>(([], nil))

    /// Records a round.
    func append(_ record: RoundRecord) {
        state.withLock { state in
            state.records.append(record)
            if record.moved { state.lastMove = max(state.lastMove ?? record.end, record.end) }
        }
    }

    /// The rounds that ended in `window`.
    func records(in window: Range<ContinuousClock.Instant>) -> [RoundRecord] {
        state.withLock { state in state.records.filter { window.contains($0.end) } }
    }

    /// When a round last took or offered a stream.
    var lastMove: ContinuousClock.Instant? { state.withLock { $0.lastMove } }
}
