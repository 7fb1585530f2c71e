//! `kickstart.snippet`: the organization's Cobbler snippets (`listCustom`,
//! `listAll`, `listDefault`, `createOrUpdate`, `delete`), each named by
//! its file name. None are seeded.
//!
//! Follows the server's `SnippetHandler`, `CobblerSnippet`,
//! `CobblerSnippetLister` and `SnippetSerializer` (`name`, `contents`,
//! `fragment`, `file`). A custom snippet is the file
//! `/var/lib/cobbler/snippets/spacewalk/<org id>/<name>` (the default
//! `cobbler.snippets.dir`); its fragment is `$SNIPPET('spacewalk/<org
//! id>/<name>')`. The listings ask for a configuration administrator (an
//! organization administrator is one): the lister's `PermissionException`
//! is no fault of the API's own, so the server answers it unhandled.
//! `createOrUpdate` and `delete` ask for no role. `createOrUpdate` makes
//! the snippet or replaces its contents (Windows line ends made Unix
//! ones, `StringUtil.webToLinux`); `delete` answers 0 for a snippet the
//! node does not hold. A name that is blank, holds `/`, `"` or `&`, or
//! starts with `.` is refused with `CobblerSnippet.validateFileName`'s
//! `ValidatorException`, answered unhandled.
//!
//! Simplified: one organization; the node holds no Cobbler, so it has no
//! default (read-only) snippets: `listDefault` is empty and `listAll`
//! lists the custom ones. Unverified: the text of the invalid-name fault
//! (the server words it from its localized catalog,
//! `cobbler.snippet.invalidfilename.message`), `listCustom` ordered by
//! name (the server lists the directory), and `delete` of an empty name,
//! `.` or `..`, which the server refuses as invalid once the
//! organization's snippet directory exists (here 0).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::DEFAULT_ORG_ID;
use crate::sim::{Node, faults};

/// The server's default `cobbler.snippets.dir`.
const SNIPPETS_DIR: &str = "/var/lib/cobbler/snippets";

/// `kickstart.snippet.*`.
pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listCustom" | "listAll" => list(node, call),
        "listDefault" => check_lister(node, call).map(|()| Value::Array(Vec::new())),
        "createOrUpdate" => create_or_update(node, call),
        "delete" => delete(node, call),
        _ => return None,
    })
}

/// `CobblerSnippetLister.listSnippets`: a configuration administrator,
/// else its `PermissionException(CONFIG_ADMIN)`, answered unhandled.
fn check_lister(node: &Node, call: &Call<'_>) -> Result<(), Fault> {
    require_role(&call.user(node)?, &["config_admin"]).map_err(|_| {
        faults::internal(
            "You do not have permissions to perform this action. You need to have at least a Configuration Administrator role to perform this action",
        )
    })
}

/// A custom snippet as `SnippetSerializer` shows it.
fn snippet_value(name: &str, contents: &str) -> Value {
    let relative = format!("spacewalk/{DEFAULT_ORG_ID}/{name}");
    Struct::with_capacity(4)
        .with("name", Value::string(name))
        .with("contents", Value::string(contents))
        .with("fragment", Value::string(format!("$SNIPPET('{relative}')")))
        .with("file", Value::string(format!("{SNIPPETS_DIR}/{relative}")))
        .into()
}

/// `listCustom()` and `listAll()` (the node has no default snippets):
/// the custom snippets, by name.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_lister(node, call)?;
    let data = node.read();
    Ok(Value::Array(
        data.custom
            .snippets
            .iter()
            .map(|(name, contents)| snippet_value(name, contents))
            .collect(),
    ))
}

/// `CobblerSnippet.validateFileName`: the `ValidatorException` for a
/// name it refuses (`ValidatorResult.getMessage`: `ERRORS:` and the
/// error, each on its own line).
fn check_name(name: &str) -> Result<(), Fault> {
    let refused = name.trim().is_empty()
        || name.contains('/')
        || name.starts_with('.')
        || name.contains('"')
        || name.contains('&');
    if refused {
        // Unverified text (`cobbler.snippet.invalidfilename.message`).
        return Err(faults::internal("ERRORS:\nInvalid snippet name.\n"));
    }
    Ok(())
}

/// `createOrUpdate(name, contents)`: the snippet, made or with its new
/// contents.
fn create_or_update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let name = call.str("name")?;
    check_name(name)?;
    let contents = call.str("contents")?.replace("\r\n", "\n");
    let value = snippet_value(name, &contents);
    node.write()
        .custom
        .snippets
        .insert(name.to_owned(), contents);
    Ok(value)
}

/// `delete(name)`: 1 when the node held the snippet, else 0.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let name = call.str("name")?;
    let removed = node.write().custom.snippets.remove(name).is_some();
    Ok(Value::Int(i32::from(removed)))
}
