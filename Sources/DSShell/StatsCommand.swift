import DSBindings
import DSEngine
import DSLanguage
import DSRender

/// `dscript --stats FILE`: the statistics table of a `.safetensors` or `.npy` file (docs/builtins.md §
/// Files, pictures and data), the same as the `stats(x)` built-in prints. Safetensors files are read
/// lazily, one tensor converted at a time, so a large checkpoint never needs twice its size in memory.
enum StatsCommand {
    static func run(path: String, settings: RuntimeSettings, output: TextSink, errorOutput: TextSink) -> Int32 {
        do {
            output.write(try StatsTable.fileReport(path: path))
            output.flush()
            return 0
        } catch let error as FormatError {
            errorOutput.write("dscript: \(error.message)\n")
        } catch {
            errorOutput.write("dscript: \(path): \(error)\n")
        }
        errorOutput.flush()
        return 1
    }
}
