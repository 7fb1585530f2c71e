//! `packages.getDetails`: a package of the zone's channels by its id, with
//! the members of the server's `PackageHelper.packageToMap` (the members the
//! simulator does not model answer empty strings); `packages.findByNvrea`:
//! the packages of a name, version, release, epoch and architecture.

use xmlrpc::{Struct, Value};

use super::{Answer, Call};
use crate::sim::clock::format_plain;
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "getDetails" => details(node, call),
        "findByNvrea" => find_by_nvrea(node, call),
        _ => return None,
    })
}

fn details(node: &Node, call: &Call<'_>) -> Result<Value, xmlrpc::Fault> {
    let pid = call.int("pid")?;
    let data = node.read();
    let package = i32::try_from(pid)
        .ok()
        .and_then(|id| data.packages.get(&id))
        .ok_or_else(no_such_package)?;
    let channels: Vec<Value> = data
        .channels
        .iter()
        .filter(|c| c.package_ids.contains(&package.id))
        .map(|c| Value::string(&c.label))
        .collect();
    let file = format!(
        "{}-{}-{}.{}.rpm",
        package.name, package.version, package.release, package.arch
    );
    let modified = Value::string(format_plain(package.last_modified));
    Ok(Struct::with_capacity(21)
        .with("id", Value::Int(package.id))
        .with("name", Value::string(&package.name))
        .with("epoch", Value::string(&package.epoch))
        .with("version", Value::string(&package.version))
        .with("release", Value::string(&package.release))
        .with("arch_label", Value::string(&package.arch))
        .with("providing_channels", Value::Array(channels))
        .with("build_host", Value::string(""))
        .with("description", Value::string(""))
        .with("checksum", Value::string(&package.checksum))
        .with("checksum_type", Value::string("sha256"))
        .with("vendor", Value::string("SUSE LLC <https://www.suse.com/>"))
        .with("summary", Value::string(""))
        .with("cookie", Value::string(""))
        .with("license", Value::string(""))
        .with("file", Value::string(&file))
        .with("build_date", modified.clone())
        .with("last_modified_date", modified)
        .with("size", Value::string("0"))
        .with("path", Value::string(format!("packages/1/{file}")))
        .with("payload_size", Value::string("0"))
        .into())
}

/// `PackagesHandler.findByNvrea`: every package of that name, version,
/// release, epoch and architecture label (the server, given an empty
/// epoch, also answers the one package of that NVRA whatever its epoch;
/// the simulator's packages have none), in
/// the members of `PackageSerializer` the simulator models. (The server
/// refuses an architecture label it does not know; the simulator finds
/// nothing.)
fn find_by_nvrea(node: &Node, call: &Call<'_>) -> Result<Value, xmlrpc::Fault> {
    let (name, version, release) = (
        call.str("name")?,
        call.str("version")?,
        call.str("release")?,
    );
    let (epoch, arch) = (call.str("epoch")?.trim(), call.str("archLabel")?);
    let data = node.read();
    let mut found: Vec<_> = data
        .packages
        .values()
        .filter(|p| {
            p.name == name
                && p.version == version
                && p.release == release
                && p.epoch == epoch
                && p.arch == arch
        })
        .collect();
    found.sort_by_key(|p| p.id);
    Ok(Value::Array(
        found
            .into_iter()
            .map(|p| {
                Struct::with_capacity(6)
                    .with("name", Value::string(&p.name))
                    .with("version", Value::string(&p.version))
                    .with("release", Value::string(&p.release))
                    .with("epoch", Value::string(&p.epoch))
                    .with("id", Value::Int(p.id))
                    .with("arch_label", Value::string(&p.arch))
                    .into()
            })
            .collect(),
    ))
}

/// `packages.search.name`: the packages whose name holds the text, as
/// `PackageOverview` shows them, by name, then id. The server asks its
/// search engine (a Lucene query on names); the simulator matches the text
/// anywhere in the name, ignoring case. Its structs name the architecture
/// `arch`, not `arch_label`, as the server's do.
pub(super) fn search_name(node: &Node, call: &Call<'_>) -> Result<Value, xmlrpc::Fault> {
    let text = call.str("name")?.to_lowercase();
    let data = node.read();
    let mut found: Vec<_> = data
        .packages
        .values()
        .filter(|p| p.name.to_lowercase().contains(&text))
        .collect();
    found.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    Ok(Value::Array(
        found
            .into_iter()
            .map(|p| {
                Struct::with_capacity(9)
                    .with("id", Value::Int(p.id))
                    .with("name", Value::string(&p.name))
                    .with("summary", Value::string(""))
                    .with("description", Value::string(""))
                    .with("version", Value::string(&p.version))
                    .with("release", Value::string(&p.release))
                    .with("arch", Value::string(&p.arch))
                    .with("epoch", Value::string(&p.epoch))
                    .with("provider", Value::string("SUSE"))
                    .into()
            })
            .collect(),
    ))
}

/// `NoSuchPackageException` (`PackagesHandler.lookupPackage` when the id
/// names no package the user may see). Unverified: the message is the
/// exception's default from the fault table.
fn no_such_package() -> xmlrpc::Fault {
    faults::domain(-209, "The package could not be found")
}
