/// A stable least-significant-digit radix sort of 64-bit words on a range of their bits: it reads
/// and writes memory in sequence, which is what makes sorting millions of words fast.
///
/// The range is cut into as few digits of at most 11 bits as cover it (a 22-bit key takes two
/// passes, not three of 8 bits), and one read counts every digit's values before the passes.
enum RadixSort {
    /// Widest digit: 2048 counters, and as many output streams, still fit the processor's caches.
    static let maximumDigitBits = 11

    /// Sorts `words` by `bits` (ties keep their order), using `scratch` (as long as `words`) as the
    /// other buffer. The sorted words end up in `words`; the buffers may be swapped to get there.
    static func sort(
        _ words: inout UnsafeMutableBufferPointer<UInt64>, scratch: inout UnsafeMutableBufferPointer<UInt64>,
        bits: Range<Int>
    ) {
        precondition(scratch.count >= words.count, "the scratch buffer must be as long as the words")
        guard !bits.isEmpty, words.count > 1 else { return }
        let passes = (bits.count + maximumDigitBits - 1) / maximumDigitBits
        let digitBits = (bits.count + passes - 1) / passes
        let buckets = 1 << digitBits
        let mask = UInt64(buckets - 1)
        // Where each digit value starts, for every pass, from one read of the words.
        var starts = [Int](repeating: 0, count: passes * buckets)
        starts.withUnsafeMutableBufferPointer { starts in
            for word in words {
                for pass in 0..<passes {
                    starts[pass * buckets + Int((word >> UInt64(bits.lowerBound + pass * digitBits)) & mask)] += 1
                }
            }
            for pass in 0..<passes {
                var total = 0
                for digit in 0..<buckets {
                    let count = starts[pass * buckets + digit]
                    starts[pass * buckets + digit] = total
                    total += count
                }
            }
            for pass in 0..<passes {
                let shift = UInt64(bits.lowerBound + pass * digitBits)
                let next = UnsafeMutableBufferPointer(rebasing: starts[(pass * buckets)..<((pass + 1) * buckets)])
                let target = scratch
                for word in words {
                    let digit = Int((word >> shift) & mask)
                    target[next[digit]] = word
                    next[digit] += 1
                }
                swap(&words, &scratch)
            }
        }
    }
}
