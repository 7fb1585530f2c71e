//! Lookup: which entry a call reaches, replicating the server's dispatch.
//!
//! 1. The method name splits at its **last** dot into namespace and method;
//!    no dot or an unknown namespace: [`LookupError::UnknownNamespace`].
//! 2. The method is beanified (`list_systems` becomes `listSystems`), as
//!    `StringUtil.beanify` does.
//! 3. A first argument that is a string of the session-key shape
//!    `^[1-9][0-9]*x[a-f0-9]{64}$` (after the trimming every incoming string
//!    gets) stands for the logged-in user, except in handlers that take the
//!    key as a string (`auth`, `packages.search`, `system.search`).
//! 4. The overloads with that name and argument count are the candidates;
//!    none: `BaseHandler.findMethods`' "Could not find method" fault.
//! 5. The first candidate every argument of which its declared class
//!    accepts (`Class.isAssignableFrom`) wins; where several do, the first
//!    whose `array<T>` parameters agree with the elements of non-empty array
//!    arguments. Java itself cannot see element types; the tie-break only
//!    matters for overloads the catalogs do not have today.
//! 6. Otherwise the first candidate is taken and each argument converted as
//!    `Translator` would (see [`crate::java`]); an argument it cannot
//!    convert gives the `TranslationException` fault.
//!
//! Session validity is not checked here: a key of the right shape passes.

use xmlrpc::Value;

use crate::java::{Arg, Param};
use crate::{Entry, LookupError, Namespace, Release, Spec};

/// What the first argument of a resolved call stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionArg {
    /// The entry takes no session.
    NotTaken,
    /// A session key string: of the key shape wherever the server turns
    /// keys into users; any string in `auth`, `packages.search` and
    /// `system.search`, which take the key as a string.
    Key,
    /// An `int` where the session goes: the real server turns it into the
    /// user with that id (`Translator.long2User`) without any session. The
    /// gateway should refuse such a call rather than forward it.
    UserId(i32),
}

/// A call resolved to its entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a> {
    /// The entry the server would invoke.
    pub entry: &'a Entry,
    /// What the first argument stands for.
    pub session: SessionArg,
}

impl Spec {
    /// Resolves a call as the server dispatches it, over the entries of
    /// every release (see the module documentation). A cluster that mixes
    /// releases should resolve against the node's own with
    /// [`Spec::resolve_in`].
    pub fn resolve(&self, method_name: &str, args: &[Value]) -> Result<&Entry, LookupError> {
        self.resolve_call(None, method_name, args).map(|r| r.entry)
    }

    /// Resolves a call as a server of `release` dispatches it: namespaces and
    /// overloads that release lacks do not exist.
    pub fn resolve_in(
        &self,
        release: Release,
        method_name: &str,
        args: &[Value],
    ) -> Result<&Entry, LookupError> {
        self.resolve_call(Some(release), method_name, args)
            .map(|r| r.entry)
    }

    /// Resolves a call (in one release, or in all with `None`) and says what
    /// its first argument stands for.
    pub fn resolve_call(
        &self,
        release: Option<Release>,
        method_name: &str,
        args: &[Value],
    ) -> Result<Resolved<'_>, LookupError> {
        let in_release = |releases: &[Release]| release.is_none_or(|r| releases.contains(&r));
        let (ns_name, method) = method_name
            .rsplit_once('.')
            .ok_or(LookupError::UnknownNamespace)?;
        let namespace = self
            .namespace(ns_name)
            .filter(|ns| in_release(&ns.releases))
            .ok_or(LookupError::UnknownNamespace)?;
        let method = beanify(method);

        let mut classes: Vec<Arg> = args.iter().map(Arg::of).collect();
        let key_is_user = namespace.converts_session_key()
            && matches!(args.first(), Some(Value::String(s)) if is_session_key(s));
        if key_is_user {
            classes[0] = Arg::User;
        }

