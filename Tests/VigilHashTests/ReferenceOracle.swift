import Foundation
import VigilTestSupport

/// The Python interpreter of the reference virtualenv that `make test` prepares, if it exists and
/// can import the reference package.
enum ReferenceOracle {
    static let python = Task<String?, Never> {
        let candidates = [
            ProcessInfo.processInfo.environment["VIGIL_REFERENCE_PYTHON"],
            Fixtures.root.appendingPathComponent(".reference-venv/bin/python").path,
        ].compactMap { $0 }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let probe = try? await runProcess(candidate, ["-c", "import pdqhash, numpy"], timeout: 60), probe.status == 0 {
                return candidate
            }
        }
        let message = """

            ************************************************************************
            SKIPPED: Meta's PDQ reference (PyPI `pdqhash`) is not installed.
            Run `make test` (it creates .reference-venv) or set VIGIL_REFERENCE_PYTHON.
            The property test against the reference did NOT run.
            ************************************************************************

            """
        FileHandle.standardError.write(Data(message.utf8))
        return nil
    }

    static var isAvailable: Bool {
        get async { await python.value != nil }
    }
}
