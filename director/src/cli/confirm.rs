//! Asking the operator before a change that moves clients: `--yes` skips
//! the question; without it a terminal is asked, and anything else (a
//! script, a pipe) is refused rather than guessed.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;

/// What to do about a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirmation {
    /// `--yes` was given.
    Given,
    /// Ask on the terminal.
    Ask,
    /// No `--yes` and no terminal: refuse.
    Refuse,
}

/// Decides from `--yes` and whether standard input is a terminal.
pub(crate) fn confirmation(yes: bool, stdin_is_terminal: bool) -> Confirmation {
    match (yes, stdin_is_terminal) {
        (true, _) => Confirmation::Given,
        (false, true) => Confirmation::Ask,
        (false, false) => Confirmation::Refuse,
    }
}

/// Whether an answer means yes (`y`, `yes`, any case).
pub(crate) fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Confirms `action` (`apply the rebalance`): true to go ahead, false when
/// the operator said no; an error when there is no one to ask.
pub(crate) async fn confirm(
    question: String,
    yes: bool,
    action: &'static str,
) -> Result<bool, CliError> {
    match confirmation(yes, std::io::stdin().is_terminal()) {
        Confirmation::Given => Ok(true),
        Confirmation::Refuse => Err(CliError::ConfirmationNeeded { action }),
        Confirmation::Ask => tokio::task::spawn_blocking(move || ask(&question))
            .await
            .map_err(|err| CliError::Prompt(std::io::Error::other(err)))?,
    }
}

fn ask(question: &str) -> Result<bool, CliError> {
    let mut err = std::io::stderr().lock();
    write!(err, "{question} [y/N] ")
        .and_then(|()| err.flush())
        .map_err(CliError::Prompt)?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(CliError::Prompt)?;
    Ok(is_yes(&answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_goes_ahead_a_terminal_is_asked_a_pipe_is_refused() {
        assert_eq!(confirmation(true, false), Confirmation::Given);
        assert_eq!(confirmation(true, true), Confirmation::Given);
        assert_eq!(confirmation(false, true), Confirmation::Ask);
        assert_eq!(confirmation(false, false), Confirmation::Refuse);
    }

    #[test]
    fn only_y_or_yes_mean_yes() {
        for answer in ["y\n", "YES", " yes "] {
            assert!(is_yes(answer), "{answer:?}");
        }
        for answer in ["", "\n", "n", "no", "yep", "maybe"] {
            assert!(!is_yes(answer), "{answer:?}");
        }
    }

    #[tokio::test]
    async fn without_yes_and_without_a_terminal_the_change_is_refused() {
        if std::io::stdin().is_terminal() {
            return; // run by hand on a terminal: the question would be asked
        }
        let err = confirm("Apply?".into(), false, "apply the rebalance")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("pass --yes"), "{err}");
    }
}
