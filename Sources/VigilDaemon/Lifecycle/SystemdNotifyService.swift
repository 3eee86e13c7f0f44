import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Tells systemd how the daemon is doing (``SystemdNotifier``): `READY=1` once it serves,
/// `WATCHDOG=1` while it answers, `STOPPING=1` when the drain begins.
///
/// Runs in the daemon's service group, listed last so that it is the first told of a graceful
/// shutdown: `STOPPING=1` goes out before the core drains (systemd stops enforcing the watchdog
/// then, so a long drain is no hang).
struct SystemdNotifyService: Service {
    let notifier: SystemdNotifier
    /// The daemon's clock: paces the pings (tests give their own).
    let clock: any Clock<Duration>
    /// Returns once the daemon serves, with the `STATUS=` text to report.
    let ready: @Sendable () async -> String
    /// Returns once the daemon's parts answered; a part that is stuck keeps it from returning, so
    /// the pings stop and systemd restarts the daemon.
    let probe: @Sendable () async -> Void

    func run() async {
        let (notifier, clock, ready, probe) = (notifier, clock, ready, probe)
        await cancelWhenGracefulShutdown {
            let status = await ready()
            guard !Task.isCancelled else { return }
            notifier.ready(status: status)
            guard let watchdog = notifier.watchdog else {
                try? await gracefulShutdown()
                return
            }
            notifier.logger.info("systemd watchdog on", metadata: ["ping_every": "\(watchdog.interval)"])
            notifier.send(["WATCHDOG=1"])
            await repeatEvery(watchdog.interval, on: clock) {
                guard await Self.answered(probe) else { return false }
                notifier.send(["WATCHDOG=1"])
                return true
            }
        }
        notifier.send(["STOPPING=1", "STATUS=draining"])
    }

    /// Runs `probe`, returning true when it finished and false as soon as the calling task is
    /// cancelled: a stuck probe must starve the watchdog, not hold up the shutdown.
    private static func answered(_ probe: @escaping @Sendable () async -> Void) async -> Bool {
        // Whichever comes first, the probe's answer or the cancellation, resumes the waiter once.
        let state = Mutex<(waiter: CheckedContinuation<Bool, Never>?, outcome: Bool?)>((nil, nil))
        let finish = { @Sendable (answered: Bool) in
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard state.outcome == nil else { return nil }
                state.outcome = answered
                return state.waiter.take()
            }
            waiter?.resume(returning: answered)
        }
        let work = Task {
            await probe()
            finish(true)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let known = state.withLock { state -> Bool? in
                    if state.outcome == nil { state.waiter = continuation }
                    return state.outcome
                }
                if let known { continuation.resume(returning: known) }
            }
        } onCancel: {
            work.cancel()
            finish(false)
        }
    }
}

extension SystemdNotifyService {
    /// What `systemctl status` shows while the daemon serves.
    static func status(of core: DaemonCore) -> String {
        "watching \(core.supervisor.specs.count) streams against \(core.banks.specs.count) banks"
    }

    /// The daemon's liveness: every NIO event loop (the API's among them) runs a task, the stream
    /// table answers, and the alert pipeline's actor takes a turn.
    static func probe(core: DaemonCore) -> @Sendable () async -> Void {
        {
            for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
                _ = try? await loop.submit {}.get()
            }
            _ = core.supervisor.statuses()
            await visit(core.pipeline)
        }
    }

    /// A turn on `pipeline`'s executor, and nothing else.
    private static func visit(_ pipeline: isolated AlertPipeline) {}
}