        let candidates: Vec<&Entry> = self
            .overloads_of(ns_name, &method)
            .filter(|e| e.params.len() == args.len() && in_release(&e.releases))
            .collect();
        let Some(&first) = candidates.first() else {
            let names: Vec<&str> = classes.iter().map(|c| c.class_name()).collect();
            return Err(LookupError::no_such_method(
                &method,
                &namespace.handler,
                &names,
            ));
        };

        let perfect: Vec<&Entry> = candidates
            .iter()
            .copied()
            .filter(|e| (0..args.len()).all(|i| declared(namespace, e, i).accepts(classes[i])))
            .collect();
        let entry = match perfect.iter().find(|e| elements_agree(e, args)) {
            Some(&entry) => entry,
            None => match perfect.first() {
                Some(&entry) => entry,
                None => {
                    for (i, &class) in classes.iter().enumerate() {
                        let want = declared(namespace, first, i);
                        if !want.converts_from(class) {
                            return Err(LookupError::wrong_type(
                                &class.describe(),
                                want.describe(),
                            ));
                        }
                    }
                    first
                }
            },
        };
        Ok(Resolved {
            entry,
            session: session_arg(namespace, entry, args),
        })
    }
}

/// The class the handler declares for parameter `i` of `entry`.
fn declared(namespace: &Namespace, entry: &Entry, i: usize) -> Param {
    if i == 0 && entry.session && namespace.converts_session_key() {
        Param::User
    } else {
        Param::of(&entry.params[i].ty)
    }
}

fn elements_agree(entry: &Entry, args: &[Value]) -> bool {
    entry
        .params
        .iter()
        .zip(args)
        .all(|(param, arg)| match (param.ty.element(), arg) {
            (Some(element), Value::Array(items)) => items
                .iter()
                .all(|item| element.matches_wire(item.wire_type())),
            _ => true,
        })
}

fn session_arg(namespace: &Namespace, entry: &Entry, args: &[Value]) -> SessionArg {
    if !entry.session {
        return SessionArg::NotTaken;
    }
    match args.first() {
        Some(Value::Int(id)) if namespace.converts_session_key() => SessionArg::UserId(*id),
        _ => SessionArg::Key,
    }
}

/// `StringUtil.beanify`: trims, drops every character that is not a letter
/// or digit and upper-cases the one following a dropped run
/// (`list_systems` to `listSystems`; camelCase passes unchanged).
pub fn beanify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut after_separator = false;
    for c in java_trim(name).chars() {
        if c.is_alphanumeric() {
            if after_separator {
                out.extend(c.to_uppercase());
                after_separator = false;
            } else {
                out.push(c);
            }
        } else {
            after_separator = true;
        }
    }
    out
}

/// Whether `s` has the shape of a session key, `^[1-9][0-9]*x[a-f0-9]{64}$`,
/// after trimming as the server trims incoming strings.
pub fn is_session_key(s: &str) -> bool {
    let Some((id, hex)) = java_trim(s).split_once('x') else {
        return false;
    };
    id.starts_with(|c: char| ('1'..='9').contains(&c))
        && id.bytes().all(|b| b.is_ascii_digit())
        && hex.len() == 64
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `String.trim()`: strips characters up to and including space.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beanify_like_the_server() {
        assert_eq!(beanify("list_systems"), "listSystems");
        assert_eq!(beanify("listSystems"), "listSystems");
        assert_eq!(
            beanify("get_api_namespace_call_list"),
            "getApiNamespaceCallList"
        );
        assert_eq!(beanify(" schedule__apply-errata \n"), "scheduleApplyErrata");
        assert_eq!(beanify("_x"), "X");
        assert_eq!(beanify(""), "");
    }

    #[test]
    fn session_key_shape() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(is_session_key(&format!("42x{hex}")));
        assert!(is_session_key(&format!("42x{hex}\n")));
        assert!(!is_session_key(&format!("042x{hex}")));
        assert!(!is_session_key(&format!("x{hex}")));
        assert!(!is_session_key(&format!("42x{}", hex.to_uppercase())));
        assert!(!is_session_key(&format!("42x{hex}0")));
        assert!(!is_session_key("admin"));
    }
}
