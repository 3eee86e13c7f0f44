import Testing
@testable import VigilMedia

/// The pure rules behind live sampling, checked without any stream.
@Suite("Live rules", .timeLimit(.minutes(3)))
struct LiveRuleTests {
    // MARK: Timeline

    @Test("The timeline follows timestamps and starts at 0")
    func timelineFollowsTimestamps() {
        var timeline = StreamTimeline(checksWallClock: true)
        let time1 = timeline.place(raw: 100, wall: 50, frameDuration: 0.04)
        #expect(time1 == 0)
        let time2 = timeline.place(raw: 101, wall: 51, frameDuration: 0.04)
        #expect(time2 == 1)
        let time3 = timeline.place(raw: 102.5, wall: 52.5, frameDuration: 0.04)
        #expect(time3 == 2.5)
        #expect(timeline.discontinuities == 0)
    }

    @Test("A reset continues from the last time plus the wall-clock time elapsed")
    func timelineReset() {
        var timeline = StreamTimeline(checksWallClock: true)
        _ = timeline.place(raw: 95_000, wall: 10, frameDuration: 0.04)
        _ = timeline.place(raw: 95_002, wall: 12, frameDuration: 0.04)
        // An MPEG-TS clock wrap or encoder restart: back to 0.
        let time4 = timeline.place(raw: 0.1, wall: 13, frameDuration: 0.04)
        #expect(time4 == 3)
        let time5 = timeline.place(raw: 1.1, wall: 14, frameDuration: 0.04)
        #expect(time5 == 4)
        #expect(timeline.discontinuities == 1)
    }

    @Test("A forward jump beyond the wall clock is a discontinuity; a burst within tolerance is not")
    func timelineJump() {
        var timeline = StreamTimeline(checksWallClock: true)
        _ = timeline.place(raw: 0, wall: 0, frameDuration: 0.04)
        // HLS joins with a burst of segments: 6 s of stream in no wall time.
        let time6 = timeline.place(raw: 6, wall: 0.1, frameDuration: 0.04)
        #expect(time6 == 6)
        // An hour ahead in one second.
        let time7 = timeline.place(raw: 3606, wall: 1.1, frameDuration: 0.04)
        #expect(time7 == 7)
        #expect(timeline.discontinuities == 1)
    }

    @Test("Files are never judged against the wall clock")
    func timelineFile() {
        var timeline = StreamTimeline(checksWallClock: false)
        _ = timeline.place(raw: 0, wall: 0, frameDuration: 0.04)
        let time8 = timeline.place(raw: 3600, wall: 0.001, frameDuration: 0.04)
        #expect(time8 == 3600)
        let time9 = timeline.place(raw: 10, wall: 0.002, frameDuration: 0.04)
        #expect(time9 == 3600.04)
    }

    @Test("Jitter is clamped, missing timestamps continue, reconnects continue")
    func timelineSmallCases() {
        var timeline = StreamTimeline(checksWallClock: true)
        _ = timeline.place(raw: 10, wall: 0, frameDuration: 0.04)
        _ = timeline.place(raw: 11, wall: 1, frameDuration: 0.04)
        let time10 = timeline.place(raw: 10.8, wall: 1.1, frameDuration: 0.04)
        #expect(time10 == 1)
        let time11 = timeline.place(raw: nil, wall: 2.1, frameDuration: 0.04)
        #expect(time11 == 2)
        timeline.reconnected()
        // A new connection restarts the source's clock at 500; 3 s have passed.
        let time12 = timeline.place(raw: 500, wall: 5.1, frameDuration: 0.04)
        #expect(time12 == 5)
        let time13 = timeline.place(raw: 501, wall: 6.1, frameDuration: 0.04)
        #expect(time13 == 6)
        #expect(timeline.discontinuities == 0)
    }

    // MARK: Key-frame gap

    @Test("Regular key frames never trigger the fallback")
    func gapRegular() {
        var tracker = KeyframeGapTracker(maxGap: 4, frameRate: 25)
        for packet in 0..<500 {
            let raw = Double(packet) / 25
            let verdict14 = tracker.packetArrived(raw: raw)
            #expect(!verdict14)
            if packet % 50 == 0 { _ = tracker.keyPictureDecoded(raw: raw) }
        }
        #expect(!tracker.inFallback)
    }

    @Test("No key picture for more than the gap, by timestamps")
    func gapByTimestamps() {
        var tracker = KeyframeGapTracker(maxGap: 4, frameRate: 25)
        _ = tracker.packetArrived(raw: 0)
        _ = tracker.keyPictureDecoded(raw: 0)
        var triggered: Double?
        for packet in 1...200 where triggered == nil {
            if tracker.packetArrived(raw: Double(packet) / 25) { triggered = Double(packet) / 25 }
        }
        #expect(triggered == 4.04)
    }

