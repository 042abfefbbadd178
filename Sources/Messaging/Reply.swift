import Foundation

/// What a patient's SMS reply to a reminder asks for.
public enum Reply: String, Sendable, Equatable, CaseIterable {
    /// The patient will come.
    case confirm
    /// The patient wants another time; staff should call back.
    case reschedule
    /// Opt-out: no more texts (carrier keyword; must be honoured).
    case stop
    /// Opt back in after a stop.
    case start
    /// The patient asks what the texts are and how to stop them.
    case help
    /// Anything else; a person should read it.
    case other
}
