import VigilMedia

/// What one poll of a discovery source changes: the streams to start and to stop, and the
/// published streams not followed, with why. A pure value, so the rules are tested without
/// servers.
struct DiscoveryPlan: Equatable {
    /// Streams newly published: start watching them.
    var start: [StreamSpec] = []
    /// Ids of this source's streams no longer published: release them.
    var stop: [String] = []
    /// Published streams not followed: their id and the reason.
    var refused: [String: String] = [:]

    /// Compares what `source`'s server publishes with what the daemon `watching` (every stream,
    /// whatever its origin), with room for `room` more streams under `limits.max_streams`.
    static func make(source: DiscoverySpec, published: [PublishedStream], watching: [StreamSpec], room: Int) -> DiscoveryPlan {
        var plan = DiscoveryPlan()
        let origin = StreamSpec.Origin.discovery(source.name)
        let mine = Dictionary(watching.filter { $0.origin == origin }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let others = Set(watching.filter { $0.origin != origin }.map(\.id))
        var wanted: [String: StreamSpec] = [:]
        var order: [String] = []
        for stream in published {
            let id = stream.streamID
            guard wanted[id] == nil else {
                plan.refused[id] = "another published name maps to the same id"
                continue
            }
            guard let url = stream.playURL(source.playURL) else {
                plan.refused[id] = "its name cannot be put in play_url (empty, '.', '..', or too long)"
                continue
            }
            if let problem = StreamURLPolicy.problem(with: url, allowFiles: false) {
                plan.refused[id] = "play URL \(problem)"
                continue
            }
            guard !others.contains(id) else {
                plan.refused[id] = "a stream of another origin has the id \(id)"
                continue
            }
            wanted[id] = StreamSpec(id: id, url: url, origin: origin)
            order.append(id)
        }
        // A stream whose URL changed (play_url edited) is released and started again.
        plan.stop = mine.keys.filter { wanted[$0]?.url != mine[$0]?.url }.sorted()
        var room = room + plan.stop.count
        for id in order {
            guard let spec = wanted[id], mine[id] == nil || plan.stop.contains(id) else { continue }
            guard room > 0 else {
                plan.refused[id] = "limits.max_streams reached"
                continue
            }
            plan.start.append(spec)
            room -= 1
        }
        return plan
    }
}
