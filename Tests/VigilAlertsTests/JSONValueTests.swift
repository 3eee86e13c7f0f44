import Foundation
import Testing
import VigilAlerts

@Suite struct JSONValueTests {
    @Test func integersBeyondDoublePrecisionComeBackExactly() throws {
        let text = #"{"big":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"small":7}"#
        let value = try JSONValue(parsing: Data(text.utf8))
        #expect(value == .object([
            "big": .integer(9_007_199_254_740_993), "max": .integer(.max), "min": .integer(.min), "small": .integer(7),
        ]))
        #expect(String(decoding: value.data, as: UTF8.self) == text)
    }

    @Test func fractionsAndOversizedIntegersStayDoubles() throws {
        let value = try JSONValue(parsing: Data(#"[-2.5,1e300,18446744073709551615]"#.utf8))
        #expect(value == .array([.number(-2.5), .number(1e300), .number(18_446_744_073_709_551_615)]))
    }

    @Test func numbersCompareByValueAcrossCases() {
        #expect(JSONValue.integer(7) == .number(7))
        #expect(JSONValue.number(7) == .integer(7))
        #expect(JSONValue.integer(9_007_199_254_740_993) != .number(9_007_199_254_740_992))
        #expect(JSONValue.integer(7) != .number(7.5))
        #expect(JSONValue.integer(1) != .bool(true))
    }
}
