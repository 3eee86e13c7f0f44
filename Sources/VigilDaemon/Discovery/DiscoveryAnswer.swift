import Foundation

/// One answer of a media server's statistics API, read as discovery reads it: the public entry
/// to the three parsers, for the fuzzing harness.
public enum DiscoveryAnswer {
    /// The streams `data` says are published, as a server of `kind` answers one page; nil when
    /// the bytes are not that server's answer.
    public static func publishedStreams(_ data: Data, kind: DiscoverySpec.Kind) -> [PublishedStream]? {
        switch kind {
        case .nginxRTMP: try? NginxRTMPStatistics.publishedStreams(in: data)
        case .mediamtx: (try? MediaMTXPathList.parse(data))?.streams
        case .srs: (try? SRSStreamList.parse(data))?.streams
        }
    }
}
