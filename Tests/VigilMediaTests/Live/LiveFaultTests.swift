import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

extension LiveSuite {
    /// Live sources misbehaving on purpose: the session must never hang, never crash, and keep
    /// sampling whenever there is something to sample.
    @Suite("Live faults", .timeLimit(.minutes(3)))
    final class LiveFaultTests {
        let directory: URL

        init() throws {
            directory = try Fixtures.temporaryDirectory()
        }

        deinit {
            try? FileManager.default.removeItem(at: directory)
        }

        private func options(open: Double = 2, stall: Double = 2) -> StreamOptions {
            var options = liveTestOptions(stall: stall)
            options.timeouts = StreamTimeouts(open: open, probe: open, stall: stall)
            return options
        }

        private static func isMonotonic(_ frames: [LiveFrame]) -> Bool {
            zip(frames, frames.dropFirst()).allSatisfy { $0.ptsSeconds <= $1.ptsSeconds }
        }

        @Test("The source is killed mid-stream and restarted: the session reconnects and sampling resumes")
        func sourceKilledAndRestarted() async throws {
            let media = try await LiveMedia.get()
            let nginx = try await NginxRTMPServer.start(in: directory)
            defer { nginx.process.stop() }
            let port = nginx.rtmpPort
            let url = "rtmp://127.0.0.1:\(port)/live/restart"
            var feeder = try LiveServers.feed(media.clip, format: "flv", to: url, in: directory)
            defer { feeder.stop() }

            let recorder = try SessionRecorder(url: url, options: options())
            recorder.start()
            #expect(await recorder.wait(upTo: 20) { $0.frames.count >= 2 }, "\(recorder.summary)")

            feeder.stop(abruptly: true)
            let killedAt = Date()
            // Sampling stops with the source...
            #expect(await recorder.wait(upTo: 10) { $0.states.contains { $0.at > killedAt && $0.state == .backoff } },
                    "\(recorder.summary)")
            try await Task.sleep(for: .seconds(1))
            feeder = try LiveServers.feed(media.clip, format: "flv", to: url, in: directory)
            let restartedAt = Date()
            // ...and resumes once it is back.
            let resumed = await recorder.wait(upTo: 25) { recorder in
                recorder.frames.filter { $0.receivedAt > restartedAt }.count >= 2
            }
            await recorder.stop()
            #expect(resumed, "\(recorder.summary)")
            let counters = recorder.session.counters
            #expect(counters.reconnects >= 1)
            #expect(Self.isMonotonic(recorder.frames), "timeline stays monotonic across the reconnect")
            #expect(recorder.session.state == .stopped)
        }

        @Test("A server accepts the connection and sends nothing: the open deadline fires, the session retries")
        func silentServer() async throws {
            let (server, port, connections) = try await LiveServers.misbehaving(.silent, in: directory)
            defer { server.stop() }
            let started = Date()
            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/live.ts", options: options(open: 1.5))
            recorder.start()
            let timedOut = await recorder.wait(upTo: 10) { recorder in
                recorder.states.contains { change in
                    if case .timedOut(_, "opening", _)? = change.reason { return true }
                    return false
                }
            }
            #expect(timedOut, "\(recorder.summary)")
            let firstTimeout = recorder.states.first { $0.state == .backoff }?.at ?? .distantFuture
            #expect(firstTimeout.timeIntervalSince(started) < 4, "deadline of 1.5 s, with slack")
            #expect(await eventually(within: 10) { LiveServers.connectionCount(connections) >= 2 }, "the session reconnects")
            let stopTook = await recorder.stop()
            #expect(stopTook < 2, "stop() interrupts a blocked open at once")
            #expect(recorder.frames.isEmpty)
        }

