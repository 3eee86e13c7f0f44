import Logging
import Synchronization

/// Keeps this node's API banks equal to the fleet's table (``FleetBanks``): loads new ones,
/// reloads those whose version or spec changed (the old index serves until the new one is
/// ready), drops deleted ones, and records what it serves. Config banks are the node's own and
/// win over an API bank of the same name.
public final class FleetBankSync: Sendable {
    /// The fleet's banks.
    public let banks: FleetBanks
    private let registry: BankRegistry
    private let logger: Logger
    /// The version of each API bank this node last loaded (or tried to).
    private let served = Mutex<[String: Int]>([:])

    /// A sync of `registry` with `banks`.
    public init(banks: FleetBanks, registry: BankRegistry, logger: Logger) {
        self.banks = banks
        self.registry = registry
        self.logger = logger
    }

    /// Keeps this node's banks in sync until the calling task is cancelled: a pass whenever the
    /// fleet's banks change (LISTEN/NOTIFY), and one every `interval` of `clock` in any case, for
    /// a notification lost with its connection.
    public func run(every interval: Duration, on clock: any Clock<Duration>, configBanks: @escaping @Sendable () -> Set<String>) async {
        let (changes, change) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await repeatEvery(interval, on: clock) {
                    change.yield()
                    return true
                }
            }
            group.addTask { await self.listen(retryAfter: interval, on: clock) { change.yield() } }
            for await _ in changes {
                do {
                    try await sync(configBanks: configBanks())
                } catch {
                    logger.debug("fleet bank pass failed; trying again at the next change or poll", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    /// Calls `changed` whenever the fleet's banks change, and once each time listening starts
    /// (for what changed while it was not), until cancelled; a lost connection listens again
    /// after `retryAfter`.
    private func listen(retryAfter: Duration, on clock: any Clock<Duration>, _ changed: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            do {
                try await banks.database.client.withConnection { connection in
                    try await connection.listen(on: FleetBanks.channel) { notifications in
                        changed()
                        for try await _ in notifications { changed() }
                    }
                }
            } catch {
                logger.debug("not listening for fleet bank changes; polling meanwhile", metadata: ["error": "\(error)"])
            }
            try? await clock.sleep(for: retryAfter)
        }
    }

    /// One pass; a bank that fails to load keeps its error (and its previous version serving).
    public func sync(configBanks: Set<String>) async throws(ClusterError) {
        let rows = try await banks.all()
        let wanted = Set(rows.map(\.spec.name))
        for spec in registry.specs where spec.origin == .api && !wanted.contains(spec.name) {
            registry.remove(name: spec.name)
            served.withLock { $0[spec.name] = nil }
            logger.notice("bank removed by the fleet", metadata: ["bank": "\(spec.name)"])
        }
        for row in rows where !configBanks.contains(row.spec.name) {
            let current = registry.specs.first { $0.name == row.spec.name }
            let version = served.withLock { $0[row.spec.name] }
            guard current != row.spec || version != row.version else { continue }
            var failure: String?
            do {
                try await registry.add(row.spec)
            } catch {
                failure = error.description
            }
            await record(name: row.spec.name, version: row.version, error: failure)
        }
    }

    /// Notes that this node loaded `version` of a bank itself (an API request it answered), so the
    /// next pass does not load it again, and tells the fleet.
    public func record(name: String, version: Int, error: String?) async {
        served.withLock { $0[name] = version }
        do {
            try await banks.recordLoad(bank: name, version: version, error: error)
        } catch {
            logger.warning("cannot record a bank load in the fleet database", metadata: ["bank": "\(name)", "error": "\(error)"])
        }
    }

    /// Forgets a bank removed through this node.
    public func forget(name: String) {
        served.withLock { $0[name] = nil }
    }
}
