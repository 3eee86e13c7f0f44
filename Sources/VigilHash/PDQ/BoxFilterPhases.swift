/// Drives one pass of the reference's running-sum box filter ("Jarosz filter") along a line of
/// `length` samples with a window of `window` samples.
///
/// The window grows from about half its size at the start, slides, then shrinks at the end, so every
/// output is the mean of the samples actually inside the window. The callers keep the running sum:
/// `add(i)` adds input sample `i`, `subtract(i)` removes it, and `emit(o, n)` writes output `o` as the
/// sum divided by `n`. Calls come in exactly the reference's order, which is what makes the floating
/// point result bit-identical; callers vectorise across independent lines, never along one.
@inline(__always)
func runBoxFilterPhases(
    length: Int,
    window: Int,
    add: (Int) -> Void,
    subtract: (Int) -> Void,
    emit: (_ output: Int, _ windowCount: Int) -> Void
) {
    let halfWindow = (window + 2) / 2
    let leadIn = halfWindow - 1
    let growing = window - halfWindow + 1
    let sliding = length - window
    let shrinking = halfWindow - 1

    var left = 0
    var right = 0
    var output = 0
    var count = 0
    for _ in 0..<leadIn {
        add(right)
        count += 1
        right += 1
    }
    for _ in 0..<growing {
        add(right)
        count += 1
        emit(output, count)
        right += 1
        output += 1
    }
    for _ in 0..<max(sliding, 0) {
        add(right)
        subtract(left)
        emit(output, count)
        left += 1
        right += 1
        output += 1
    }
    for _ in 0..<shrinking {
        subtract(left)
        count -= 1
        emit(output, count)
        left += 1
        output += 1
    }
}

/// The reference's filter window for shrinking `oldDimension` samples to `newDimension`.
@inline(__always)
func jaroszWindowSize(_ oldDimension: Int, _ newDimension: Int) -> Int {
    (oldDimension + 2 * newDimension - 1) / (2 * newDimension)
}

/// The reference's nearest-sample decimation index for output `index` of `outputCount`.
@inline(__always)
func decimationIndex(_ index: Int, inputCount: Int, outputCount: Int) -> Int {
    Int(((Double(index) + 0.5) * Double(inputCount)) / Double(outputCount))
}
