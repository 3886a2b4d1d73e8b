import DSLanguage

/// The `:help` overview: REPL commands, then the registered built-ins grouped as in the SPEC.
///
/// Groups are a table of names; a registered built-in that no group names is listed under
/// "More", and a name of the table that nothing registered is left out, so the overview always
/// shows exactly what this build offers.
enum HelpCatalog {
    /// One line per REPL command (name with arguments, what it does).
    static let commands: [(usage: String, summary: String)] = [
        (":help [NAME]", "this overview, or the signature, summary and example of NAME"),
        (":vars", "your variables with their type and value"),
        (":time EXPR", "run EXPR and print how long it took"),
        (":load FILE", "run FILE with the REPL's variables"),
        (":reset", "forget every variable you defined"),
        (":quit", "leave (also Ctrl-D)"),
    ]

    static let groups: [(title: String, names: [String])] = [
        ("Core", [
            "print", "str", "repr", "type", "format", "len", "range", "help", "assert", "error", "exit", "args",
            "time", "clock", "sleep", "getenv", "memory_limit",
        ]),
        ("Math", [
            "abs", "sqrt", "exp", "log", "log2", "log10", "pow", "sin", "cos", "tan", "atan", "atan2", "floor",
            "ceil", "round", "clamp", "sign", "min", "max", "sum", "int", "num", "isfinite", "isinf", "isnan",
        ]),
        ("Strings", [
            "chr", "ord", "lower", "upper", "strip", "lstrip", "rstrip", "split", "join", "replace",
            "starts_with", "ends_with", "find", "contains",
        ]),
        ("Collections", [
            "list", "keys", "values", "has", "push", "pop", "insert", "remove", "sort", "reverse", "slice",
            "map", "filter", "reduce", "zip", "enumerate", "all", "any",
        ]),
        ("Tensors and autograd", [
            "tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "randn", "rand", "randint", "randperm",
            "zeros_like", "ones_like", "full_like", "randn_like", "rand_like", "seed", "param", "cat", "stack",
            "where", "matmul", "maximum", "minimum", "mean", "logsumexp", "relu", "silu", "gelu", "sigmoid", "tanh",
            "softmax", "log_softmax", "mse", "allclose", "no_grad", "enable_grad", "is_grad_enabled",
        ]),
        ("Layers and optimizers", [
            "linear", "conv2d", "group_norm", "layer_norm", "attention", "avg_pool2d", "upsample", "sequential",
            "params", "load_state", "timestep_embedding", "sgd", "adam", "adamw", "lr_schedule", "clip_grad_norm",
            "ema",
        ]),
        ("Diffusion", [
            "schedule", "ddpm_step", "ddpm_sample", "ddim_timesteps", "ddim_step", "ddim_sample", "ddim_invert",
            "diffusion_loss", "kl_normal", "vae_kl", "gaussian_nll", "discretized_gaussian_nll", "vlb",
        ]),
        ("Models", ["mlp_denoiser", "unet", "autoencoder_kl", "vae", "save_pretrained", "from_pretrained"]),
        ("Files, pictures and data", [
            "save", "load", "stats", "metadata", "diff", "restore", "load_idx", "show", "save_png", "load_png", "load_png_folder", "plot", "scatter",
            "hist", "save_svg", "progress", "swiss_roll", "moons", "gaussians8", "checkerboard", "rings", "shapes",
            "glyphs", "batches", "energy_distance",
        ]),
        ("Teaching the math", ["explain", "table", "compare", "lesson", "lessons", "step", "check"]),
    ]

    /// The full overview text.
    static func overview(entries: [Builtin], width: Int = 88) -> String {
        var text = "Commands:\n"
        let usageWidth = commands.map(\.usage.count).max() ?? 0
        for command in commands {
            text += "  " + pad(command.usage, usageWidth) + "  " + command.summary + "\n"
        }
        var globals = Set<String>()
        var methodTypes: [String: Int] = [:]
        for entry in entries {
            if let dot = entry.name.firstIndex(of: ".") {
                methodTypes[String(entry.name[..<dot]), default: 0] += 1
            } else {
                globals.insert(entry.name)
            }
        }
        var listed = Set<String>()
        for group in groups {
            let present = group.names.filter(globals.contains)
            listed.formUnion(present)
            if !present.isEmpty { text += "\n\(group.title):\n" + wrap(present, width: width) }
        }
        let rest = globals.subtracting(listed).sorted()
        if !rest.isEmpty { text += "\nMore:\n" + wrap(rest, width: width) }
        if !methodTypes.isEmpty {
            let types = methodTypes.keys.sorted().map { "\($0) (\(methodTypes[$0] ?? 0))" }
            text += "\nMethods, by type (:help TYPE lists them):\n" + wrap(types, width: width)
        }
        text += "\n:help NAME shows a built-in's signature, summary and example (:help abs, :help tensor.sum).\n"
        return text
    }

    /// The entry of one built-in: signature, summary, example.
    static func describe(_ entry: Builtin) -> String {
        var text = entry.signature + "\n    " + entry.summary + "\n"
        if !entry.example.isEmpty {
            let lines = entry.example.split(separator: "\n", omittingEmptySubsequences: false)
            text += "    example: " + lines.joined(separator: "\n             ") + "\n"
        }
        return text
    }

    /// Methods registered for `type` (`tensor` → `tensor.sum`, ...), one summary line each.
    static func methods(of type: String, entries: [Builtin]) -> String? {
        let prefix = type + "."
        let methods = entries.filter { $0.name.hasPrefix(prefix) }.sorted { $0.name < $1.name }
        guard !methods.isEmpty else { return nil }
        let width = methods.map(\.signature.count).max() ?? 0
        return "Methods of \(type):\n" + methods.map { "  " + pad($0.signature, min(width, 40)) + "  " + $0.summary + "\n" }.joined()
    }

    /// `words` separated by spaces, in lines of at most `width` columns, indented by two.
    static func wrap(_ words: [String], width: Int) -> String {
        var text = ""
        var line = " "
        for word in words {
            if line.count + 1 + word.count > width, line.count > 1 {
                text += line + "\n"
                line = " "
            }
            line += " " + word
        }
        if line.count > 1 { text += line + "\n" }
        return text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
