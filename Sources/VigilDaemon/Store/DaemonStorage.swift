import Logging
import VigilAlerts

/// Where a daemon keeps what it must not lose — alerts and their deliveries, streams and banks
/// added over the API: a single node's state database, or, for a fleet node, the fleet's
/// database. Either has a spool for the alerts raised while that database cannot take them: a
/// single node's in a file with space reserved (its database may be on a full disk), a fleet
/// node's in its local state database.
struct DaemonStorage: Sendable {
    /// A fleet node's handles to the fleet's database.
    struct Fleet: Sendable {
        /// The connection pool.
        let database: ClusterDatabase
        /// The streams and this node's leases on them.
        let leases: StreamLeases
        /// The API banks every node loads.
        let banks: FleetBanks
    }

    /// The alert log sinks deliver from.
    let outbox: any AlertOutbox
    /// API-added streams (in a fleet, every stream).
    let streams: any StreamStore
    /// API-added banks.
    let banks: any BankStore
    /// Scan jobs (in a fleet, the fleet's queue).
    let scans: any ScanJobStore
    /// The fleet's database; nil for a single node.
    let fleet: Fleet?
    /// Alerts waiting for the outbox: a single node's in a file, a fleet node's in its state database.
    let spool: any AlertSpool
    /// Where a damaged state database was moved at start, if it was.
    let setAside: String?

    /// Opens the state database under `state_dir` and, with a `cluster` section, the fleet's
    /// database (the connections start with ``ClusterDatabase/run()``).
    init(config: DaemonConfig, logger: Logger) throws(DaemonError) {
        let local: Outbox
        do {
            do {
                local = try Outbox(path: config.databasePath)
                setAside = nil
            } catch where error.isCorrupt {
                // Watching goes on with a new database; the damaged one, with whatever alerts,
                // streams and banks it still holds, stays beside it for inspection.
                let moved = try OutboxDatabase.setAside(path: config.databasePath)
                logger.critical("the state database is damaged; set aside, starting with a new one", metadata: [
                    "database": "\(config.databasePath)", "set_aside_as": "\(moved)", "error": "\(error)",
                ])
                local = try Outbox(path: config.databasePath)
                setAside = moved
            }
        } catch {
            throw DaemonError("state_dir: cannot open the state database \(config.databasePath): \(error)")
        }
        guard let cluster = config.cluster else {
            do {
                let store = try DaemonStore(database: local.database)
                (outbox, streams, banks, fleet) = (local, store, store, nil)
                scans = try LocalScanJobs(database: local.database)
            } catch {
                throw DaemonError("state_dir: cannot open the state database \(config.databasePath): \(error)")
            }
            do {
                spool = try FileAlertSpool(path: config.spoolPath)
            } catch {
                throw DaemonError("state_dir: cannot open the alert spool: \(error)")
            }
            return
        }
        do {
            let database = try ClusterDatabase(url: cluster.database, logger: logger)
            let fleet = Fleet(
                database: database, leases: StreamLeases(database: database, node: cluster.nodeID, ttl: cluster.leaseTTL),
                banks: FleetBanks(database: database, node: cluster.nodeID))
            spool = try DatabaseAlertSpool(database: local.database)
            outbox = FleetOutbox(database: database, node: cluster.nodeID, window: config.alerts.window, sinkLeaseTTL: cluster.leaseTTL)
            (streams, banks, self.fleet) = (fleet.leases, fleet.banks, fleet)
            scans = FleetScanJobs(database: database)
        } catch {
            throw DaemonError("cluster: \(error)")
        }
    }
}
