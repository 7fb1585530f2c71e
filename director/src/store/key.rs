//! Key helpers shared by the engines: prefix ranges and printable keys.

use std::fmt;

/// The smallest key greater than every key that starts with `prefix`, or
/// `None` when no such key exists (empty prefix, or only `0xff` bytes): the
/// exclusive end of a prefix scan.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Shows a key in logs and errors: printable ASCII as is, other bytes
/// escaped (`node/\x00\xff`).
pub(crate) struct KeyDisplay<'a>(pub(crate) &'a [u8]);

impl fmt::Display for KeyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_increments_the_last_byte() {
        assert_eq!(prefix_end(b"a/"), Some(b"a0".to_vec()));
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
    }

    #[test]
    fn prefix_end_carries_over_ff_bytes() {
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn key_display_escapes_binary() {
        assert_eq!(KeyDisplay(b"node/\x00\xff").to_string(), "node/\\x00\\xff");
    }
}
