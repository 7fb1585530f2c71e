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
    /// The fault to answer a client whose request could not be parsed:
    /// code -1 and a `redstone.xmlrpc.XmlRpcFault: ` string as SUSE Manager
    /// answers its faults. Never contains any part of the request.
    pub fn to_fault(&self) -> Fault {
        Fault::new(
            -1,
            format!(
                "redstone.xmlrpc.XmlRpcFault: The request is not a well-formed XML-RPC call: {} (at byte {})",
                self.reason, self.offset
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_text() {
        let e = ParseError {
            offset: 17,
            reason: "boolean must be 0 or 1".into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid XML-RPC at byte 17: boolean must be 0 or 1"
        );
        assert_eq!(
            e.to_fault(),
            Fault::new(
                -1,
                "redstone.xmlrpc.XmlRpcFault: The request is not a well-formed XML-RPC call: \
                 boolean must be 0 or 1 (at byte 17)"
            )
        );
    }
}
