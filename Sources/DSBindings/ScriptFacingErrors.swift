import DSDiffusion
import DSEngine
import DSLanguage

// The errors of the libraries below the language whose messages are written for the script's
// author. The runtime's one translator, `ScriptError.translating`, turns each into a script error
// located at the call or operation that failed, wherever native code throws it: a built-in's body,
// a tensor operator, an index, a model call. So bindings call engine and diffusion code directly.
extension TensorError: ScriptFacingError {}
extension FormatError: ScriptFacingError {}
extension DiffusionError: ScriptFacingError {}
