//! The flags every admin command shares: where the director is, how to
//! authenticate, which TLS roots to trust and how to print results.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;

/// The director's admin API address when none is given.
pub const DEFAULT_DIRECTOR_URL: &str = "http://127.0.0.1:8180";

/// Flags shared by every admin command (global: they may come before or
/// after the subcommand).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Director connection and output")]
pub struct GlobalArgs {
    /// Base URL of the director's admin API.
    #[arg(long, global = true, env = "DIRECTOR_URL", default_value = DEFAULT_DIRECTOR_URL)]
    pub url: String,

    /// Admin bearer token.
    #[arg(
        long,
        global = true,
        env = "DIRECTOR_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<AdminToken>,

    /// File holding the admin bearer token (wins over --token).
    #[arg(
        long,
        global = true,
        env = "DIRECTOR_ADMIN_TOKEN_FILE",
        value_name = "PATH"
    )]
    pub token_file: Option<PathBuf>,

    /// PEM file of a CA certificate to trust for TLS, besides the system's.
    #[arg(long, global = true, env = "DIRECTOR_CA_CERT", value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,

    /// How to print results.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

impl GlobalArgs {
    /// Defaults for a director at `url` with `token`: what a test or
    /// another tool builds without a command line.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> GlobalArgs {
        GlobalArgs {
            url: url.into(),
            token: Some(AdminToken::from(token.into())),
            token_file: None,
            ca_cert: None,
            output: OutputFormat::Table,
        }
    }

    /// The admin token: from `--token-file` when given, else `--token`.
    pub fn admin_token(&self) -> Result<AdminToken, CliError> {
        let token = match (&self.token_file, &self.token) {
            (Some(path), _) => read_token_file(path)?,
            (None, Some(token)) => token.clone(),
            (None, None) => return Err(CliError::MissingToken),
        };
        if token.expose().is_empty() {
            return Err(CliError::EmptyToken);
        }
        Ok(token)
    }
}

fn read_token_file(path: &Path) -> Result<AdminToken, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::TokenFile {
        path: path.to_owned(),
        source,
    })?;
    Ok(AdminToken::from(text.trim().to_owned()))
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable tables.
    Table,
    /// The director's JSON answer, pretty-printed.
    Json,
}

/// The admin bearer token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    /// The secret itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for AdminToken {
    fn from(token: String) -> AdminToken {
        AdminToken(token)
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl fmt::Display for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let args = GlobalArgs::new(DEFAULT_DIRECTOR_URL, "s3cret-token");
        let shown = format!("{args:?} {}", args.token.as_ref().unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn the_token_file_wins_and_is_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "from-file\n").unwrap();
        let mut args = GlobalArgs::new(DEFAULT_DIRECTOR_URL, "from-flag");
        args.token_file = Some(path);
        assert_eq!(args.admin_token().unwrap().expose(), "from-file");
    }

    #[test]
    fn missing_empty_and_unreadable_tokens_are_errors() {
        let mut args = GlobalArgs::new(DEFAULT_DIRECTOR_URL, "");
        assert!(matches!(args.admin_token(), Err(CliError::EmptyToken)));
        args.token = None;
        assert!(matches!(args.admin_token(), Err(CliError::MissingToken)));
        args.token_file = Some("/nonexistent/token".into());
        let err = args.admin_token().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/token"), "{err}");
    }
}
