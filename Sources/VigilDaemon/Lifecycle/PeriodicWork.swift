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

/// A reading of `clock` in seconds from now on (the existential opened once, here), for state
/// that keeps times as plain numbers.
func secondsElapsed<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Double {
    let start = clock.now
    return { start.duration(to: clock.now) / .seconds(1) }
}
