import Synchronization

/// A one-way switch shared between a reader and whoever may stop it.
///
/// FFmpeg polls it from its interrupt callback, possibly on another thread, so it is atomic.
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    /// Whether ``cancel()`` has been called.
    var isCancelled: Bool { state.load(ordering: .acquiring) }

    /// Raises the flag; later calls have no further effect.
    func cancel() { state.store(true, ordering: .releasing) }
}
