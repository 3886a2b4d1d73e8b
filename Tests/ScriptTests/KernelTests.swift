@testable import DSEngine
@testable import DSShell
import DSLanguage
import Foundation
import XCTest

/// The Jupyter kernel's parts that need no Jupyter: signatures, messages, cells, the kernelspec.
/// (Tests/jupyter/test_kernel.py drives the running kernel with Jupyter's own clients.)
final class KernelTests: XCTestCase {
    func testSignaturesMatchPythonsHMAC() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'The quick brown fox jumps over the lazy dog', hashlib.sha256).hexdigest())"
        XCTAssertEqual(hmacSHA256Hex(key: Array("key".utf8), parts: [Array("The quick brown fox jumps over the lazy dog".utf8)]),
                       "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        // The four parts of a message are signed as one: hmac.new(b'k', b'{"a":1}{}{}{"b":2}', hashlib.sha256)
        XCTAssertEqual(hmacSHA256Hex(key: [UInt8(ascii: "k")], parts: ["{\"a\":1}", "{}", "{}", "{\"b\":2}"].map { Array($0.utf8) }),
                       "5f35d77953f2fdb5497a0df5e11497f708c67989fa6694c82530764f1da34cf3")
    }

    func testMessagesRoundTripAndBadSignaturesAreRefused() throws {
        let key = Array("secret".utf8)
        let message = KernelMessage(identities: [[1, 2, 3]], header: KernelMessage.header(type: "execute_request", session: "s"),
                                    parentHeader: [:], metadata: [:], content: ["code": "print(1)"])
        let frames = message.encode(key: key)
        let decoded = try XCTUnwrap(KernelMessage.decode(frames, key: key))
        XCTAssertEqual(decoded.identities, [[1, 2, 3]])
        XCTAssertEqual(decoded.type, "execute_request")
        XCTAssertEqual(decoded.content["code"]?.string, "print(1)")
        XCTAssertNil(KernelMessage.decode(frames, key: Array("other".utf8)))
        var tampered = frames
        tampered[tampered.count - 1] = Array("{\"code\":\"exit(1)\"}".utf8)
        XCTAssertNil(KernelMessage.decode(tampered, key: key))
        XCTAssertNil(KernelMessage.decode(Array(frames.prefix(4)), key: key), "too few frames")
        XCTAssertNil(KernelMessage.decode([[0xFF]], key: key), "no delimiter")
    }

    func testHeadersCarryADateAndAnId() {
        let header = KernelMessage.header(type: "status", session: "abc")
        XCTAssertEqual(header["msg_id"]?.string?.count, 32)
        let date = header["date"]?.string ?? ""
        XCTAssertNotNil(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression), date)
    }

    func testBase64MatchesPython() {
        // python3 -c "import base64; print(base64.b64encode(bytes(range(0,256,7))).decode())"
        XCTAssertEqual(base64(Array(stride(from: 0, to: 256, by: 7).map(UInt8.init))),
                       "AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/A==")
        XCTAssertEqual(base64([]), "")
        XCTAssertEqual(base64([0x66, 0x6F]), "Zm8=")
    }

    func testCellsSplitIntoCodeAndCommands() {
        XCTAssertEqual(CellPart.split("let x = 1\n:time x + 1\n\nprint(x)"),
                       [.code("let x = 1", firstLine: 0), .command(":time x + 1"), .code("\nprint(x)", firstLine: 2)])
        // A line starting with ':' inside an open bracket is code.
        XCTAssertEqual(CellPart.split("let d = {\n:1}\n  :vars"), [.code("let d = {\n:1}", firstLine: 0), .command(":vars")])
        XCTAssertEqual(CellPart.split("\n\n"), [])
        // A byte-order mark at the start of a cell is skipped, as at the start of a script file.
        XCTAssertEqual(CellPart.split("\u{FEFF}:time 1\nprint(2)"), [.command(":time 1"), .code("print(2)", firstLine: 1)])
        XCTAssertEqual(CellPart.split("\u{FEFF}let x = 1"), [.code("let x = 1", firstLine: 0)])
    }

    func testConnectionFilesAreCheckedWithAMessage() throws {
        let folder = try temporaryFolder(self)
        let good = try writeFile(folder, "good.json", """
            {"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
             "ip": "127.0.0.1", "key": "abc", "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "dscript"}
            """)
        let connection = try KernelConnection.load(path: good)
        XCTAssertEqual(connection.endpoint("hb"), "tcp://127.0.0.1:5005")
        XCTAssertEqual(connection.key, Array("abc".utf8))
        for (name, text, message) in [
            ("missing.json", nil, "cannot read"), ("bad.json", "{", "not a JSON connection file"),
            ("port.json", "{\"shell_port\": 70000}", "no valid shell_port"),
            ("scheme.json", "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"signature_scheme\":\"hmac-md5\"}", "hmac-sha256"),
        ] as [(String, String?, String)] {
            let path = text == nil ? folder.appendingPathComponent(name).path : try writeFile(folder, name, text ?? "")
            let result = try runDscript(["--kernel", path])
            XCTAssertEqual(result.status, 1, name)
            XCTAssertTrue(result.errors.hasPrefix("dscript --kernel: ") && result.errors.contains(message), result.errors)
        }
    }

    func testInstallKernelWritesTheKernelspecWhereJupyterLooks() throws {
        let folder = try temporaryFolder(self)
        let result = try runDscript(["--install-kernel", "--prefix", folder.path + "/env"])
        XCTAssertEqual(result.status, 0, result.errors)
        let specPath = folder.path + "/env/share/jupyter/kernels/dscript/kernel.json"
        XCTAssertTrue(result.output.contains(folder.path + "/env/share/jupyter/kernels/dscript"), result.output)
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: specPath))) as? [String: Any]
        let argv = spec?["argv"] as? [String] ?? []
        XCTAssertEqual(argv.dropFirst(), ["--kernel", "{connection_file}"])
        XCTAssertTrue(argv.first?.hasPrefix("/") == true && FileManager.default.isExecutableFile(atPath: argv[0]), "\(argv)")
        XCTAssertEqual(spec?["language"] as? String, "dscript")
        XCTAssertEqual(spec?["interrupt_mode"] as? String, "signal")

        let user = try runDscript(["--install-kernel", "--user"], environment: ["JUPYTER_DATA_DIR": folder.path + "/data"])
        XCTAssertEqual(user.status, 0, user.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/data/kernels/dscript/kernel.json"))

        XCTAssertEqual(try runDscript(["--user"]).status, 2)
        XCTAssertEqual(try runDscript(["--install-kernel", "--user", "--prefix", "x"]).status, 2)
        try writeFile(folder, "file", "")
        let blocked = try runDscript(["--install-kernel", "--prefix", folder.path + "/file"])
        XCTAssertEqual(blocked.status, 1)
        XCTAssertTrue(blocked.errors.contains("cannot make the folder"), blocked.errors)
    }
}
