import DSEngine
import DSLanguage

/// Installs every domain's built-ins (tensors, layers, optimizers, diffusion, files, pictures) into
/// an interpreter. CONTRACT: the shell and the script tests call `Bindings.install(in:)`.
///
/// Adding a domain is one line: its table of global functions goes into `domains`, the `:help`
/// table of its native types' methods into `methodTables`.
public enum Bindings {
    /// Global functions, one table per domain.
    static let domains: [[Builtin]] = [
        TensorLibrary.creation,
        TensorLibrary.functions,
        NNLibrary.layers,
        OptimizerLibrary.optimizers,
        DiffusionLibrary.functions,
        SamplerLibrary.functions,
        DiffusionLosses.functions,
        DiffusionTeaching.functions,
        LessonLibrary.functions,
        ImageModelLibrary.table,
        PretrainedLibrary.table,
        PictureLibrary.table,
        ChartLibrary.table,
        ProgressObject.library,
        ImageDataLibrary.table,
        FileLibrary.table,
        StatsLibrary.table,
    ]

    /// Methods of native types (`tensor.sum`, `model.params`, `optimizer.step`), for `:help`.
    static let methodTables: [[Builtin]] = [
        TensorMethods.table,
        ModelObject.methods,
        ImageModelLibrary.methods,
        OptimizerObject.methods,
        EMAObject.methods,
        ScheduleObject.methods,
        NoiseScheduleObject.methods,
        ProgressObject.methods,
    ]

    public static func install(in interpreter: Interpreter) {
        for table in domains { interpreter.register(translatingErrors(table)) }
        for table in methodTables { interpreter.registerHelp(table) }
        LessonLibrary.attach(interpreter)
        if interpreter.settings.threads > 0 { Engine.threads = interpreter.settings.threads }
        Engine.prepare()
        // One allocation limit for the bindings' checks and the engine's: what fits in memory.
        Engine.maxElements = Swift.min(Engine.maxElements, TensorConversion.maxElements)
    }

    /// The same built-ins with engine errors (`TensorError`) turned into `ScriptError`s.
    static func translatingErrors(_ table: [Builtin]) -> [Builtin] {
        table.map { builtin in
            Builtin(builtin.signature, builtin.summary, example: builtin.example) { arguments, context in
                try engine { try builtin.body(arguments, context) }
            }
        }
    }
}