        @Test("A server sends part of a stream and then nothing: the stall watchdog fires within its deadline")
        func stallDetected() async throws {
            let media = try await LiveMedia.get()
            let payload = directory.appendingPathComponent("two-seconds.ts")
            try await ffmpeg(["-i", media.clip, "-t", "2", "-c", "copy", payload.path])
            let (server, port, _) = try await LiveServers.misbehaving(.httpStall, payload: payload, in: directory)
            defer { server.stop() }

            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/live.ts", options: options(stall: 1.5))
            recorder.start()
            let stalled = await recorder.wait(upTo: 15) { $0.states.contains { $0.state == .stalled } }
            await recorder.stop()
            #expect(stalled, "\(recorder.summary)")
            #expect(recorder.frames.count >= 1, "what arrived was sampled")
            let change = recorder.states.first { $0.state == .stalled }
            #expect(change?.reason == .stalled(url: "http://127.0.0.1:\(port)/live.ts", seconds: 1.5))
            if let lastFrame = recorder.frames.first?.observedAt, let stalledAt = change?.at {
                // The watchdog measures from the last packet, which arrived with the first burst.
                #expect(stalledAt.timeIntervalSince(lastFrame) < 1.5 + 2)
            }
            #expect(recorder.session.counters.stalls >= 1)
        }

        @Test("A server sends garbage bytes, with and without HTTP: refused, retried, never a crash", arguments: [
            LiveServers.Misbehaviour.httpGarbage, .rawGarbage,
        ])
        func garbage(behaviour: LiveServers.Misbehaviour) async throws {
            let (server, port, connections) = try await LiveServers.misbehaving(behaviour, in: directory)
            defer { server.stop() }
            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/live.ts", options: options())
            recorder.start()
            let retried = await recorder.wait(upTo: 20) { _ in LiveServers.connectionCount(connections) >= 2 }
            let stopTook = await recorder.stop()
            #expect(retried, "\(recorder.summary)")
            #expect(recorder.frames.isEmpty)
            #expect(recorder.states.contains { $0.state == .backoff && $0.reason != nil }, "\(recorder.summary)")
            #expect(!recorder.states.contains { $0.state == .failed }, "garbage is transient: the session keeps trying")
            #expect(stopTook < 2)
        }

        @Test("An HLS playlist stops updating: the stall is detected and the session reconnects")
        func hlsPlaylistStopsUpdating() async throws {
            let media = try await LiveMedia.get()
            let folder = directory.appendingPathComponent("stale-hls")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let writer = try LiveServers.hlsWriter(media.clip, into: folder, logDirectory: directory)
            defer { writer.stop() }
            let (http, port) = try await LiveServers.httpFolder(folder, logDirectory: directory)
            defer { http.stop() }
            #expect(await eventually(within: 15) { FileManager.default.fileExists(atPath: folder.appendingPathComponent("live.m3u8").path) })

            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/live.m3u8", options: options(open: 4, stall: 3))
            recorder.start()
            #expect(await recorder.wait(upTo: 20) { $0.frames.count >= 2 }, "\(recorder.summary)")
            // Killed outright, the writer leaves a playlist without an end tag that never changes again.
            writer.stop(abruptly: true)
            let frozenAt = Date()
            let stalled = await recorder.wait(upTo: 15) { $0.states.contains { $0.state == .stalled && $0.at > frozenAt } }
            await recorder.stop()
            #expect(stalled, "\(recorder.summary)")
            if let stalledAt = recorder.states.first(where: { $0.state == .stalled })?.at {
                // Stall limit of 3 s after the last packet, plus up to one segment still in flight.
                #expect(stalledAt.timeIntervalSince(frozenAt) < 3 + 4)
            }
            #expect(recorder.session.counters.stalls >= 1)
            #expect(Self.isMonotonic(recorder.frames))
        }

