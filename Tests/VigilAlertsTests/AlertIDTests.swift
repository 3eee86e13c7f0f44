import Foundation
import Testing
@testable import VigilAlerts

@Suite("Alert ids (ULID)")
struct AlertIDTests {
    @Test("26 Crockford characters encoding the millisecond time")
    func format() throws {
        let date = Date(timeIntervalSince1970: 1_469_918_176.385)
        let id = AlertIDGenerator().next(at: date)
        #expect(id.rawValue.count == 26)
        #expect(id.milliseconds == 1_469_918_176_385)
        // The spec's example time 1469918176385 encodes as 01ARYZ6S41.
        #expect(id.rawValue.hasPrefix("01ARYZ6S41"))
        #expect(AlertID(id.rawValue.lowercased()) == id)
        #expect(AlertID("not-a-ulid") == nil)
        #expect(AlertID("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") == nil)
    }

    @Test("ids increase strictly, within a millisecond and when the clock steps back")
    func monotonic() {
        let generator = AlertIDGenerator()
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        var previous = generator.next(at: date)
        for step in 0..<2000 {
            let when = step % 7 == 0 ? date.addingTimeInterval(-5) : date.addingTimeInterval(Double(step / 100) / 1000)
            let id = generator.next(at: when)
            #expect(id > previous)
            previous = id
        }
    }

    @Test("the all-ones random part carries into the time-adjacent bits without breaking order")
    func carry() {
        let id = AlertID(milliseconds: 5, randomHigh: .max, randomLow: .max)
        let next = AlertID(milliseconds: 6, randomHigh: 0, randomLow: 0)
        #expect(id < next)
        #expect(id.milliseconds == 5)
    }
}
