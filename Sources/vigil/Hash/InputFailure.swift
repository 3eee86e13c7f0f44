import VigilDetect
import VigilMedia

/// One line saying what went wrong with an input, naming it.
enum InputFailure {
    static func describe(_ error: any Error, input: String) -> String {
        switch error {
        case let error as MediaError: return error.description
        case let error as UnhashableInput: return error.description
        default: return "\(RedactedURL(input)): \(error)"
        }
    }
}
