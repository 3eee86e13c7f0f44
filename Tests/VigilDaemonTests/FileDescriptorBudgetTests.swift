import Testing
@testable import VigilDaemon

/// The open-file budget behind `limits.max_streams`.
@Suite("File descriptor budget")
struct FileDescriptorBudgetTests {
    @Test("the soft limit stays when it suffices, rises to what is needed under the hard limit, and is refused over it")
    func softLimit() {
        let needed = UInt64(FileDescriptorBudget.needed(streams: 500))
        #expect(needed == 500 * 4 + 256)
        #expect(FileDescriptorBudget.softLimit(streams: 500, soft: 65536, hard: 65536) == 65536)
        #expect(FileDescriptorBudget.softLimit(streams: 500, soft: 1024, hard: 524_288) == needed)
        #expect(FileDescriptorBudget.softLimit(streams: 500, soft: 1024, hard: 2048) == nil)
    }

    @Test("a budget the hard limit cannot hold is refused with both numbers and what to change")
    func refusal() {
        #expect {
            try FileDescriptorBudget.ensure(streams: 100_000_000)
        } throws: { error in
            let text = "\(error)"
            return text.contains("limits.max_streams: 100000000 streams need about 400000256 open files") && text.contains("RLIMIT_NOFILE")
        }
    }

    @Test("a config stream count over limits.max_streams is refused, and a fleet node's cluster.max_streams over it")
    func config() {
        let base = "api_token: 0123456789abcdef0123\nlimits: {max_streams: 2}\n"
        let streams = "streams:\n" + (0..<3).map { "  - {id: s\($0), url: 'rtmp://127.0.0.1/live/s\($0)'}" }.joined(separator: "\n") + "\n"
        #expect {
            try ConfigLoader.parse(base + streams)
        } throws: { "\($0)".contains("streams: 3 streams configured, over limits.max_streams (2)") }
        #expect {
            try ConfigLoader.parse(base + "cluster: {database: 'postgres://u@127.0.0.1/db', max_streams: 5}\n")
        } throws: { "\($0)".contains("max_streams (5) is over limits.max_streams (2)") }
        // In a fleet the config streams are shared: a node reads at most cluster.max_streams of them.
        #expect(throws: Never.self) {
            try ConfigLoader.parse(base + "cluster: {database: 'postgres://u@127.0.0.1/db', max_streams: 2}\n" + streams)
        }
    }
}
