//! Parse errors. They never carry the document's text: a request body can
//! hold a password.

use crate::Fault;

/// Why a document was refused. Carries a byte offset and a description of
/// the problem, never text taken from the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid XML-RPC at byte {offset}: {reason}")]
pub struct ParseError {
    /// Byte offset where the problem was found.
    pub offset: usize,
    /// What was wrong, in the codec's own words.
    pub reason: String,
}

impl ParseError {
    /// The fault to answer a client whose request could not be parsed.
    /// Never contains any part of the request.
    pub fn to_fault(&self) -> Fault {
        todo!()
    }
}
