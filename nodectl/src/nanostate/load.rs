//! Reading one nanostate file into a [`NanoState`], with errors that name
//! the file, the line and column, and the field.

use std::path::Path;

use super::{NanoState, StateError};

/// Reads and checks the state file at `path`.
pub fn load_file(path: &Path) -> Result<NanoState, StateError> {
    let text = std::fs::read_to_string(path).map_err(|source| StateError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses and checks state text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<NanoState, StateError> {
    yaml_serde::from_str::<NanoState>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let (field, message) = split_field(&e.to_string());
        StateError::Invalid {
            file: path.to_owned(),
            line,
            column,
            field,
            message,
        }
    })
}

/// Splits yaml_serde's `path: message at line L column C` into the field
/// and the message. A missing or unknown field's name joins the path.
fn split_field(display: &str) -> (String, String) {
    let text = display
        .rfind(" at line ")
        .map_or(display, |at| &display[..at]);
    let (path, message) = match text.split_once(": ") {
        Some((path, message)) if !path.is_empty() && !path.contains(' ') => (path, message),
        _ => ("", text),
    };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let field = match (path, named) {
        ("", Some(name)) => name.to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        ("", None) if message.starts_with("did not find") || message.contains("while ") => {
            "-".to_owned()
        }
        ("", None) => ".".to_owned(),
        (path, None) => path.to_owned(),
    };
    (field, message.to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::nanostate::{Ensure, ModuleCall, ServiceAction};

    const GOOD: &str = r#"id: stage-node
description: Prepare a node
state:
  packages:
    - shell:
        - refresh: echo refresh
        - install: echo install
  config:
    - file:
        path: /etc/x.conf
        content: "a: 1\n"
        mode: "0600"
    - file: {path: /etc/old.conf, ensure: absent}
    - service: {name: salt-master, action: restart}
"#;

    #[test]
    fn a_good_state_keeps_its_order() {
        let state = parse(GOOD, Path::new("good.yaml")).expect("valid");
        assert_eq!(state.id, "stage-node");
        let names: Vec<_> = state.state.0.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["packages", "config"]);
        let ModuleCall::Shell(commands) = &state.state.0[0].calls[0] else {
            panic!("shell first")
        };
        let names: Vec<_> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["refresh", "install"]);
        match &state.state.0[1].calls[..] {
            [
                ModuleCall::File(put),
                ModuleCall::File(gone),
                ModuleCall::Service(svc),
            ] => {
                assert_eq!((put.mode, put.ensure), (0o600, Ensure::Present));
                assert_eq!(gone.ensure, Ensure::Absent);
                assert_eq!(svc.action, ServiceAction::Restart);
            }
            other => panic!("{other:?}"),
        }
    }

    /// Each broken state names the file, the line, and the field.
    #[test]
    fn errors_name_file_line_and_field() {
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "mode: \"0600\"",
                "mode: \"9z\"",
                12,
                "state.config[0].file.mode",
            ),
            (
                "        content: \"a: 1\\n\"\n",
                "",
                10,
                "state.config[0].file",
            ),
            (
                "    - service: {name: salt-master, action: restart}",
                "    - service: {name: salt-master, action: reload}",
                14,
                "state.config[2].service.action",
            ),
            ("    - shell:", "    - shel:", 5, "state.packages[0]"),
            ("description: Prepare a node\n", "", 1, "description"),
            (
                "        - install: echo install",
                "        - refresh: echo again",
                6,
                "state.packages[0].shell",
            ),
            (
                "    - file: {path: /etc/old.conf, ensure: absent}",
                "    - file: {path: etc/old.conf, ensure: absent}",
                13,
                "state.config[1].file.path",
            ),
            ("id: stage-node", "id: stage node", 1, "id"),
            (
                "        content: \"a: 1\\n\"",
                "        contents: \"a: 1\\n\"",
                11,
                "state.config[0].file.contents",
            ),
        ];
        for (from, to, line, field) in cases {
            let text = GOOD.replacen(from, to, 1);
            assert_ne!(text, GOOD, "{from} not in the sample");
            let err = parse(&text, &PathBuf::from("/states/bad.yaml")).expect_err(to);
            let StateError::Invalid {
                file,
                line: got_line,
                field: got_field,
                ..
            } = &err
            else {
                panic!("{err}")
            };
            assert_eq!(file, Path::new("/states/bad.yaml"));
            assert_eq!((got_field.as_str(), *got_line), (*field, *line), "{err}");
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("/states/bad.yaml:{line}:")),
                "{shown}"
            );
        }
    }

    #[test]
    fn malformed_yaml_has_a_line_too() {
        let err = parse("id: [unclosed\n", Path::new("x.yaml")).expect_err("malformed");
        assert!(err.to_string().starts_with("x.yaml:"), "{err}");
    }
}
