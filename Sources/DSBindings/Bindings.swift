import DSEngine
import DSLanguage

/// Installs every domain's built-ins (tensors, layers, optimizers, diffusion, files, pictures) into
/// an interpreter. CONTRACT: the shell and the script tests call `Bindings.install(in:)`.
///
/// Adding a domain is one entry in `domains`: its title, its global functions and the methods of
/// its native types. `:help` lists the domains in this order, each domain's functions in table order.
public enum Bindings {
    public static let domains: [BuiltinDomain] = [
        BuiltinDomain(
            "Tensors and autograd", functions: TensorLibrary.creation + TensorLibrary.functions,
            methods: TensorMethods.table),
        BuiltinDomain(
            "Layers and optimizers", functions: NNLibrary.layers + OptimizerLibrary.optimizers,
            methods: ModelObject.methods + OptimizerObject.methods + EMAObject.methods + ScheduleObject.methods),
        BuiltinDomain(
            "Diffusion", functions: DiffusionLibrary.functions + SamplerLibrary.functions + DiffusionLosses.functions,
            methods: NoiseScheduleObject.methods),
        BuiltinDomain(
            "Models", functions: DiffusionLibrary.models + ImageModelLibrary.table + PretrainedLibrary.table,
            methods: ImageModelLibrary.methods + PipelineObject.methods),
        BuiltinDomain(
            "Files, pictures and data",
            functions: FileLibrary.table + StatsLibrary.table + PictureLibrary.table + ChartLibrary.table
                + ProgressObject.library + DiffusionLosses.datasets + ImageDataLibrary.table,
            methods: ProgressObject.methods),
        BuiltinDomain("Teaching the math", functions: DiffusionTeaching.functions + LessonLibrary.functions),
    ]

    public static func install(in interpreter: Interpreter) {
        for domain in domains { interpreter.register(domain) }
        LessonLibrary.attach(interpreter)
        if interpreter.settings.threads > 0 { Engine.threads = interpreter.settings.threads }
        Engine.prepare()
    }
}
