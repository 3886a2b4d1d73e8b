import Foundation
import XCTest
@testable import DSEngine

/// Locations and expectations of the format fixtures (made by scripts/make-format-fixtures.py).
enum FormatsFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/formats").path

    static func path(_ name: String) -> String { folder + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// A JSON array fixture (a differential corpus) decoded as `[C]`.
    static func decoded<C: Decodable>(_ name: String) throws -> [C] {
        try JSONDecoder().decode([C].self, from: Data(bytes(name)))
    }

    /// expected.json: file name -> {kind, metadata, tensors: [{name, dtype, shape, bits}]}.
    static let expected: [String: Any] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path("expected.json"))),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    struct ExpectedTensor {
        var name: String
        var dtype: String
        var shape: [Int]
        var bits: [UInt32]
    }

    static func tensors(_ file: String) -> [ExpectedTensor] {
        guard let entry = expected[file] as? [String: Any], let list = entry["tensors"] as? [[String: Any]] else { return [] }
        return list.map { t in
            ExpectedTensor(
                name: t["name"] as? String ?? "", dtype: t["dtype"] as? String ?? "",
                shape: (t["shape"] as? [Int]) ?? [], bits: ((t["bits"] as? [Int]) ?? []).map { UInt32($0) })
        }
    }

    static func metadata(_ file: String) -> [String: String] {
        ((expected[file] as? [String: Any])?["metadata"] as? [String: String]) ?? [:]
    }

    static func numbers(_ key: String, _ field: String) -> [Int] {
        ((expected[key] as? [String: Any])?[field] as? [Int]) ?? []
    }
}

/// A temporary folder removed at the end of a test (or kept in DSCRIPT_FORMATS_OUT when set).
func formatsTemporaryFolder() throws -> String {
    if let out = ProcessInfo.processInfo.environment["DSCRIPT_FORMATS_OUT"] {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        return out
    }
    let folder = NSTemporaryDirectory() + "dscript-formats-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

/// The message of a `FormatError` thrown by `body`, or a note that nothing (or something else) was thrown.
func formatErrorMessage(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        return "no error"
    } catch let e as FormatError {
        return e.message
    } catch {
        return "other error: \(error)"
    }
}
