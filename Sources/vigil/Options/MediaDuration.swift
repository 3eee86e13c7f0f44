import ArgumentParser

/// A length of media time given on the command line: `90`, `90s`, `2m`, `1h30m`, `1.5h`.
struct MediaDuration: ExpressibleByArgument, Sendable, Equatable {
    var seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in argument.lowercased() {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let scale: Double
            switch character {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            default: return nil
            }
            guard let value = Double(number) else { return nil }
            total += value * scale
            number = ""
            sawUnit = true
        }
        if !number.isEmpty {
            guard let value = Double(number) else { return nil }
            total += value  // a bare number, or a trailing one, is seconds
        } else if !sawUnit {
            return nil
        }
        guard total > 0, total.isFinite else { return nil }
        seconds = total
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
