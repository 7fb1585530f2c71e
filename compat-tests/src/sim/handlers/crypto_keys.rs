//! `kickstart.keys`: the organization's GPG and SSL keys (crypto keys):
//! `create`, `update`, `delete`, `listAllKeys`, `getDetails`, each key
//! named by its description. None are seeded; a repository's SSL
//! certificate sets name SSL keys ([`super::repositories`]).
//!
//! Follows the server's `CryptoKeysHandler`, `BaseCryptoKeyCommand`
//! (`setType`, `store`), `EditCryptoKeyCommand`, `DeleteCryptoKeyCommand`,
//! `CryptoKeySerializer` and `CryptoKeyDtoSerializer`; the types are the
//! labels of `rhnCryptoKeyType`, `GPG` and `SSL`, compared with case.
//! Deleting a key removes the SSL sets that name it (the
//! `rhnContentSourceSsl` foreign keys cascade). Simplified: one
//! organization, no kickstart profile holds keys. Unverified: the text of
//! 2754 (the server words it from its localized catalog,
//! `api.kickstart.keys.exists`), `listAllKeys` ordered by description, and
//! `getDetails` leaving `content` out for a key made with empty contents.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{CryptoKey, CustomContent, User};
use crate::sim::{Node, faults};

/// The types `BaseCryptoKeyCommand.setType` takes.
const TYPES: &[&str] = &["GPG", "SSL"];

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "create" => create(node, call),
        "update" => update(node, call),
        "delete" => delete(node, call),
        "listAllKeys" => list(node, call),
        "getDetails" => details(node, call),
        _ => return None,
    })
}

/// `BaseHandler.ensureOrgOrConfigAdmin`: a `PermissionCheckFailureException`
/// naming both roles.
fn ensure_org_or_config_admin(user: &User) -> Result<(), Fault> {
    super::require_role(user, &["config_admin"]).map_err(|_| {
        faults::domain(
            -23,
            "You do not have permissions to perform this action. You need to have at least a Organization Administrator or Configuration Administrator role to perform this action",
        )
    })
}

/// `NoSuchCryptoKeyException` (1210, `invalidCryptoKey`): what the server
/// answers for a description it does not hold, and (with its own
/// `detail`) for a repository's SSL keys it cannot use.
pub(super) fn no_such_key(detail: &str) -> Fault {
    faults::domain(1210, &format!("Invalid crypto key description: {detail}"))
}

/// The key of this exact description.
fn find<'d>(custom: &'d CustomContent, description: &str) -> Result<&'d CryptoKey, Fault> {
    custom
        .crypto_keys
        .get(description)
        .ok_or_else(|| no_such_key(description))
}

/// `setType`: `GPG` or `SSL`; anything else is its
/// `IllegalArgumentException`, answered unhandled.
fn key_type(call: &Call<'_>) -> Result<String, Fault> {
    let kind = call.str("type")?;
    if !TYPES.contains(&kind) {
        return Err(faults::internal(&format!(
            "Invalid key type: {kind} we support GPG and SSL"
        )));
    }
    Ok(kind.to_owned())
}

/// `setContents`: empty contents keep none.
fn contents(call: &Call<'_>) -> Result<Option<String>, Fault> {
    let content = call.str("content")?;
    Ok((!content.is_empty()).then(|| content.to_owned()))
}

/// `create(description, type, content)`: 1. The type is checked before
/// the description is (`setType` comes before `store`).
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    ensure_org_or_config_admin(&call.user(node)?)?;
    let description = call.str("description")?.to_owned();
    let kind = key_type(call)?;
    let content = contents(call)?;
    let mut data = node.write();
    let keys = &mut data.custom.crypto_keys;
    if keys.contains_key(&description) {
        // `KickstartKeyAlreadyExistsException`; unverified text.
        return Err(faults::domain(
            2754,
            "A key with this description already exists.",
        ));
    }
    keys.insert(
        description.clone(),
        CryptoKey {
            description,
            kind,
            content,
        },
    );
    Ok(Value::Int(1))
}

/// `update(description, type, content)`: the type and contents of the key
/// of that description; 1.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    ensure_org_or_config_admin(&call.user(node)?)?;
    let description = call.str("description")?;
    let mut data = node.write();
    find(&data.custom, description)?;
    let kind = key_type(call)?;
    let content = contents(call)?;
    let key = data
        .custom
        .crypto_keys
        .get_mut(description)
        .expect("found above");
    key.kind = kind;
    key.content = content;
    Ok(Value::Int(1))
}

/// `delete(description)`: the key and every repository SSL set naming
/// it; 1. An unknown description is `DeleteCryptoKeyCommand`'s
/// `IllegalArgumentException`, answered unhandled.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    ensure_org_or_config_admin(&call.user(node)?)?;
    let description = call.str("description")?;
    let mut data = node.write();
    let custom = &mut data.custom;
    if custom.crypto_keys.remove(description).is_none() {
        return Err(faults::internal(&format!(
            "No key with description {description} exists."
        )));
    }
    for repository in custom.repositories.values_mut() {
        repository.ssl_sets.retain(|set| !set.names(description));
    }
    Ok(Value::Int(1))
}

/// `listAllKeys()`: each key's `description` and `type`.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    ensure_org_or_config_admin(&call.user(node)?)?;
    let data = node.read();
    Ok(Value::Array(
        data.custom
            .crypto_keys
            .values()
            .map(|k| {
                Struct::with_capacity(2)
                    .with("description", Value::string(&k.description))
                    .with("type", Value::string(&k.kind))
                    .into()
            })
            .collect(),
    ))
}

/// `getDetails(description)`: `description`, `type` and `content`.
fn details(node: &Node, call: &Call<'_>) -> MethodResponse {
    ensure_org_or_config_admin(&call.user(node)?)?;
    let data = node.read();
    let key = find(&data.custom, call.str("description")?)?;
    let mut details = Struct::with_capacity(3)
        .with("description", Value::string(&key.description))
        .with("type", Value::string(&key.kind));
    if let Some(content) = &key.content {
        details.push("content", Value::string(content));
    }
    Ok(details.into())
}
