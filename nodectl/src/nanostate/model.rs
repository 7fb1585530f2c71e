//! What a nanostate file holds, checked while it is read so that every
//! problem is reported with its place in the file (see [`super::load`]).
//!
//! ```yaml
//! id: stage-node
//! description: Prepare a node to take clients
//! state:
//!   packages:                      # groups run in file order
//!     - shell:                     # commands run in list order
//!         - refresh: zypper --non-interactive refresh
//!   config:
//!     - file:
//!         path: /etc/salt/master.d/cluster.conf
//!         content: "auto_accept: False\n"
//!         mode: "0644"             # quoted octal; default 0644
//!     - file: {path: /etc/old.conf, ensure: absent}
//!     - service: {name: salt-master, action: restart}
//! ```

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The modules a call may name.
pub const MODULES: &[&str] = &["shell", "file", "service"];

/// One nanostate.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NanoState {
    /// Its id (letters, digits, `.`, `_`, `-`), unique under the roots.
    #[serde(deserialize_with = "state_id")]
    pub id: String,
    /// What it does, for people.
    pub description: String,
    /// Its groups, in file order.
    pub state: Groups,
}

/// The groups of a state, in file order (a YAML map whose order counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups(pub Vec<Group>);

/// A named group of module calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Its name (the map key).
    pub name: String,
    /// Its calls, in list order.
    pub calls: Vec<ModuleCall>,
}

/// One module call: a list item naming exactly one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleCall {
    /// Commands run by `sh`, in order.
    Shell(Vec<ShellCommand>),
    /// A file put in place or removed.
    File(FileCall),
    /// A service started, stopped or restarted through the init command.
    Service(ServiceCall),
}

impl ModuleCall {
    /// The module's name.
    pub fn module(&self) -> &'static str {
        match self {
            ModuleCall::Shell(_) => "shell",
            ModuleCall::File(_) => "file",
            ModuleCall::Service(_) => "service",
        }
    }
}

/// `name: command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    /// Its name, unique in its list.
    pub name: String,
    /// The `sh` command line.
    pub command: String,
}

/// Whether a file should be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ensure {
    /// Written with `content` and `mode` (atomically: temp file, rename).
    #[default]
    Present,
    /// Removed (no error when it is not there).
    Absent,
}

/// The `file` module's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCall {
    /// Absolute path.
    pub path: String,
    /// Present or absent.
    pub ensure: Ensure,
    /// Content (for `present`).
    pub content: String,
    /// Permission bits (for `present`).
    pub mode: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFileCall {
    #[serde(deserialize_with = "absolute_path")]
    path: String,
    #[serde(default)]
    ensure: Ensure,
    #[serde(default)]
    content: Option<String>,
    #[serde(default, deserialize_with = "octal_mode")]
    mode: Option<u32>,
}

impl<'de> Deserialize<'de> for FileCall {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FileVisitor;
        impl<'de> Visitor<'de> for FileVisitor {
            type Value = FileCall;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map with path, ensure, content and mode")
            }
            // The checks run inside the visitor, so their errors carry the
            // place of the `file` map.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FileCall, A::Error> {
                let raw = RawFileCall::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let content = match (raw.ensure, raw.content) {
                    (Ensure::Present, Some(content)) => content,
                    (Ensure::Present, None) => {
                        return Err(de::Error::custom("content is required to put a file"));
                    }
                    (Ensure::Absent, None) if raw.mode.is_none() => String::new(),
                    (Ensure::Absent, _) => {
                        return Err(de::Error::custom("an absent file takes no content or mode"));
                    }
                };
                Ok(FileCall {
                    path: raw.path,
                    ensure: raw.ensure,
                    content,
                    mode: raw.mode.unwrap_or(0o644),
                })
            }
        }
        d.deserialize_map(FileVisitor)
    }
}

/// What to do with a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceAction {
    /// Start it.
    Start,
    /// Stop it.
    Stop,
    /// Restart it.
    Restart,
}

impl ServiceAction {
    /// Lower-case name, as the init command gets it.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceAction::Start => "start",
            ServiceAction::Stop => "stop",
            ServiceAction::Restart => "restart",
        }
    }
}

/// The `service` module's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCall {
    /// The unit or service name.
    #[serde(deserialize_with = "service_name")]
    pub name: String,
    /// The action.
    pub action: ServiceAction,
}

/// A string checked while it is read, so an error carries its place.
fn checked<'de, D, F>(d: D, expecting: &'static str, check: F) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
    F: Fn(&str) -> Result<(), String>,
{
    struct Checked<F>(&'static str, F);
    impl<'de, F: Fn(&str) -> Result<(), String>> Visitor<'de> for Checked<F> {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            (self.1)(v).map_err(E::custom)?;
            Ok(v.to_owned())
        }
    }
    d.deserialize_str(Checked(expecting, check))
}

