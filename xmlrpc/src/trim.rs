//! String trimming as SUSE Manager does it on incoming parameters.

use crate::MethodCall;

impl MethodCall {
    /// Trims leading and trailing whitespace of every string parameter, as
    /// the server does before dispatch (clients rely on it: one sends a
    /// cached session key with a trailing newline).
    pub fn trim_string_params(&mut self) {
        todo!()
    }
}
