//! The result of a nanostate run as structured JSON: per host, group,
//! module and command (stdout, stderr, exit code, duration).
//!
//! A host stops at its first failing command: the groups, modules and
//! commands after it are not run and not listed.

use serde::{Deserialize, Serialize};

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The state's id.
    pub state: String,
    /// Every host succeeded.
    pub ok: bool,
    /// Wall time of the run, milliseconds.
    pub duration_ms: u64,
    /// Per host, in the order given.
    pub hosts: Vec<HostReport>,
}

/// One host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostReport {
    /// The host as given (`local`, `[user@]host[:port]`).
    pub host: String,
    /// Every command on it succeeded.
    pub ok: bool,
    /// Why the host could not be worked on at all (connection, host key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its groups, in state order, up to the failing one.
    pub groups: Vec<GroupReport>,
}

/// One group on one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    /// The group's name.
    pub name: String,
    /// Every call succeeded.
    pub ok: bool,
    /// Its module calls, in order.
    pub modules: Vec<ModuleReport>,
}

/// One module call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleReport {
    /// `shell`, `file` or `service`.
    pub module: String,
    /// Every command succeeded.
    pub ok: bool,
    /// Its commands, in order.
    pub commands: Vec<CommandReport>,
}

/// One command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandReport {
    /// Its name (shell: the name given; file: the path; service: the name).
    pub name: String,
    /// What ran (file contents are not shown).
    pub command: String,
    /// Exit code 0.
    pub ok: bool,
    /// The exit code; none when killed (timeout, signal) or not started.
    pub exit_code: Option<i32>,
    /// Standard output (lossy UTF-8, cut at [`OUTPUT_LIMIT`] bytes).
    pub stdout: String,
    /// Standard error, or why the command could not run.
    pub stderr: String,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
}

/// Bytes of stdout or stderr a report keeps per command.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// `bytes` as text for a report, cut at [`OUTPUT_LIMIT`].
pub(crate) fn output_text(bytes: &[u8]) -> String {
    if bytes.len() <= OUTPUT_LIMIT {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut text = String::from_utf8_lossy(&bytes[..OUTPUT_LIMIT]).into_owned();
    text.push_str(&format!(
        "\n[cut: {} more bytes]",
        bytes.len() - OUTPUT_LIMIT
    ));
    text
}

impl RunReport {
    /// The commands that failed, as `host/group/module/command`.
    pub fn failures(&self) -> Vec<String> {
        let mut failed = Vec::new();
        for host in &self.hosts {
            if let Some(error) = &host.error {
                failed.push(format!("{}: {error}", host.host));
            }
            for group in &host.groups {
                for module in &group.modules {
                    for command in module.commands.iter().filter(|c| !c.ok) {
                        failed.push(format!(
                            "{}/{}/{}/{}",
                            host.host, group.name, module.module, command.name
                        ));
                    }
                }
            }
        }
        failed
    }
}