    @Test("Frozen or missing timestamps cannot dodge it: packets count too, at most 60 per second")
    func gapByPacketCount() {
        var frozen = KeyframeGapTracker(maxGap: 4, frameRate: 25)
        var count = 0
        while count < 1000, !frozen.packetArrived(raw: 7) { count += 1 }
        #expect(count == 101)
        var absurdRate = KeyframeGapTracker(maxGap: 4, frameRate: 100_000)
        count = 0
        while count < 1000, !absurdRate.packetArrived(raw: nil) { count += 1 }
        #expect(count == 241, "a declared 100000 fps is counted as 60 fps")
    }

    @Test("Key frames must come back twice within the gap to end the fallback")
    func gapReturn() {
        var tracker = KeyframeGapTracker(maxGap: 4, frameRate: 25)
        _ = tracker.packetArrived(raw: 0)
        tracker.enterFallback()
        for packet in 1..<100 { _ = tracker.packetArrived(raw: Double(packet) / 25) }
        let verdict15 = tracker.keyPictureDecoded(raw: 4)
        #expect(!verdict15, "one key frame proves nothing")
        for packet in 100..<400 { _ = tracker.packetArrived(raw: Double(packet) / 25) }
        let verdict16 = tracker.keyPictureDecoded(raw: 16)
        #expect(!verdict16, "12 s later is still too far apart")
        for packet in 400..<450 { _ = tracker.packetArrived(raw: Double(packet) / 25) }
        let verdict17 = tracker.keyPictureDecoded(raw: 18)
        #expect(verdict17)
        tracker.leaveFallback(raw: 18)
        #expect(!tracker.inFallback)
        let verdict18 = tracker.packetArrived(raw: 18.04)
        #expect(!verdict18)
    }

    // MARK: Backoff

    @Test("Backoff grows exponentially, is capped, and jitter stays within bounds")
    func backoff() {
        let policy = ReconnectPolicy(initialDelay: 0.5, maxDelay: 10, multiplier: 2, jitter: 0.25)
        #expect(policy.delay(afterFailures: 1, unit: 0.5) == 0.5)
        #expect(policy.delay(afterFailures: 2, unit: 0.5) == 1)
        #expect(policy.delay(afterFailures: 4, unit: 0.5) == 4)
        #expect(policy.delay(afterFailures: 10, unit: 0.5) == 10)
        #expect(policy.delay(afterFailures: 1_000_000, unit: 0.5) == 10)
        #expect(policy.delay(afterFailures: 1, unit: 0) == 0.375)
        #expect(policy.delay(afterFailures: 1, unit: 0.999_999) < 0.625 + 1e-6)
        #expect(policy.delay(afterFailures: 10, unit: 1) == 10, "jitter never exceeds the cap")
        let spread = Set((0..<50).map { _ in policy.delay(afterFailures: 3, unit: Double.random(in: 0..<1)) })
        #expect(spread.count > 1 && spread.allSatisfy { $0 >= 1.5 && $0 <= 2.5 })
        #expect(ReconnectPolicy(initialDelay: -1, maxDelay: -5).delay(afterFailures: 3, unit: 0.5) == 0)
    }

    // MARK: Pictures

