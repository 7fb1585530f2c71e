//! Module calls turned into `sh` programs, the same for every runner: each
//! step is one program fed to `sh -s` on its standard input, so neither
//! file contents nor secrets (the environment a directive carries) appear
//! on a command line, local or remote.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::{Ensure, ModuleCall};

/// One command a runner executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The command's name in the report (`shell`: its name; `file`: the
    /// path; `service`: the service).
    pub name: String,
    /// What the report shows as the command (never file contents).
    pub display: String,
    /// The `sh` source.
    pub script: String,
}

/// The steps of a module call; `init_command` is the service template.
pub fn steps(call: &ModuleCall, init_command: &str) -> Vec<Step> {
    match call {
        ModuleCall::Shell(commands) => commands
            .iter()
            .map(|c| Step {
                name: c.name.clone(),
                display: c.command.clone(),
                script: c.command.clone(),
            })
            .collect(),
        ModuleCall::File(file) => {
            let path = quote(&file.path);
            let step = match file.ensure {
                Ensure::Absent => Step {
                    name: file.path.clone(),
                    display: format!("remove {}", file.path),
                    script: format!("rm -f -- {path}"),
                },
                Ensure::Present => Step {
                    name: file.path.clone(),
                    display: format!(
                        "put {} (mode {:04o}, {} bytes)",
                        file.path,
                        file.mode,
                        file.content.len()
                    ),
                    script: put_file(&path, file.mode, file.content.as_bytes()),
                },
            };
            vec![step]
        }
        ModuleCall::Service(service) => {
            let command = init_command
                .replace("{action}", service.action.as_str())
                .replace("{name}", &quote(&service.name));
            vec![Step {
                name: service.name.clone(),
                display: command.clone(),
                script: command,
            }]
        }
    }
}

/// Writes a temporary file next to `path` and renames it over: readers see
/// the old file or the new one, never half of it.
fn put_file(path: &str, mode: u32, content: &[u8]) -> String {
    let mut encoded = B64.encode(content);
    // Lines of 76, as base64 -d expects them at most.
    let mut lines = String::with_capacity(encoded.len() + encoded.len() / 76 + 1);
    while !encoded.is_empty() {
        let rest = encoded.split_off(encoded.len().min(76));
        lines.push_str(&encoded);
        lines.push('\n');
        encoded = rest;
    }
    format!(
        "set -e\n\
         tmp=$(mktemp -- \"$(dirname -- {path})/.nodectl.XXXXXX\")\n\
         trap 'rm -f -- \"$tmp\"' EXIT\n\
         base64 -d > \"$tmp\" <<'NODECTL_EOF'\n{lines}NODECTL_EOF\n\
         chmod {mode:04o} \"$tmp\"\n\
         mv -f -- \"$tmp\" {path}\n\
         trap - EXIT\n"
    )
}

/// The program fed to `sh -s`: the environment exported, then the step's
/// script run by `eval` with standard input closed (so a command that reads
/// its input cannot swallow the rest of the program).
pub fn program(env: &BTreeMap<String, String>, script: &str) -> String {
    let mut program = String::new();
    for (name, value) in env {
        program.push_str(&format!("export {name}={}\n", quote(value)));
    }
    program.push_str(&format!("eval {} </dev/null\n", quote(script)));
    program
}

/// Whether `name` is a valid environment variable name.
pub fn valid_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `text` single-quoted for `sh`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};

    use super::*;

    fn sh(program: &str) -> (String, i32) {
        use std::io::Write;
        let mut child = Command::new("sh")
            .arg("-s")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(program.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    #[test]
    fn quoting_survives_the_shell() {
        let nasty = "it's $HOME `id` \"x\" \\ ; echo no\nline";
        let env = BTreeMap::from([("NASTY".to_owned(), nasty.to_owned())]);
        let (out, code) = sh(&program(&env, "printf %s \"$NASTY\""));
        assert_eq!((out.as_str(), code), (nasty, 0));
        let (out, _) = sh(&program(
            &BTreeMap::new(),
            &format!("printf %s {}", quote(nasty)),
        ));
        assert_eq!(out, nasty);
    }

    #[test]
    fn commands_cannot_read_the_program() {
        let (out, code) = sh(&program(&BTreeMap::new(), "cat; echo after; exit 3"));
        assert_eq!((out.as_str(), code), ("after\n", 3));
    }

    #[test]
    fn files_are_put_atomically_with_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("it's a file");
        let content = "line 1\n'quoted' $x\n".repeat(50);
        let script = put_file(&quote(&path.to_string_lossy()), 0o640, content.as_bytes());
        let (_, code) = sh(&program(&BTreeMap::new(), &script));
        assert_eq!(code, 0);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), content);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temp left"
        );
    }

    #[test]
    fn env_names_are_checked() {
        assert!(valid_env_name("SCC_PASSWORD"));
        assert!(valid_env_name("_x1"));
        for bad in ["", "1A", "A-B", "A B", "A=B"] {
            assert!(!valid_env_name(bad), "{bad:?}");
        }
    }
}
