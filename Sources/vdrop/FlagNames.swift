import ArgumentParser
import VDrop
import VDropCL

/// How `vdrop` names each setting the library's errors point at: its flag.
enum FlagNames {
    static func flag(for setting: Setting) -> String {
        switch setting {
        case .model: return "--model"
        case .objective: return "--objective"
        case .gammaA: return "--a"
        case .gammaB: return "--b"
        case .alpha: return "--alpha"
        case .epochs: return "--epochs"
        case .batch: return "--batch"
        case .learningRate: return "--lr"
        case .decayFrom: return "--decay-from"
        case .annealEpochs: return "--anneal-epochs"
        case .regularizerScale: return "--reg-scale"
        case .logSigma2Max: return "--log-sigma2-max"
        case .logEvery: return "--log-every"
        case .seed: return "--seed"
        case .seeds: return "--seeds"
        case .seedBatch: return "--seed-batch"
        case .trim: return "--trim"
        case .initFrom: return "--init-from"
        case .data: return "--data"
        case .resume: return "--resume"
        case .force: return "--force"
        case .device: return "--device"
        case .devices: return "--devices"
        case .format: return "--format"
        }
    }

    /// A parsing-time refusal (printed with the usage) in the command line's words.
    static func validationError(_ error: SettingWordedError) -> ValidationError {
        ValidationError(error.wording.rendered(naming: flag(for:)))
    }

    /// The error as `vdrop` prints it: a sentence naming settings names their flags, and a
    /// device out of memory is told which flag makes the step smaller.
    static func inCommandLineWords(_ error: Error) -> Error {
        if let worded = error as? SettingWordedError {
            return CommandFailure(worded.wording.rendered(naming: flag(for:)))
        }
        if let memory = error as? DeviceMemoryError {
            return CommandFailure("\(memory) (\(flag(for: .batch)) sets the batch size.)")
        }
        if let cl = error as? CLError, cl.isOutOfMemory {
            return CommandFailure("\(cl) (\(flag(for: .batch)) sets the batch size.)")
        }
        return error
    }
}