    /// A `width`x`height` RGB picture: a grey gradient, framed by bands of `bar` colour.
    private func picture(width: Int, height: Int, top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0,
                         bar: (UInt8, UInt8, UInt8) = (0, 0, 0)) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inside = y >= top && y < height - bottom && x >= left && x < width - right
                let offset = (y * width + x) * 3
                if inside {
                    pixels[offset] = UInt8((x * 7 + y * 3) % 200 + 30)
                    pixels[offset + 1] = UInt8((x * 2 + y * 5) % 200 + 30)
                    pixels[offset + 2] = UInt8((x + y) % 200 + 30)
                } else {
                    (pixels[offset], pixels[offset + 1], pixels[offset + 2]) = bar
                }
            }
        }
        return pixels
    }

    @Test("Letterbox, pillarbox and coloured bars are found; content without bars is left alone")
    func borders() {
        #expect(BorderDetector.contentRect(of: rgb(picture(width: 320, height: 240, top: 30, bottom: 30), width: 320, height: 240))
            == CropRect(x: 0, y: 30, width: 320, height: 180))
        #expect(BorderDetector.contentRect(of: rgb(picture(width: 320, height: 240, left: 40, right: 40), width: 320, height: 240))
            == CropRect(x: 40, y: 0, width: 240, height: 240))
        let boxed = picture(width: 320, height: 240, top: 20, bottom: 20, left: 20, right: 20, bar: (250, 250, 250))
        #expect(BorderDetector.contentRect(of: rgb(boxed, width: 320, height: 240)) == CropRect(x: 20, y: 20, width: 280, height: 200))
        #expect(BorderDetector.contentRect(of: luma(boxed, width: 320, height: 240)) == CropRect(x: 20, y: 20, width: 280, height: 200),
                "the same bands on the luma plane")
        #expect(BorderDetector.contentRect(of: luma(picture(width: 320, height: 240, top: 30, bottom: 30), width: 320, height: 240))
            == CropRect(x: 0, y: 30, width: 320, height: 180))
        #expect(BorderDetector.contentRect(of: luma(picture(width: 320, height: 240), width: 320, height: 240)) == nil)
        // Side bands whose grey level drifts by ±12 down each column: a smooth gradient (the
        // outskirts of a fractal) whose colour the luma plane cannot see, not padding.
        var drifting = luma(picture(width: 320, height: 240, left: 40, right: 40), width: 320, height: 240).pixels
        for y in 0..<240 {
            for x in Array(0..<40) + Array(280..<320) { drifting[y * 320 + x] = UInt8(60 + (y % 25) - 12) }
        }
        #expect(BorderDetector.contentRect(of: ConvertedPicture(pixels: drifting, width: 320, height: 240, format: .luma8)) == nil)
        #expect(BorderDetector.contentRect(of: rgb(picture(width: 320, height: 240), width: 320, height: 240)) == nil)
        #expect(BorderDetector.contentRect(of: rgb(picture(width: 320, height: 240, top: 2, bottom: 2), width: 320, height: 240)) == nil,
                "a couple of lines is not a border")
        #expect(BorderDetector.contentRect(of: rgb(picture(width: 320, height: 240, top: 40), width: 320, height: 240)) == nil,
                "a flat area along one edge is content, not padding")
        var mismatched = picture(width: 320, height: 240, left: 40, right: 40)
        for y in 0..<240 { for x in 280..<320 { mismatched[(y * 320 + x) * 3] = 255 } }
        #expect(BorderDetector.contentRect(of: rgb(mismatched, width: 320, height: 240)) == nil,
                "flat bands of different colours (colour bars) are not padding")
        let black = [UInt8](repeating: 0, count: 320 * 240 * 3)
        #expect(BorderDetector.contentRect(of: rgb(black, width: 320, height: 240)) == nil, "a blank picture has no content to crop to")
    }

    @Test("Cropping copies exactly the rectangle and flags the copy")
    func cropping() throws {
        let pixels = picture(width: 64, height: 48, top: 8, bottom: 8)
        let frame = Frame(index: 3, ptsSeconds: 1.5, isKeyframe: true, width: 64, height: 48, pixels: pixels)
        let rect = CropRect(x: 0, y: 8, width: 64, height: 32)
        let inner = try #require(frame.cropped(to: rect))
        #expect(inner.crop == rect && inner.width == 64 && inner.height == 32)
        #expect(inner.index == 3 && inner.ptsSeconds == 1.5 && inner.observedAt == frame.observedAt)
        #expect(Array(inner.pixels.prefix(64 * 3)) == Array(pixels[(8 * 64 * 3)..<(9 * 64 * 3)]))
        #expect(frame.cropped(to: CropRect(x: 1, y: 0, width: 64, height: 1)) == nil)
        #expect(rect.description == "64x32+0+8")
    }

    @Test("Near-duplicates: small noise everywhere is a duplicate, a change in one corner is not")
    func thumbnails() throws {
        let base = picture(width: 160, height: 120)
        var noisy = base
        for index in stride(from: 0, to: noisy.count, by: 7) { noisy[index] = noisy[index] &+ 2 }
        var corner = base
        for y in 0..<10 { for x in 0..<10 { corner[(y * 160 + x) * 3] = 255; corner[(y * 160 + x) * 3 + 1] = 255 } }
        let a = try #require(Thumbnail(rgb(base, width: 160, height: 120)))
        let b = try #require(Thumbnail(rgb(noisy, width: 160, height: 120)))
        let c = try #require(Thumbnail(rgb(corner, width: 160, height: 120)))
        #expect(a.maxDifference(to: b) <= 0.03)
        #expect(a.maxDifference(to: c) > 0.03, "a 10x10 change is confined to one cell but not diluted")
        #expect(a.meanDifference(to: c) < 0.01, "a mean would have missed it")
        #expect(Thumbnail(rgb(base, width: 8, height: 8)) == nil)
        let lumaA = try #require(Thumbnail(luma(base, width: 160, height: 120)))
        let lumaC = try #require(Thumbnail(luma(corner, width: 160, height: 120)))
        #expect(lumaA.maxDifference(to: a) <= 1.0 / 255, "luma and RGB pictures give the same thumbnail")
        #expect(lumaA.maxDifference(to: lumaC) > 0.03)
    }
}
