/// The median of `count` floats by Torben Mogensen's method, which leaves its input untouched.
///
/// The bisection and tie rules follow the reference exactly: which value counts as "the median"
/// for an even count decides hash bits at the margin.
func torbenMedian(_ m: UnsafePointer<Float>, count n: Int) -> Float {
    var minimum = m[0]
    var maximum = m[0]
    for i in 1..<n {
        if m[i] < minimum { minimum = m[i] }
        if m[i] > maximum { maximum = m[i] }
    }
    let half = (n + 1) / 2
    var less = 0
    var greater = 0
    var equal = 0
    var guess: Float = 0
    var maxBelowGuess: Float = 0
    var minAboveGuess: Float = 0
    while true {
        guess = (minimum + maximum) / 2
        less = 0
        greater = 0
        equal = 0
        maxBelowGuess = minimum
        minAboveGuess = maximum
        for i in 0..<n {
            let value = m[i]
            if value < guess {
                less += 1
                if value > maxBelowGuess { maxBelowGuess = value }
            } else if value > guess {
                greater += 1
                if value < minAboveGuess { minAboveGuess = value }
            } else {
                equal += 1
            }
        }
        if less <= half && greater <= half {
            break
        } else if less > greater {
            maximum = maxBelowGuess
        } else {
            minimum = minAboveGuess
        }
    }
    if less >= half {
        return maxBelowGuess
    } else if less + equal >= half {
        return guess
    } else {
        return minAboveGuess
    }
}
