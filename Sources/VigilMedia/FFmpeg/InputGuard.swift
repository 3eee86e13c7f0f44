import CFFmpeg
import Synchronization

/// Everything FFmpeg's callbacks consult while an input is open: the stop flag, the deadline of the
/// blocking call in progress, and which protocols the input may open.
///
/// FFmpeg calls back from inside blocking I/O, possibly on threads of its own (the UDP reader), so
/// every field is immutable or atomic. One guard belongs to one ``FormatContext``, which keeps it alive
/// for as long as FFmpeg may call back.
final class InputGuard: Sendable {
    /// Raised by whoever stops the reader; aborts the blocking call in progress.
    let cancellation: CancellationFlag
    /// Protocols the input may open, or `nil` to leave FFmpeg's own rules alone.
    let allowedProtocols: Set<String>?

    /// Monotonic nanoseconds after which blocking calls are aborted; `UInt64.max` for none.
    private let deadline = Atomic<UInt64>(.max)
    private let deadlineHit = Atomic<Bool>(false)
    private let refusalHandler: (@Sendable (String) -> Void)?

    /// - Parameters:
    ///   - allowedProtocols: the protocol whitelist; every open of anything else is refused.
    ///   - onRefusal: told each refused URL, on whichever thread FFmpeg made the attempt.
    init(
        cancellation: CancellationFlag,
        allowedProtocols: Set<String>? = nil,
        onRefusal: (@Sendable (String) -> Void)? = nil
    ) {
        self.cancellation = cancellation
        self.allowedProtocols = allowedProtocols
        refusalHandler = onRefusal
    }

    // MARK: Deadlines

    /// Aborts blocking calls once `seconds` from now have passed; `nil` removes the deadline.
    func setDeadline(secondsFromNow seconds: Double?) {
        deadlineHit.store(false, ordering: .relaxed)
        guard let seconds, seconds.isFinite else {
            deadline.store(.max, ordering: .releasing)
            return
        }
        let nanoseconds = seconds <= 0 ? 0 : UInt64(min(seconds, 1e9) * 1e9)
        deadline.store(MonotonicClock.nanoseconds() &+ nanoseconds, ordering: .releasing)
    }

    /// Whether the last blocking call was aborted because its deadline passed (not by cancellation).
    var deadlineExpired: Bool { deadlineHit.load(ordering: .acquiring) }

    /// Polled by FFmpeg: non-zero aborts the blocking call with `AVERROR_EXIT`.
    fileprivate func shouldInterrupt() -> Bool {
        if cancellation.isCancelled { return true }
        let limit = deadline.load(ordering: .acquiring)
        guard limit != .max, MonotonicClock.nanoseconds() >= limit else { return false }
        deadlineHit.store(true, ordering: .releasing)
        return true
    }

    // MARK: Protocol whitelist

    /// Decides whether `url` may be opened, reporting it to the refusal handler if not.
    fileprivate func admits(url: String, protocolName: String?) -> Bool {
        guard let allowedProtocols else { return true }
        if let protocolName, allowedProtocols.contains(protocolName) { return true }
        refusalHandler?(url)
        return false
    }

    // MARK: Wiring into a format context

    /// Installs the interrupt and open callbacks on a freshly allocated context.
    ///
    /// The guard and the context's original opener travel through `opaque`, which FFmpeg copies to
    /// the nested contexts some demuxers create (HLS, DASH), so nested opens are checked too.
    func install(on context: UnsafeMutablePointer<AVFormatContext>) -> CallbackBox {
        let box = CallbackBox(guard: self, defaultOpen: context.pointee.io_open)
        let opaque = Unmanaged.passUnretained(box).toOpaque()
        context.pointee.interrupt_callback = AVIOInterruptCB(callback: interruptCallback, opaque: opaque)
        context.pointee.opaque = opaque
        if allowedProtocols != nil {
            context.pointee.io_open = guardedOpen
        }
        return box
    }

    /// What the C callbacks reach through an unretained pointer; owned by the ``FormatContext``.
    final class CallbackBox {
        let inputGuard: InputGuard
        let defaultOpen: OpenFunction?

        typealias OpenFunction = @convention(c) (
            UnsafeMutablePointer<AVFormatContext>?, UnsafeMutablePointer<UnsafeMutablePointer<AVIOContext>?>?,
            UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?
        ) -> Int32

        init(guard inputGuard: InputGuard, defaultOpen: OpenFunction?) {
            self.inputGuard = inputGuard
            self.defaultOpen = defaultOpen
        }
    }
}

/// Polled by FFmpeg during blocking calls; a non-zero result aborts them with `AVERROR_EXIT`.
private let interruptCallback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
    guard let opaque else { return 0 }
    return Unmanaged<InputGuard.CallbackBox>.fromOpaque(opaque).takeUnretainedValue().inputGuard.shouldInterrupt() ? 1 : 0
}

/// Replaces `AVFormatContext.io_open`: every URL a demuxer wants to open (the input itself, HLS
/// playlists, segments and keys) is checked against the whitelist before FFmpeg's own opener runs.
private let guardedOpen: InputGuard.CallbackBox.OpenFunction = { context, pb, url, flags, options in
    guard let context, let url, let opaque = context.pointee.opaque else { return -EPERM }
    let box = Unmanaged<InputGuard.CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
    let protocolName = avio_find_protocol_name(url).map { String(cString: $0) }
    guard box.inputGuard.admits(url: String(cString: url), protocolName: protocolName),
          let open = box.defaultOpen else {
        return -EPERM
    }
    return open(context, pb, url, flags, options)
}
