//! Limits on what the parser accepts.

/// Caps the parser enforces before and while reading a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document accepted, in bytes.
    pub max_body_bytes: usize,
    /// Deepest nesting of `<struct>`/`<array>` values accepted.
    pub max_depth: usize,
}

impl Limits {
    /// Defaults for requests from clients: 16 MiB and 64 levels.
    pub const REQUEST: Limits = Limits {
        max_body_bytes: 16 * 1024 * 1024,
        max_depth: 64,
    };

    /// Defaults for responses from SUSE Manager nodes, which can list tens
    /// of thousands of systems: 1 GiB and 64 levels.
    pub const RESPONSE: Limits = Limits {
        max_body_bytes: 1024 * 1024 * 1024,
        max_depth: 64,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::REQUEST
    }
}