        @Test("An HLS playlist pointing a segment at file:///etc/passwd: refused, counted, reported")
        func hlsSegmentPointsAtLocalFile() async throws {
            let media = try await LiveMedia.get()
            let folder = directory.appendingPathComponent("hostile-hls")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in ["seg0.ts", "seg1.ts", "seg2.ts"] {
                try FileManager.default.copyItem(at: media.vodFolder.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            }
            try writePlaylist(["seg0.ts", "file:///etc/passwd", "seg1.ts", "seg2.ts"], to: folder.appendingPathComponent("hostile.m3u8"))
            let (http, port) = try await LiveServers.httpFolder(folder, logDirectory: directory)
            defer { http.stop() }

            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/hostile.m3u8", options: options())
            recorder.start()
            let ended = await recorder.wait(upTo: 20) { $0.session.state.isTerminal }
            await recorder.stop()
            #expect(ended, "an on-demand playlist ends: \(recorder.summary)")
            let counters = recorder.session.counters
            #expect(counters.refusedOpens >= 1)
            #expect(counters.refusedURLs.contains("file:///etc/passwd"), "\(counters.refusedURLs)")
            #expect(recorder.frames.count >= 2, "the legitimate segments are still sampled: \(recorder.summary)")
            #expect(recorder.session.state == .ended)
        }

        @Test("Pictures that grow over the size limits mid-stream are skipped and counted one at a time; reading goes on, and smaller pictures are sampled again")
        func oversizedPicturesSkipped() async throws {
            let media = try await LiveMedia.get()
            let folder = media.resolutionFolder
            try writePlaylist(["small0.ts", nil, "big0.ts", "big1.ts", nil, "small1.ts"], to: folder.appendingPathComponent("grow.m3u8"))
            let (http, port) = try await LiveServers.httpFolder(folder, logDirectory: directory)
            defer { http.stop() }

            var options = options()
            options.media.maxDimension = 200
            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/grow.m3u8", options: options)
            recorder.start()
            let ended = await recorder.wait(upTo: 20) { $0.session.state.isTerminal }
            await recorder.stop()
            #expect(ended, "\(recorder.summary)")
            let sizes = Set(recorder.frames.map { "\($0.width)x\($0.height)" })
            #expect(sizes.contains("160x120"), "\(sizes)")
            #expect(recorder.frames.allSatisfy { $0.width <= 200 && $0.height <= 200 }, "no picture over the limit is sampled (crops of small ones may be): \(sizes)")
            let counters = recorder.session.counters
            #expect(counters.oversizedPictures >= 2, "\(counters)")
            #expect(counters.reconnects == 0, "skipped, not reconnected: \(recorder.summary)")
            #expect(!recorder.states.contains { $0.state == .backoff || $0.state == .failed }, "\(recorder.summary)")
            #expect(recorder.frames.count >= 2, "the small segments before and after the big ones are both sampled: \(recorder.summary)")
            #expect(recorder.session.state == .ended)
        }

        @Test("Resolution changes mid-stream across an HLS discontinuity")
        func resolutionChange() async throws {
            let media = try await LiveMedia.get()
            let folder = media.resolutionFolder
            try writePlaylist(["big0.ts", "big1.ts", nil, "small0.ts", "small1.ts"], to: folder.appendingPathComponent("switch.m3u8"))
            let (http, port) = try await LiveServers.httpFolder(folder, logDirectory: directory)
            defer { http.stop() }

            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/switch.m3u8", options: options())
            recorder.start()
            let ended = await recorder.wait(upTo: 20) { $0.session.state.isTerminal }
            await recorder.stop()
            #expect(ended, "\(recorder.summary)")
            let sizes = recorder.frames.map { "\($0.width)x\($0.height)" }
            #expect(sizes.contains("320x240") && sizes.contains("160x120"), "\(sizes)")
            #expect(sizes.firstIndex(of: "160x120")! > sizes.lastIndex(of: "320x240")!)
            #expect(Self.isMonotonic(recorder.frames), "\(recorder.frames.map(\.ptsSeconds))")
            let counters = recorder.session.counters
            #expect(counters.formatChanges >= 1)
            #expect(counters.discontinuities >= 1, "both halves start at the same timestamps")
            #expect(recorder.session.state == .ended)
        }

        @Test("A slow consumer: the freshest frames win and the drops are counted")
        func slowConsumer() async throws {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            var options = options(open: 5, stall: 3)
            options.media.sampling = .everyFrame
            options.frameBufferCapacity = 2
            let session = try StreamSession(url: "udp://127.0.0.1:\(port)", options: options)
            session.start()
            defer { session.stop() }
            let feeder = try LiveServers.feed(media.clip, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
            defer { feeder.stop() }
            // Consume nothing for a while: 25 frames a second pile up against a buffer of 2. The
            // bound is generous because a busy 2-core machine loses UDP datagrams; the test only
            // needs 75 pictures decoded, whenever they come.
            #expect(await eventually(within: 60) { session.counters.decodedFrames >= 75 }, "\(session.counters)")
            var received: [Frame] = []
            var iterator = session.frames.makeAsyncIterator()
            while received.count < 2, let frame = try await iterator.next() { received.append(frame) }
            let counters = session.counters
            #expect(counters.droppedFrames >= 60, "\(counters)")
            #expect(received.count == 2)
            // What was waiting is the newest, not the oldest: the picture decoded last is at least 3 s in.
            #expect(received.allSatisfy { $0.ptsSeconds >= 2.5 }, "\(received.map(\.ptsSeconds))")
        }

        /// A session on a UDP port with `adjust`ed options, and the clip sent to it in real time.
        private func feedClip(_ adjust: (inout StreamOptions) -> Void) async throws -> (SessionRecorder, ChildProcess, Int) {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            var options = options(open: 5, stall: 3)
            adjust(&options)
            let recorder = try SessionRecorder(url: "udp://127.0.0.1:\(port)", options: options)
            recorder.start()
            let feeder = try LiveServers.feed(media.clip, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
            return (recorder, feeder, port)
        }

        @Test("A live stream's packets over the size limit are skipped and counted; the stream stays live")
        func oversizedPacketsSkipped() async throws {
            // Key frames of the clip are larger than this; many other pictures are not.
            let (recorder, feeder, _) = try await feedClip { $0.limits.maxPacketBytes = 1000 }
            defer { feeder.stop() }
            let skipping = await recorder.wait(upTo: 20) { $0.session.counters.oversizedPackets >= 3 }
            #expect(skipping, "\(recorder.summary)")
            #expect(recorder.session.state == .live, "\(recorder.summary)")
            #expect(!recorder.states.contains { $0.state == .backoff || $0.state == .failed }, "\(recorder.summary)")
            await recorder.stop()
        }

        @Test("A live stream in a codec or container outside its whitelist is refused with a clear reason and tried again, never abandoned")
        func outsideWhitelists() async throws {
            let mpeg1 = directory.appendingPathComponent("mpeg1.ts").path
            try await ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "4", "-c:v", "mpeg1video", "-g", "25", "-f", "mpegts", mpeg1,
            ])
            let media = try await LiveMedia.get()
            for (clip, format, expected) in [(mpeg1, "mpegts", "unsupported video codec mpeg1video"),
                                             (media.clip, "flv", "container format flv is not accepted from udp sources")] {
                let port = try freeLoopbackPort(udp: true)
                let recorder = try SessionRecorder(url: "udp://127.0.0.1:\(port)", options: options(open: 5, stall: 3))
                recorder.start()
                let feeder = try LiveServers.feed(clip, format: format, to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
                // Refused with the reason, then tried again (an FLV joined mid-way has no header,
                // so later tries may fail for that reason instead).
                let retried = await recorder.wait(upTo: 20) { recorder in
                    let backoffs = recorder.states.filter { $0.state == .backoff }
                    return backoffs.count >= 2 && backoffs.contains { $0.reason?.problem.hasPrefix(expected) ?? false }
                }
                feeder.stop()
                #expect(retried, "\(format): \(recorder.summary)")
                #expect(recorder.frames.isEmpty)
                #expect(!recorder.states.contains { $0.state == .failed }, "\(recorder.summary)")
                await recorder.stop()
            }
        }

        @Test("Streams share one memory budget: a connection that does not fit is refused with a clear reason and retried until another gives its memory back")
        func sharedMemoryBudget() async throws {
            let media = try await LiveMedia.get()
            var options = options(open: 5, stall: 3)
            // What a reader of key frames holds: a few decoder pictures and luma frames.
            let one = options.limits.estimatedBytes(
                width: 320, height: 240, bufferedFrames: options.frameBufferCapacity, format: .luma8,
                decoderPictures: StreamLimits.decoderPicturesDecodingKeyframes)
            let budget = MemoryBudget(limit: one + one / 2)
            options.memoryBudget = budget
            let ports = try [freeLoopbackPort(udp: true), freeLoopbackPort(udp: true)]
            let feeders = try ports.map { port in
                try LiveServers.feed(media.clip, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
            }
            defer { for feeder in feeders { feeder.stop() } }
            let first = try SessionRecorder(url: "udp://127.0.0.1:\(ports[0])", options: options)
            first.start()
            #expect(await first.wait(upTo: 20) { !$0.frames.isEmpty }, "\(first.summary)")
            #expect(budget.inUse == one)

            let second = try SessionRecorder(url: "udp://127.0.0.1:\(ports[1])", options: options)
            second.start()
            let refused = MediaError.memoryBudgetExhausted(url: "udp://127.0.0.1:\(ports[1])", bytes: one, budget: budget.limit)
            let retried = await second.wait(upTo: 20) { recorder in
                recorder.states.filter { $0.state == .backoff && $0.reason == refused }.count >= 2
            }
            #expect(retried, "\(second.summary)")
            #expect(second.frames.isEmpty)
            #expect(refused.description.contains("budget of \(budget.limit) bytes shared by all streams"))

            // The first stream ends: its memory comes back, and the second is read.
            await first.stop()
            #expect(await second.wait(upTo: 20) { !$0.frames.isEmpty }, "\(second.summary)")
            #expect(!second.states.contains { $0.state == .failed })
            await second.stop()
            #expect(budget.inUse == 0, "every reader gave its reservation back")
        }

        @Test("A connection waits for a slot of the shared connection gate before its deadlines start, and opens once one is free")
        func connectionGate() async throws {
            let gate = ConnectionGate(limit: 1)
            let held = try #require(gate.tryTake())
            #expect(gate.tryTake() == nil, "the gate's one slot is taken")
            let (recorder, feeder, _) = try await feedClip { $0.connectionGate = gate }
            defer { feeder.stop() }
            // Longer than the open and probe deadlines (5 s each): a connection timing its open
            // from the start would have given up and backed off by now.
            try await Task.sleep(for: .seconds(7))
            #expect(recorder.frames.isEmpty)
            #expect(recorder.states.allSatisfy { $0.state == .connecting }, "\(recorder.summary)")
            held.release()
            #expect(await recorder.wait(upTo: 20) { !$0.frames.isEmpty }, "\(recorder.summary)")
            // The open is done: its slot is free again.
            let again = gate.tryTake()
            #expect(again != nil)
            again?.release()
            await recorder.stop()
        }

        @Test("A live stream over the size limits is refused with a clear reason and tried again after a backoff, never abandoned")
        func overLimits() async throws {
            let (recorder, feeder, port) = try await feedClip { $0.media.maxDimension = 200 }
            defer { feeder.stop() }
            let reason = MediaError.dimensionsTooLarge(url: "udp://127.0.0.1:\(port)", width: 320, height: 240, limit: 200)
            let retried = await recorder.wait(upTo: 20) { recorder in
                recorder.states.filter { $0.state == .backoff && $0.reason == reason }.count >= 2
            }
            #expect(retried, "\(recorder.summary)")
            #expect(!recorder.states.contains { $0.state == .failed }, "a streamer cannot switch watching off: \(recorder.summary)")
            #expect(recorder.session.counters.reconnects >= 1)
            await recorder.stop()
            #expect(reason.description.contains("exceeds the limit of 200"))
        }
    }
}
