import DSEngine
import DSLanguage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dscript --install-kernel [--user | --prefix DIR]`: writes the kernelspec `dscript`
/// (`kernels/dscript/kernel.json`) where Jupyter looks, as `python -m ipykernel install` does.
public enum KernelSpec {
    public enum Location: Equatable {
        /// `/usr/local/share/jupyter` (Jupyter's system-wide folder).
        case system
        /// `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter` or `~/.local/share/jupyter` (`~/Library/Jupyter` on macOS).
        case user
        /// `DIR/share/jupyter` (a virtual environment or conda prefix).
        case prefix(String)
    }

    public static let name = "dscript"

    /// The folder that receives `kernels/dscript`, or nil when it cannot be named (no home folder).
    static func dataFolder(_ location: Location, environment: (String) -> String? = System.environment) -> String? {
        switch location {
        case .system: return "/usr/local/share/jupyter"
        case .prefix(let dir): return dir + "/share/jupyter"
        case .user:
            if let dir = environment("JUPYTER_DATA_DIR"), !dir.isEmpty { return dir }
            #if os(macOS)
            return System.homeDirectory().map { $0 + "/Library/Jupyter" }
            #else
            if let xdg = environment("XDG_DATA_HOME"), !xdg.isEmpty { return xdg + "/jupyter" }
            return System.homeDirectory().map { $0 + "/.local/share/jupyter" }
            #endif
        }
    }

    /// The kernel.json text for the executable at `executable`.
    static func kernelJSON(executable: String) -> String {
        let spec: JSONValue = [
            "argv": .array([.string(executable), "--kernel", "{connection_file}"]),
            "display_name": "dscript", "language": "dscript", "interrupt_mode": "signal",
            "metadata": ["debugger": .bool(false)],
        ]
        return spec.text + "\n"
    }

    /// Installs the kernelspec; prints where; exit status 0, or 1 with a message.
    static func install(at location: Location, output: TextSink, errorOutput: TextSink) -> Int32 {
        func fail(_ message: String) -> Int32 {
            errorOutput.write("dscript --install-kernel: \(message)\n")
            errorOutput.flush()
            return 1
        }
        guard let executable = System.executablePath() else { return fail("cannot find the dscript executable's path") }
        guard let data = dataFolder(location) else { return fail("no home folder for --user (set HOME or JUPYTER_DATA_DIR)") }
        let folder = data + "/kernels/" + name
        if let problem = makeFolders(folder) { return fail(problem) }
        if let problem = writeFile(folder + "/kernel.json", kernelJSON(executable: executable)) { return fail(problem) }
        output.write("Installed the Jupyter kernel '\(name)' in \(folder)\n")
        output.flush()
        return 0
    }

    /// `mkdir -p`; nil, or what went wrong.
    static func makeFolders(_ path: String) -> String? {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                return "cannot make the folder \(built): \(System.errorText(errno))"
            }
        }
        return System.isDirectory(path) ? nil : "\(path) is not a folder"
    }

    /// Writes `text` to `path` through a temporary file and a rename; nil, or what went wrong.
    static func writeFile(_ path: String, _ text: String) -> String? {
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "wb") else { return "cannot write \(path): \(System.errorText(errno))" }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let closed = fclose(file)
        guard written == bytes.count, closed == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            return "cannot write \(path): \(System.errorText(errno))"
        }
        return nil
    }
}
