import Logging
import VigilAlerts

/// Where a daemon keeps what it must not lose — alerts and their deliveries, streams and banks
/// added over the API: a single node's state database, or, for a fleet node, the fleet's
/// database plus a local spool for the alerts it raises while the fleet's database is out of
/// reach.
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
    /// The fleet's database; nil for a single node.
    let fleet: Fleet?
    /// A fleet node's alerts waiting for the fleet's database; nil for a single node.
    let spool: AlertSpool?

    /// Opens the state database under `state_dir` and, with a `cluster` section, the fleet's
    /// database (the connections start with ``ClusterDatabase/run()``).
    init(config: DaemonConfig, logger: Logger) throws(DaemonError) {
        let local: Outbox
        do {
            local = try Outbox(path: config.databasePath)
        } catch {
            throw DaemonError("state_dir: cannot open the state database \(config.databasePath): \(error)")
        }
        guard let cluster = config.cluster else {
            do {
                let store = try DaemonStore(database: local.database)
                (outbox, streams, banks, fleet, spool) = (local, store, store, nil, nil)
            } catch {
                throw DaemonError("state_dir: cannot open the state database \(config.databasePath): \(error)")
            }
            return
        }
        do {
            let database = try ClusterDatabase(url: cluster.database, logger: logger)
            let fleet = Fleet(
                database: database, leases: StreamLeases(database: database, node: cluster.nodeID, ttl: cluster.leaseTTL),
                banks: FleetBanks(database: database, node: cluster.nodeID))
            spool = try AlertSpool(database: local.database)
            outbox = FleetOutbox(database: database, node: cluster.nodeID, window: config.alerts.window, sinkLeaseTTL: cluster.leaseTTL)
            (streams, banks, self.fleet) = (fleet.leases, fleet.banks, fleet)
        } catch {
            throw DaemonError("cluster: \(error)")
        }
    }
}
