//! The client token: read from a file, sent as a bearer token, never shown.

use std::path::Path;

use crate::error::{ClientdError, Result};

/// A client token. Its `Debug` shows no part of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Reads the token from `path` (surrounding whitespace ignored).
    pub fn read(path: &Path) -> Result<Token> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ClientdError::file("client token", path, e))?;
        let token = text.trim();
        let invalid = |reason: &str| ClientdError::Invalid {
            what: "client token",
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        if token.is_empty() {
            return Err(invalid("empty"));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("must be printable ASCII without spaces"));
        }
        Ok(Token(token.to_owned()))
    }

    /// The token itself, to put in a header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_trimmed_checked_and_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  s3cret-token\n").unwrap();
        let token = Token::read(&path).unwrap();
        assert_eq!(token.expose(), "s3cret-token");
        assert_eq!(format!("{token:?}"), "Token(***)");

        std::fs::write(&path, "\n").unwrap();
        assert!(
            Token::read(&path)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        std::fs::write(&path, "a b").unwrap();
        let err = Token::read(&path).unwrap_err().to_string();
        assert!(!err.contains("a b"), "{err}");
        assert!(Token::read(&dir.path().join("nope")).is_err());
    }
}
