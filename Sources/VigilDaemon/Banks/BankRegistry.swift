import Foundation
import Logging
import Synchronization
import VigilMatch

/// The banks the matcher uses, reloadable while streams are being matched.
///
/// A reload reads and indexes the new bank off to the side, on a thread outside Swift's task pool
/// (large banks take seconds); only when it is complete is it published, in one step, through
/// `HotSwappable`. Frames being matched meanwhile use the old index, and a failed reload leaves the
/// old bank serving, with the error shown in ``statuses()``.
public final class BankRegistry: Sendable {
    private let current = HotSwappable<[LoadedBank]>([])
    private struct Entry {
        var spec: BankSpec
        var lastError: String?
        var loading = false
    }
    /// Every bank asked for, in order, loaded or not.
    private let entries = Mutex<[Entry]>([])
    private let metrics: DaemonMetrics?
    private let logger: Logger
    /// Serialises loads so that two reloads of one bank cannot publish out of order.
    private let loadQueue = DispatchQueue(label: "vigil.bank-loader")

    /// Creates an empty registry.
    public init(metrics: DaemonMetrics? = nil, logger: Logger = Logger(label: "vigil.banks")) {
        self.metrics = metrics
        self.logger = logger
    }

    /// The banks serving now: a consistent snapshot, safe to use while reloads happen.
    public func loaded() -> [LoadedBank] {
        current.load()
    }

    /// Specs of every bank, loaded or not.
    public var specs: [BankSpec] { entries.withLock { $0.map(\.spec) } }

    /// Adds (or replaces the spec of) a bank and loads it. On failure the bank stays registered
    /// with its error, and an older version of it, if any, keeps serving.
    @discardableResult
    public func add(_ spec: BankSpec) async throws(BankError) -> BankStatus {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.spec.name == spec.name }) {
                entries[index].spec = spec
            } else {
                entries.append(Entry(spec: spec))
            }
        }
        return try await reload(name: spec.name)
    }

    /// Removes a bank; false when unknown.
    @discardableResult
    public func remove(name: String) -> Bool {
        let removed = entries.withLock { entries -> Bool in
            let before = entries.count
            entries.removeAll { $0.spec.name == name }
            return entries.count != before
        }
        publish { $0.removeAll { $0.spec.name == name } }
        if removed {
            metrics?.bankEntries(bank: name).set(0)
            FreedMemory.returnToSystem()
        }
        return removed
    }

    /// Reads the bank's files again and publishes the result.
    @discardableResult
    public func reload(name: String) async throws(BankError) -> BankStatus {
        guard let spec = entries.withLock({ $0.first { $0.spec.name == name }?.spec }) else {
            throw BankError(file: name, line: nil, problem: .notFound)
        }
        let result = await load(spec)
        // After the swap (or the failure) the old index and the loader's scratch are free.
        defer { FreedMemory.returnToSystem() }
        switch result {
        case .success(let bank):
            let stillWanted = entries.withLock { entries -> Bool in
                guard let index = entries.firstIndex(where: { $0.spec.name == name }), entries[index].spec == spec else { return false }
                entries[index].lastError = nil
                return true
            }
            if stillWanted {
                publish { banks in
                    if let index = banks.firstIndex(where: { $0.spec.name == name }) {
                        banks[index] = bank
                    } else {
                        banks.append(bank)
                    }
                }
            }
            metrics?.bankEntries(bank: name).set(bank.matcher.bank.entries.count)
            metrics?.bankReloads(bank: name, result: "ok").increment()
            metrics?.bankReloadTime(bank: name).recordNanoseconds(Int64(bank.loadSeconds * 1e9))
            logger.info("bank loaded", metadata: [
                "bank": "\(name)", "stats": "\(bank.matcher.bank.stats)", "seconds": "\(String(format: "%.3f", bank.loadSeconds))",
            ])
            return status(name) ?? Self.status(spec: spec, bank: bank, error: nil)
        case .failure(let error):
            entries.withLock { entries in
                if let index = entries.firstIndex(where: { $0.spec.name == name }) { entries[index].lastError = error.description }
            }
            metrics?.bankReloads(bank: name, result: "error").increment()
            logger.error("bank load failed; the previous version keeps serving", metadata: ["bank": "\(name)", "error": "\(error)"])
            throw error
        }
    }

    /// Reloads every bank whose files changed since it was loaded (or that never loaded and whose
    /// files now exist). Errors are logged and shown in ``statuses()``.
    public func reloadChanged() async {
        let banks = loaded()
        for spec in specs {
            let signature = FileSignature(paths: spec.paths)
            if let bank = banks.first(where: { $0.spec.name == spec.name }), bank.spec == spec, bank.signature == signature {
                continue
            }
            let lastError = entries.withLock { $0.first { $0.spec.name == spec.name }?.lastError }
            // A bank that failed and whose files have not changed since would just fail again.
            if lastError != nil, failedSignatures.withLock({ $0[spec.name] }) == signature { continue }
            logger.info("bank files changed; reloading", metadata: ["bank": "\(spec.name)"])
            _ = try? await reload(name: spec.name)
        }
    }

    private let failedSignatures = Mutex<[String: FileSignature]>([:])

    /// Every bank's status, in order.
    public func statuses() -> [BankStatus] {
        let banks = loaded()
        return entries.withLock { entries in
            entries.map { entry in
                Self.status(spec: entry.spec, bank: banks.first { $0.spec.name == entry.spec.name }, error: entry.lastError)
            }
        }
    }

    /// One bank's status, nil when unknown.
    public func status(_ name: String) -> BankStatus? {
        statuses().first { $0.name == name }
    }

    private static func status(spec: BankSpec, bank: LoadedBank?, error: String?) -> BankStatus {
        BankStatus(
            name: spec.name, paths: spec.paths, origin: spec.origin, role: spec.role, threshold: spec.threshold, minQuality: spec.minQuality,
            entries: bank?.matcher.bank.entries.count ?? 0, videos: bank?.matcher.bank.videos.count ?? 0,
            fileDigests: bank?.matcher.bank.fileDigests.count ?? 0,
            loadedAt: bank?.loadedAt, loadSeconds: bank?.loadSeconds, lastError: error)
    }

    private func publish(_ change: (inout [LoadedBank]) -> Void) {
        // HotSwappable replaces whole values; the lock orders concurrent publishers.
        publishLock.withLock { _ in
            var banks = current.load()
            change(&banks)
            current.store(banks)
        }
    }
    private let publishLock = Mutex(())

    /// Reads and indexes on the loader queue, off Swift's cooperative pool.
    private func load(_ spec: BankSpec) async -> Result<LoadedBank, BankError> {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<LoadedBank, BankError>, Never>) in
            loadQueue.async {
                let started = DispatchTime.now()
                let signature = FileSignature(paths: spec.paths)
                do throws(BankError) {
                    let loaded = try BankLoader.load(name: spec.name, paths: spec.paths)
                    let matcher = BankMatcher(bank: loaded.bank, threshold: spec.threshold, minQuality: spec.minQuality, role: spec.role)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
                    continuation.resume(returning: .success(LoadedBank(
                        spec: spec, matcher: matcher, loadedAt: Date(), loadSeconds: seconds, signature: signature)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        if case .failure = result {
            failedSignatures.withLock { $0[spec.name] = FileSignature(paths: spec.paths) }
        }
        return result
    }
}
