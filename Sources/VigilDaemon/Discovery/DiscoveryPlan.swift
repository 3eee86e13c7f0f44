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

    /// The streams `source`'s published list asks for, in the server's order, and the published
    /// names refused (no id or URL can be made of them, or two map to one id).
    static func wanted(source: DiscoverySpec, published: [PublishedStream]) -> (streams: [StreamSpec], refused: [String: String]) {
        var streams: [StreamSpec] = []
        var refused: [String: String] = [:]
        var seen: Set<String> = []
        let origin = StreamSpec.Origin.discovery(source.name)
        for stream in published {
            let id = stream.streamID
            guard seen.insert(id).inserted else {
                refused[id] = "another published name maps to the same id"
                continue
            }
            guard let url = stream.playURL(source.playURL) else {
                refused[id] = "its name cannot be put in play_url (empty, '.', '..', or too long)"
                continue
            }
            if let problem = StreamURLPolicy.problem(with: url, allowFiles: false) {
                refused[id] = "play URL \(problem)"
                continue
            }
            streams.append(StreamSpec(id: id, url: url, origin: origin))
        }
        return (streams, refused)
    }

    /// Compares what `source`'s server publishes with what the daemon is `watching` (every stream,
    /// whatever its origin), with room for `room` more streams under `limits.max_streams`.
    static func make(source: DiscoverySpec, published: [PublishedStream], watching: [StreamSpec], room: Int) -> DiscoveryPlan {
        let origin = StreamSpec.Origin.discovery(source.name)
        let mine = Dictionary(watching.filter { $0.origin == origin }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let others = Set(watching.filter { $0.origin != origin }.map(\.id))
        let asked = wanted(source: source, published: published)
        var plan = DiscoveryPlan(refused: asked.refused)
        var wanted: [String: StreamSpec] = [:]
        for stream in asked.streams {
            guard !others.contains(stream.id) else {
                plan.refused[stream.id] = "a stream of another origin has the id \(stream.id)"
                continue
            }
            wanted[stream.id] = stream
        }
        // A stream whose URL changed (play_url edited) is released and started again.
        plan.stop = mine.keys.filter { wanted[$0]?.url != mine[$0]?.url }.sorted()
        var room = room + plan.stop.count
        for stream in asked.streams {
            guard wanted[stream.id] != nil, mine[stream.id] == nil || plan.stop.contains(stream.id) else { continue }
            guard room > 0 else {
                plan.refused[stream.id] = "limits.max_streams reached"
                continue
            }
            plan.start.append(stream)
            room -= 1
        }
        return plan
    }
}
