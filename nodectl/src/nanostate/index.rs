//! The state index: every nanostate under the configured roots, by id.
//!
//! Roots are searched with their subdirectories for `*.yaml` and `*.yml`.
//! A root that does not exist holds nothing; an invalid file is kept as a
//! problem (and named when its id is asked for by file name) without
//! hiding the valid ones; two files with the same id are a problem too, and
//! that id is not served.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{NanoState, StateError, load_file};

/// The states found under some roots.
#[derive(Debug, Default)]
pub struct StateIndex {
    roots: Vec<PathBuf>,
    states: BTreeMap<String, (PathBuf, NanoState)>,
    problems: Vec<StateError>,
}

impl StateIndex {
    /// Scans `roots` now.
    pub fn scan(roots: &[PathBuf]) -> StateIndex {
        let mut index = StateIndex {
            roots: roots.to_vec(),
            ..StateIndex::default()
        };
        let mut files = Vec::new();
        for root in roots {
            if let Err(source) = collect(root, &mut files) {
                index.problems.push(StateError::Read {
                    path: root.clone(),
                    source,
                });
            }
        }
        files.sort();
        let mut duplicated = Vec::new();
        for file in files {
            let state = match load_file(&file) {
                Ok(state) => state,
                Err(e) => {
                    index.problems.push(e);
                    continue;
                }
            };
            if let Some((first, _)) = index.states.get(&state.id) {
                index.problems.push(StateError::Duplicate {
                    id: state.id.clone(),
                    first: first.clone(),
                    second: file,
                });
                duplicated.push(state.id);
                continue;
            }
            index.states.insert(state.id.clone(), (file, state));
        }
        for id in duplicated {
            index.states.remove(&id);
        }
        index
    }

    /// The state `id`, or why there is none.
    pub fn get(&self, id: &str) -> Result<&NanoState, StateError> {
        if let Some((_, state)) = self.states.get(id) {
            return Ok(state);
        }
        let duplicate = self
            .problems
            .iter()
            .find(|p| matches!(p, StateError::Duplicate { id: dup, .. } if dup == id));
        match duplicate {
            Some(StateError::Duplicate { id, first, second }) => Err(StateError::Duplicate {
                id: id.clone(),
                first: first.clone(),
                second: second.clone(),
            }),
            _ => Err(StateError::NotFound {
                id: id.to_owned(),
                roots: self
                    .roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Every valid state with its file, by id.
    pub fn states(&self) -> impl Iterator<Item = (&Path, &NanoState)> {
        self.states
            .values()
            .map(|(path, state)| (path.as_path(), state))
    }

    /// What was wrong while scanning.
    pub fn problems(&self) -> &[StateError] {
        &self.problems
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, id: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let text = format!(
            "id: {id}\ndescription: test\nstate:\n  g:\n    - shell:\n        - hi: echo hi\n"
        );
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn states_are_found_by_id_across_roots() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        write(a.path(), "one.yaml", "one");
        write(b.path(), "sub/two.yml", "two");
        write(b.path(), "dup1.yaml", "dup");
        write(a.path(), "dup2.yaml", "dup");
        std::fs::write(a.path().join("broken.yaml"), "id: [").expect("write");
        std::fs::write(a.path().join("notes.txt"), "not a state").expect("write");
        let roots = vec![
            a.path().to_owned(),
            b.path().to_owned(),
            PathBuf::from("/nonexistent/nodectl"),
        ];
        let index = StateIndex::scan(&roots);
        assert_eq!(index.get("one").expect("one").id, "one");
        assert_eq!(index.get("two").expect("two").id, "two");
        let ids: Vec<_> = index.states().map(|(_, s)| s.id.as_str()).collect();
        assert_eq!(ids, ["one", "two"]);
        assert!(matches!(
            index.get("dup"),
            Err(StateError::Duplicate { .. })
        ));
        assert!(matches!(
            index.get("nope"),
            Err(StateError::NotFound { .. })
        ));
        assert_eq!(index.problems().len(), 2, "{:?}", index.problems());
    }
}
