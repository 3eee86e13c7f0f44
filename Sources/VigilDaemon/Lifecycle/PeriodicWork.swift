import AsyncAlgorithms

/// Runs `body` every `interval` of `clock`, until the calling task is cancelled or `body` returns
/// false.
///
/// All of the daemon's periodic work (incident-update flushes, bank polling) goes through here, on
/// the clock the daemon was given, so tests drive it with a clock of their own instead of sleeping.
func repeatEvery<C: Clock>(_ interval: Duration, on clock: C, _ body: () async -> Bool) async where C.Duration == Duration {
    for await _ in AsyncTimerSequence(interval: interval, clock: clock) {
        guard await body() else { return }
    }
}
