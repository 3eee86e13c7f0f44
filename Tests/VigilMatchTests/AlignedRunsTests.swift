import Testing
import VigilMatch

@Suite("Aligned runs: query frames that follow a known video in order and pace")
struct AlignedRunsTests {
    @Test("frames near successive known frames at the known pace, 1.25x faster, or with a bank of one hash a second form one run")
    func paces() {
        for (speed, label) in [(1.0, "same pace"), (1.25, "1.25x"), (0.8, "slowed")] {
            var runs = AlignedRuns()
            for step in 0..<5 {
                // A query frame every 2 s of the query; the known frame it shows, off by up to 0.5 s.
                let known = (Double(step) * 2 * speed).rounded()
                runs.add(time: Double(step) * 2, knownTimes: [known])
            }
            #expect(runs.longest == 5, "\(label)")
        }
    }

    @Test("known times out of order, or the same known frame again, do not extend a run")
    func order() {
        var backwards = AlignedRuns()
        for (time, known) in [(0.0, 8.0), (2.0, 6.0), (4.0, 4.0), (6.0, 2.0)] {
            backwards.add(time: time, knownTimes: [known])
        }
        #expect(backwards.longest == 1)
        var repeated = AlignedRuns()
        for time in [0.0, 2.0, 4.0] { repeated.add(time: time, knownTimes: [3.0]) }
        #expect(repeated.longest == 1)
        var tooFast = AlignedRuns()
        for (time, known) in [(0.0, 0.0), (1.0, 5.0), (2.0, 10.0)] { tooFast.add(time: time, knownTimes: [known]) }
        #expect(tooFast.longest == 1, "five times the known pace is no speed change")
    }

    @Test("a gap longer than the tolerance starts a new run; a frame near nothing neither extends nor breaks one")
    func gaps() {
        var runs = AlignedRuns()
        runs.add(time: 0, knownTimes: [0])
        runs.add(time: 2, knownTimes: [2])
        runs.add(time: 3, knownTimes: [])
        runs.add(time: 4, knownTimes: [4])
        #expect(runs.longest == 3)
        runs.add(time: 40, knownTimes: [40])
        runs.add(time: 42, knownTimes: [42])
        #expect(runs.longest == 3)
        #expect(runs.run(endingAt: 44, knownTimes: [44]) == 3)
    }

    @Test("a frame near several known frames (a static scene) continues the run through whichever fits")
    func severalHits() {
        var runs = AlignedRuns()
        runs.add(time: 0, knownTimes: [10, 0])
        runs.add(time: 2, knownTimes: [30, 2, 20])
        #expect(runs.run(endingAt: 4, knownTimes: [50, 4]) == 3)
        #expect(runs.run(endingAt: 4, knownTimes: [50]) == 1)
        #expect(runs.longest == 2, "asking does not add")
    }
}
