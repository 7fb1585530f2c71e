//! `channel.software`'s repository calls: `createRepo`, `getRepoDetails`,
//! `listUserRepos`, `removeRepo`, `updateRepoLabel`, `updateRepoUrl`,
//! `updateRepoSsl`, by id or by label. Each node numbers its repositories
//! from [`crate::sim::seed::first_custom_id`]; none are seeded.
//!
//! Follows the server's `ChannelSoftwareHandler`, `BaseRepoCommand`,
//! `ContentSourceSerializer` and `SslContentSourceSerializer`. A
//! repository's SSL certificates are crypto keys ([`super::crypto_keys`])
//! named by description: `createRepo` and `updateRepoSsl` make one SSL set
//! when given a CA certificate, and only keys of type `SSL` count (a GPG
//! key as CA certificate makes no set). Simplified: one organization, no
//! channels associated, no repository filters; `listUserRepos` is by
//! label (unverified), and the role the simulator asks for writing,
//! `channel_admin`, is unverified (the handler itself asks for none).
//! Unverified: the text of the null-pointer fault `updateRepoSsl` answers
//! for an unknown id.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::crypto_keys::no_such_key;
use super::{Answer, Call};
use crate::sim::model::{CustomContent, Repository, SslSet, take_id};
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
        "updateRepoSsl" => update_ssl(node, call),
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
        .with(
            "sslContentSources",
            Value::Array(r.ssl_sets.iter().map(ssl_set).collect()),
        )
        .into()
}

/// An SSL set as `SslContentSourceSerializer` shows it: each key's
/// description, empty for a key the set lacks.
fn ssl_set(set: &SslSet) -> Value {
    let description = |key: &Option<String>| Value::string(key.as_deref().unwrap_or(""));
    Struct::with_capacity(3)
        .with("sslCaDesc", Value::string(&set.ca_cert))
        .with("sslCertDesc", description(&set.client_cert))
        .with("sslKeyDesc", description(&set.client_key))
        .into()
}

/// The SSL set the parameters `sslCaCert`, `sslCliCert` and `sslCliKey`
/// name, as `getKeyId` and `BaseRepoCommand.addSslSet` make it: `None`
/// without a CA certificate (the server then ignores the other two), or
/// when the CA certificate is no SSL key. Every description given must be
/// a crypto key's, and a client key needs a client certificate of type
/// SSL; both failures are `NoSuchCryptoKeyException` (1210).
fn requested_ssl_set(custom: &CustomContent, call: &Call<'_>) -> Result<Option<SslSet>, Fault> {
    let ca = call.str("sslCaCert")?;
    if ca.is_empty() {
        return Ok(None);
    }
    let mut ssl = Vec::with_capacity(3);
    for description in [ca, call.str("sslCliCert")?, call.str("sslCliKey")?] {
        if description.is_empty() {
            ssl.push(None);
            continue;
        }
        let key = custom
            .crypto_keys
            .get(description)
            .ok_or_else(|| no_such_key(&format!("no key with such description - {description}")))?;
        ssl.push((key.kind == "SSL").then(|| description.to_owned()));
    }
    let [ca, cert, key] = <[Option<String>; 3]>::try_from(ssl).expect("three descriptions");
    let Some(ca) = ca else {
        return Ok(None);
    };
    if cert.is_none() && key.is_some() {
        return Err(no_such_key(
            "client key is provided but client certificate is missing",
        ));
    }
    Ok(Some(SslSet {
        ca_cert: ca,
        client_cert: cert,
        client_key: key,
    }))
}

/// `InvalidParameterException` (1213) for an empty `what`.
fn not_empty(text: &str, what: &str) -> Result<(), Fault> {
    if text.is_empty() {
        return Err(faults::domain(1213, &format!("{what} might not be empty")));
    }
    Ok(())
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

/// `createRepo(label, type, url[, sslCaCert, sslCliCert,
/// sslCliKey[, hasSignedMetadata]])`: the new repository. The shorter
/// overloads pass empty SSL descriptions and unsigned metadata. Checked
/// in the server's order: empty label or URL, the SSL keys, then the
/// type, label and URL.
fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &["channel_admin"])?;
    let label = call.str("label")?.to_owned();
    let kind = call.str("type")?.to_lowercase();
    let url = call.str("url")?.to_owned();
    not_empty(&label, "label")?;
    not_empty(&url, "url")?;
    let signed_metadata = match call.arg("hasSignedMetadata") {
        Some(_) => call.bool("hasSignedMetadata")?,
        None => false,
    };
    let mut data = node.write();
    let custom = &mut data.custom;
    let ssl_set = match call.arg("sslCaCert") {
        Some(_) => requested_ssl_set(custom, call)?,
        None => None,
    };
    if !TYPES.contains(&kind.as_str()) {
        return Err(faults::domain(2, "Invalid repo type"));
    }
    label_in_use(custom, &label, None)?;
    url_in_use(custom, &url, None)?;
    let id = take_id(&mut custom.next_repository_id);
    let repository = Repository {
        id,
        label,
        url,
        kind,
        signed_metadata,
        ssl_sets: ssl_set.into_iter().collect(),
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

/// `updateRepoSsl(id | label, sslCaCert, sslCliCert, sslCliKey)`: the
/// repository. With a CA certificate, its SSL sets become the one the
/// descriptions name (none if the CA certificate is a GPG key); without
/// one, they stay as they were. By id the server looks the repository up
/// without a check, so an unknown id is a null-pointer fault; by label an
/// empty or unknown label is `InvalidParameterException` (1213).
fn update_ssl(node: &Node, call: &Call<'_>) -> MethodResponse {
    super::require_role(&call.user(node)?, &["channel_admin"])?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = if call.arg("id").is_some() {
        let id = call.int("id")?;
        i32::try_from(id)
            .ok()
            .filter(|id| custom.repositories.contains_key(id))
            .ok_or_else(|| {
                faults::internal(
                    "Cannot invoke \"com.redhat.rhn.domain.channel.ContentSource.getLabel()\" because \"repo\" is null",
                )
            })?
    } else {
        let label = call.str("label")?;
        not_empty(label, "label")?;
        custom
            .repositories
            .values()
            .find(|r| r.label == label)
            .map(|r| r.id)
            .ok_or_else(|| faults::domain(1213, &format!("no repo with label {label}")))?
    };
    if !call.str("sslCaCert")?.is_empty() {
        let set = requested_ssl_set(custom, call)?;
        custom
            .repositories
            .get_mut(&id)
            .expect("found above")
            .ssl_sets = set.into_iter().collect();
    }
    Ok(details(&custom.repositories[&id]))
}