fn state_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, "a state id", |id| {
        let ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        ok.then_some(())
            .ok_or_else(|| format!("{id:?}: use letters, digits, '.', '_' and '-'"))
    })
}

fn service_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, "a service name", |name| {
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"@._-:".contains(&b));
        ok.then_some(())
            .ok_or_else(|| format!("{name:?}: use letters, digits and '@._-:'"))
    })
}

fn absolute_path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, "an absolute path", |path| {
        (path.starts_with('/') && !path.contains('\0'))
            .then_some(())
            .ok_or_else(|| format!("{path:?} must be absolute"))
    })
}

fn octal_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let text = checked(d, "a quoted octal mode like \"0644\"", |text| {
        u32::from_str_radix(text, 8)
            .ok()
            .filter(|m| *m <= 0o7777)
            .map(drop)
            .ok_or_else(|| format!("{text:?} must be octal, like \"0644\""))
    })?;
    Ok(u32::from_str_radix(&text, 8).ok())
}

impl<'de> Deserialize<'de> for Groups {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct GroupsVisitor;
        impl<'de> Visitor<'de> for GroupsVisitor {
            type Value = Groups;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of group name to a list of module calls")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Groups, A::Error> {
                let mut groups: Vec<Group> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if groups.iter().any(|g| g.name == name) {
                        return Err(de::Error::custom(format!("group {name:?} appears twice")));
                    }
                    let calls: NonEmpty<ModuleCall> = map.next_value()?;
                    groups.push(Group {
                        name,
                        calls: calls.0,
                    });
                }
                if groups.is_empty() {
                    return Err(de::Error::custom("a state needs at least one group"));
                }
                Ok(Groups(groups))
            }
        }
        d.deserialize_map(GroupsVisitor)
    }
}

/// A list that must not be empty.
struct NonEmpty<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NonEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(d)?;
        if items.is_empty() {
            return Err(de::Error::custom("the list is empty"));
        }
        Ok(NonEmpty(items))
    }
}

impl<'de> Deserialize<'de> for ModuleCall {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CallVisitor;
        impl<'de> Visitor<'de> for CallVisitor {
            type Value = ModuleCall;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map naming one module: shell, file or service")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ModuleCall, A::Error> {
                let Some(module) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("name one module: shell, file or service"));
                };
                let call = match module.as_str() {
                    "shell" => ModuleCall::Shell(map.next_value::<ShellList>()?.0),
                    "file" => ModuleCall::File(map.next_value()?),
                    "service" => ModuleCall::Service(map.next_value()?),
                    other => return Err(de::Error::unknown_variant(other, MODULES)),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    return Err(de::Error::custom(format!(
                        "one module per list item: {module} and {extra}"
                    )));
                }
                Ok(call)
            }
        }
        d.deserialize_map(CallVisitor)
    }
}

/// The `shell` module's list of `name: command`, names unique.
struct ShellList(Vec<ShellCommand>);

impl<'de> Deserialize<'de> for ShellList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = ShellList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of `name: command`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ShellList, A::Error> {
                let mut names = BTreeSet::new();
                let mut commands = Vec::new();
                while let Some(command) = seq.next_element::<ShellCommand>()? {
                    if !names.insert(command.name.clone()) {
                        return Err(de::Error::custom(format!(
                            "command name {:?} appears twice",
                            command.name
                        )));
                    }
                    commands.push(command);
                }
                if commands.is_empty() {
                    return Err(de::Error::custom("the list is empty"));
                }
                Ok(ShellList(commands))
            }
        }
        d.deserialize_seq(ListVisitor)
    }
}

impl<'de> Deserialize<'de> for ShellCommand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CommandVisitor;
        impl<'de> Visitor<'de> for CommandVisitor {
            type Value = ShellCommand;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("one `name: command`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ShellCommand, A::Error> {
                let Some(name) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("expected one `name: command`"));
                };
                let command: String = map.next_value()?;
                if command.trim().is_empty() {
                    return Err(de::Error::custom(format!("command {name:?} is empty")));
                }
                if map.next_key::<String>()?.is_some() {
                    map.next_value::<IgnoredAny>()?;
                    return Err(de::Error::custom(
                        "one `name: command` per list item (start each with '- ')",
                    ));
                }
                Ok(ShellCommand { name, command })
            }
        }
        d.deserialize_map(CommandVisitor)
    }
}
