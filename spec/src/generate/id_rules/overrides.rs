//! The result-id override table: where the documentation misleads the
//! result rules. A row replaces what the rules say about the whole result
//! of every overload of its method (field ids are kept). A row that matches
//! nothing or changes nothing is dead and stops the generator.

/// What an override says the whole result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeResult {
    /// Carries no ids.
    Nothing,
    /// An action id (or array of them).
    Action,
}

/// A row of the result-id override table: replaces what the rules say
/// about the results of every overload of the method.
#[derive(Debug, Clone, Copy)]
pub struct ResultOverride {
    /// The namespace.
    pub namespace: &'static str,
    /// The method.
    pub method: &'static str,
    /// What the result carries.
    pub result: WholeResult,
    /// Why.
    pub reason: &'static str,
}

/// The result-id overrides.
pub const RESULT_OVERRIDES: &[ResultOverride] = &[
    ResultOverride {
        namespace: "actionchain",
        method: "createChain",
        result: WholeResult::Nothing,
        reason: "returns the new chain's id, though documented as `actionId`",
    },
    ResultOverride {
        namespace: "system",
        method: "provisionSystem",
        result: WholeResult::Action,
        reason: "returns the id of the scheduled provisioning action, documented as `id`",
    },
    ResultOverride {
        namespace: "image",
        method: "scheduleImageBuild",
        result: WholeResult::Action,
        reason: "returns the build action's id, undocumented name",
    },
    ResultOverride {
        namespace: "image",
        method: "importImage",
        result: WholeResult::Action,
        reason: "returns the inspect action's id, undocumented name",
    },
    ResultOverride {
        namespace: "image",
        method: "importContainerImage",
        result: WholeResult::Action,
        reason: "returns the inspect action's id, undocumented name",
    },
];
