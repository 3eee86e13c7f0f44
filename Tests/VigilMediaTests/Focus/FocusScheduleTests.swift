import Testing
@testable import VigilMedia

@Suite("Focus schedule")
struct FocusScheduleTests {
    @Test("each waiting time takes the first picture within half a frame before it or after it, once")
    func takesTheNearestPicture() {
        var schedule = FocusSchedule()
        let added = schedule.add(FocusRequest(times: [1.0, 0.5]), after: 0)
        #expect(added == 2)
        let frame = 0.04
        var picked: [Double] = []
        for index in 0...30 {
            let time = Double(index) * frame
            if schedule.take(time: time, frameDuration: frame) { picked.append(time) }
        }
        #expect(picked.count == 2)
        #expect(abs(picked[0] - 0.48) < 1e-9, "the first picture within half a frame of 0.5 s: \(picked)")
        #expect(abs(picked[1] - 1.0) < 1e-9, "\(picked)")
        #expect(!schedule.isActive)
        #expect(schedule.missed == 0)
    }

    @Test("times not after the latest sample are ignored; repeats are merged; at most the capacity waits")
    func bounded() {
        var schedule = FocusSchedule()
        let later = schedule.add(FocusRequest(times: [1, 2, 3]), after: 2)
        #expect(later == 1)
        let repeats = schedule.add(FocusRequest(times: [3, 3.0001]), after: 2)
        #expect(repeats == 0)
        let many = FocusRequest(times: (0..<100).map { 10 + Double($0) })
        schedule.add(many, after: 2)
        #expect(schedule.times.count == FocusSchedule.capacity)
        #expect(schedule.times.first == 3 && schedule.times.last == 10 + Double(FocusSchedule.capacity - 2))
    }

    @Test("a time the reader passed long ago is dropped as missed, not sampled late")
    func missed() {
        var schedule = FocusSchedule()
        schedule.add(FocusRequest(times: [1.0, 5.0]), after: nil)
        let takenLate = schedule.take(time: 3.0, frameDuration: 0.04)
        #expect(!takenLate)
        #expect(schedule.missed == 1)
        #expect(schedule.times == [5.0])
        let takenOnTime = schedule.take(time: 5.01, frameDuration: 0.04)
        #expect(takenOnTime)
    }

    @Test("a request ignores times that are not finite")
    func finite() {
        #expect(FocusRequest(times: [2, .nan, .infinity, 1]).times == [1, 2])
    }
}
