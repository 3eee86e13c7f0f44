import ArgumentParser
import VigilMedia

/// Which frames of a video get hashed; shared by `hash` and `scan`.
struct SamplingOptions: ParsableArguments {
    @Flag(help: "Hash key frames only (the default): fastest, one hash per GOP.")
    var keyframes = false

    @Flag(help: "Hash every frame, reproducing Meta's vPDQ output line for line.")
    var everyFrame = false

    @Option(help: ArgumentHelp("Hash the first frame of every S seconds of presentation time (correct on variable frame rate).", valueName: "S"))
    var secondsPerHash: Double?

    func validate() throws {
        let chosen = [keyframes, everyFrame, secondsPerHash != nil].filter { $0 }.count
        if chosen > 1 {
            throw ValidationError("Choose one of --keyframes, --every-frame and --seconds-per-hash.")
        }
        if let secondsPerHash, !(secondsPerHash > 0 && secondsPerHash.isFinite) {
            throw ValidationError("--seconds-per-hash must be a positive number of seconds, not \(secondsPerHash).")
        }
    }

    var mode: SamplingMode {
        if everyFrame { return .everyFrame }
        if let secondsPerHash { return .interval(seconds: secondsPerHash) }
        return .keyframes
    }
}
