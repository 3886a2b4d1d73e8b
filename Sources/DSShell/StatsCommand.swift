import DSLanguage

/// `dscript --stats FILE`: the statistics table of a `.safetensors` or `.npy` file (SPEC §9).
///
/// HOOK (issue 5): load `path` with the file-format readers and print the same table as the
/// `stats(x)` built-in. Until then it reports that the option is not available.
enum StatsCommand {
    static func run(path: String, settings: RuntimeSettings, output: TextSink, errorOutput: TextSink) -> Int32 {
        errorOutput.write("dscript: --stats is not available yet\n")
        errorOutput.flush()
        return 1
    }
}
