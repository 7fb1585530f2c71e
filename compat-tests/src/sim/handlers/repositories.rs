//! `channel.software`'s repository calls: `createRepo`, `getRepoDetails`,
//! `listUserRepos`, `removeRepo`, `updateRepoLabel`, `updateRepoUrl`, by
//! id or by label. Each node numbers its repositories from
//! [`crate::sim::seed::first_custom_id`]; none are seeded.
//!
//! Follows the server's `ChannelSoftwareHandler` and
//! `ContentSourceSerializer`. Simplified: one organization, no SSL
//! certificates, no channels associated; `listUserRepos` is by label
//! (unverified).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{CustomContent, Repository, take_id};
use crate::sim::{Node, faults};

/// The repository types the server knows.
const TYPES: &[&str] = &["yum", "uln", "deb"];

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createRepo" => create(node, call),
        "getRepoDetails" => {
            let data = node.read();
            find(&data.custom, call, "repoLabel").map(details)
        }
        "listUserRepos" => Ok(list(&node.read().custom)),
        "removeRepo" => remove(node, call),
        "updateRepoLabel" | "updateRepoUrl" => update(node, method, call),
        _ => return None,
    })
}

/// A repository as the server's `ContentSourceSerializer` shows it.
fn details(r: &Repository) -> Value {
    Struct::with_capacity(6)
        .with("id", Value::Int(r.id))
        .with("label", Value::string(&r.label))
        .with("sourceUrl", Value::string(&r.url))
        .with("type", Value::string(&r.kind))
        .with("hasSignedMetadata", Value::Bool(r.signed_metadata))
        .with("sslContentSources", Value::Array(Vec::new()))
        .into()
}

/// `NoSuchContentSourceException` (fault table: 1213,
/// `noSuchRepository`; the message is the simulator's).
fn no_such_repository(what: &str) -> Fault {
    faults::domain(1213, &format!("No such repository: {what}"))
}

/// The repository the call names by `id` or by the label parameter
/// `label_param`, whichever its overload takes.
fn find<'d>(
    custom: &'d CustomContent,
    call: &Call<'_>,
    label_param: &str,
) -> Result<&'d Repository, Fault> {
    if call.arg("id").is_some() {
        let id = call.int("id")?;
        return i32::try_from(id)
            .ok()
            .and_then(|id| custom.repositories.get(&id))
            .ok_or_else(|| no_such_repository(&id.to_string()));
    }
    let label = call.str(label_param)?;
    custom
        .repositories
        .values()
        .find(|r| r.label == label)
        .ok_or_else(|| no_such_repository(label))
}

/// `InvalidRepoLabelException`: the label names another repository.
fn label_in_use(custom: &CustomContent, label: &str, except: Option<i32>) -> Result<(), Fault> {
    refuse_if(
        custom,
        except,
        |r| r.label == label,
        2,
        "Repo label already in use",
    )
}

/// `InvalidRepoUrlException`: the URL is another repository's.
fn url_in_use(custom: &CustomContent, url: &str, except: Option<i32>) -> Result<(), Fault> {
    refuse_if(
        custom,
        except,
        |r| r.url == url,
        1,
        "Repo url already defined",
    )
}

/// The fault `code`, `message` when a repository other than `except`
/// is `taken`.
fn refuse_if(
    custom: &CustomContent,
    except: Option<i32>,
    taken: impl Fn(&Repository) -> bool,
    code: i32,
    message: &str,
) -> Result<(), Fault> {
    if custom
        .repositories
        .values()
        .any(|r| Some(r.id) != except && taken(r))
    {
        return Err(faults::domain(code, message));
    }
    Ok(())
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &["channel_admin"])?;
    let label = call.str("label")?.to_owned();
    let kind = call.str("type")?.to_lowercase();
    let url = call.str("url")?.to_owned();
    if !TYPES.contains(&kind.as_str()) {
        return Err(faults::domain(2, "Invalid repo type"));
    }
    let signed_metadata = match call.arg("hasSignedMetadata") {
        Some(_) => call.bool("hasSignedMetadata")?,
        None => true,
    };
    let mut data = node.write();
    let custom = &mut data.custom;
    label_in_use(custom, &label, None)?;
    url_in_use(custom, &url, None)?;
    let id = take_id(&mut custom.next_repository_id);
    let repository = Repository {
        id,
        label,
        url,
        kind,
        signed_metadata,
    };
    let value = details(&repository);
    custom.repositories.insert(id, repository);
    Ok(value)
}

fn list(custom: &CustomContent) -> Value {
    let mut repositories: Vec<&Repository> = custom.repositories.values().collect();
    repositories.sort_by(|a, b| a.label.cmp(&b.label));
    Value::Array(
        repositories
            .into_iter()
            .map(|r| {
                Struct::with_capacity(3)
                    .with("id", Value::Int(r.id))
                    .with("label", Value::string(&r.label))
                    .with("sourceUrl", Value::string(&r.url))
                    .into()
            })
            .collect(),
    )
}

fn remove(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &["channel_admin"])?;
    let mut data = node.write();
    let id = find(&data.custom, call, "label")?.id;
    data.custom.repositories.remove(&id);
    Ok(Value::Int(1))
}

/// `updateRepoLabel(id | label, label | newLabel)` and
/// `updateRepoUrl(id | label, url)`: the changed repository.
fn update(node: &Node, method: &str, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &["channel_admin"])?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = find(custom, call, "label")?.id;
    let by_id = call.arg("id").is_some();
    if method == "updateRepoLabel" {
        let new = call
            .str(if by_id { "label" } else { "newLabel" })?
            .to_owned();
        label_in_use(custom, &new, Some(id))?;
        custom.repositories.get_mut(&id).expect("found above").label = new;
    } else {
        let url = call.str("url")?.to_owned();
        url_in_use(custom, &url, Some(id))?;
        custom.repositories.get_mut(&id).expect("found above").url = url;
    }
    Ok(details(&custom.repositories[&id]))
}
