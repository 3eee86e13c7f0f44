import Foundation

/// Validates JSON documents against a JSON Schema with Python's `jsonschema` package.
public enum SchemaValidator {
    /// `docs/alert.schema.json`, the published alert schema.
    public static func schemaPath() throws -> String {
        let path = Fixtures.root.appendingPathComponent("docs/alert.schema.json").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SubprocessError(description: "missing \(path)")
        }
        return path
    }

    /// One result per document: "ok" or the validator's message. Throws when Python's jsonschema
    /// is missing (`make test` installs it in .reference-venv): an unvalidated alert is no pass.
    public static func validate(_ documents: [String], schema: String) async throws -> [String] {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("NO-JSONSCHEMA"); sys.exit(0)
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            for line in sys.stdin:
                if not line.strip():
                    continue
                errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.path))
                print("ok" if not errors else "; ".join(e.message for e in errors).replace("\\n", " "))
            """
        let input = Data((documents.joined(separator: "\n") + "\n").utf8)
        let venv = Fixtures.root.appendingPathComponent(".reference-venv/bin/python").path
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
        let output = try await runProcess(python, ["-c", script, schema], stdin: input, timeout: 60)
        guard output.status == 0 else {
            throw SubprocessError(description: "python3 failed: \(output.stderrText)")
        }
        let lines = output.stdoutText.split(separator: "\n").map(String.init)
        if lines.first == "NO-JSONSCHEMA" {
            throw SubprocessError(description: "\(python) has no jsonschema package: run `make test`, which installs it in .reference-venv")
        }
        return lines
    }
}
