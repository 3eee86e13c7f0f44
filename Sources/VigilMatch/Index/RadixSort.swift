/// A stable least-significant-digit radix sort of 64-bit words on a range of their bits, 8 bits
/// a pass: it reads and writes memory in sequence, which is what makes sorting millions of words
/// fast.
enum RadixSort {
    /// Sorts `words` by `bits` (ties keep their order), using `scratch` (as long as `words`) as the
    /// other buffer. The sorted words end up in `words`; the buffers may be swapped to get there.
    static func sort(
        _ words: inout UnsafeMutableBufferPointer<UInt64>, scratch: inout UnsafeMutableBufferPointer<UInt64>,
        bits: Range<Int>
    ) {
        precondition(scratch.count >= words.count, "the scratch buffer must be as long as the words")
        var starts = [Int](repeating: 0, count: 257)
        var shift = bits.lowerBound
        while shift < bits.upperBound {
            let source = words
            let target = scratch
            let digitShift = UInt64(shift)
            let digitMask: UInt64 = (1 << UInt64(min(8, bits.upperBound - shift))) - 1
            starts.withUnsafeMutableBufferPointer { starts in
                starts.update(repeating: 0)
                for word in source {
                    starts[Int((word >> digitShift) & digitMask) + 1] += 1
                }
                for digit in 0..<256 {
                    starts[digit + 1] += starts[digit]
                }
                for word in source {
                    let digit = Int((word >> digitShift) & digitMask)
                    target[starts[digit]] = word
                    starts[digit] += 1
                }
            }
            swap(&words, &scratch)
            shift += 8
        }
    }
}
