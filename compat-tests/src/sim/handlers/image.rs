//! `image.*`: the node's OS images (`listImages`, `getDetails`, `delete`,
//! `importOSImage`, `getPillar`, `setPillar`), numbered by each node from 1.
//!
//! Follows the server's `ImageInfoHandler` (every method first checks the
//! image administrator role, `ensureImageAdmin`) and its
//! `ImageInfoSerializer` / `ImageOverviewSerializer`.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call, require_role};
use crate::sim::model::{Image, take_id};
use crate::sim::{Node, faults};

/// The store every OS image lives in (`ImageStoreFactory`'s permanent
/// OS image store of the organization).
const OS_IMAGE_STORE: &str = "SUSE Manager OS Image Store";

/// Server architecture labels `importOSImage` accepts.
const SERVER_ARCHES: &[&str] = &[
    "x86_64-redhat-linux",
    "i386-redhat-linux",
    "aarch64-redhat-linux",
    "ppc64le-redhat-linux",
    "s390x-redhat-linux",
];

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "listImages" => list(node, call),
        "getDetails" => with_image(node, call, details),
        "getPillar" => with_image(node, call, |i| i.pillar.clone().into()),
        "setPillar" => set_pillar(node, call),
        "delete" => delete(node, call),
        "importOSImage" => import_os_image(node, call),
        _ => return None,
    })
}

/// `NoSuchImageException`.
fn no_such_image() -> Fault {
    faults::domain(10012, "Image not found")
}

/// The logged-in user must be an image administrator (`ensureImageAdmin`).
fn image_admin(node: &Node, call: &Call<'_>) -> Result<(), Fault> {
    require_role(&call.user(node)?, &["image_admin"])
}

/// The image named by the `imageId` argument.
fn image_id(call: &Call<'_>) -> Result<Option<i32>, Fault> {
    Ok(i32::try_from(call.int("imageId")?).ok())
}

/// `ImageInfoHandler.listImages`. Unverified: the server's query has no
/// order; the simulator lists by id.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    image_admin(node, call)?;
    let data = node.read();
    Ok(Value::Array(data.local.images.values().map(info).collect()))
}

/// An image as the server's `ImageInfoSerializer` shows it.
fn info(i: &Image) -> Value {
    Struct::with_capacity(10)
        .with("id", Value::Int(i.id))
        .with("name", Value::string(&i.name))
        .with("type", Value::string("kiwi"))
        .with("version", Value::string(&i.version))
        .with("revision", Value::Int(i.revision))
        .with("arch", Value::string(&i.arch))
        .with("external", Value::Bool(i.external))
        .with("storeLabel", Value::string(OS_IMAGE_STORE))
        .with("checksum", Value::string(&i.checksum))
        .with("obsolete", Value::Bool(false))
        .into()
}

/// An image as the server's `ImageOverviewSerializer` shows it
/// (`getDetails`). No build action is kept, so `buildStatus` is
/// `completed` (a built image) and `inspectStatus` is left out, as the
/// serializer does without an inspect action. Unverified: `arch` is the
/// architecture's name (`x86_64`) where `listImages` shows its label, and
/// the simulated images carry no files and no errata.
fn details(i: &Image) -> Value {
    let arch = i.arch.split('-').next().unwrap_or_default();
    Struct::with_capacity(20)
        .with("id", Value::Int(i.id))
        .with("name", Value::string(&i.name))
        .with("type", Value::string("kiwi"))
        .with("version", Value::string(&i.version))
        .with("revision", Value::Int(i.revision))
        .with("arch", Value::string(arch))
        .with("external", Value::Bool(i.external))
        .with("checksum", Value::string(&i.checksum))
        .with("profileLabel", Value::string(""))
        .with("storeLabel", Value::string(OS_IMAGE_STORE))
        .with("buildServerId", Value::Int(i.build_server.unwrap_or(0)))
        .with("securityErrata", Value::Int(0))
        .with("bugErrata", Value::Int(0))
        .with("enhancementErrata", Value::Int(0))
        .with("outdatedPackages", Value::Int(0))
        .with("installedPackages", Value::Int(i.installed_packages))
        .with("buildStatus", Value::string("completed"))
        .with("files", Value::Array(Vec::new()))
        .with("obsolete", Value::Bool(false))
        .into()
}

/// Answers `read` of the image named by `imageId`, or `NoSuchImageException`
/// (`getDetails`; `getPillar`, whose source was not found: Unverified that
/// it answers the same fault and the pillar as stored).
fn with_image(node: &Node, call: &Call<'_>, read: impl FnOnce(&Image) -> Value) -> MethodResponse {
    image_admin(node, call)?;
    let id = image_id(call)?;
    let data = node.read();
    id.and_then(|id| data.local.images.get(&id))
        .map(read)
        .ok_or_else(no_such_image)
}

/// Unverified (`setPillar`'s source was not found): replaces the image's
/// pillar with the struct given, answers 1, and answers
/// `NoSuchImageException` for an unknown image, as the handler's other
/// methods do.
fn set_pillar(node: &Node, call: &Call<'_>) -> MethodResponse {
    image_admin(node, call)?;
    let id = image_id(call)?;
    let pillar = call
        .arg("pillarData")
        .and_then(Value::as_struct)
        .cloned()
        .ok_or_else(|| faults::internal("missing struct parameter pillarData"))?;
    let mut data = node.write();
    let image = id
        .and_then(|id| data.local.images.get_mut(&id))
        .ok_or_else(no_such_image)?;
    image.pillar = pillar;
    Ok(Value::Int(1))
}

/// `ImageInfoHandler.delete`: 1, or `NoSuchImageException`.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    image_admin(node, call)?;
    let id = image_id(call)?;
    let mut data = node.write();
    id.and_then(|id| data.local.images.remove(&id))
        .map(|_| Value::Int(1))
        .ok_or_else(no_such_image)
}

/// `importOSImage(name, version, arch)`: records an imported (external)
/// OS image with no build host and answers its id, the next image id of
/// this node. Unverified (the method's source was not found): an empty
/// name is refused as `importImage` refuses it (`InvalidParameterException`
/// "Image name cannot be empty."), an unknown server architecture label
/// with `InvalidParameterException`, and a name and version already in the
/// store with `ImageInfoFactory`'s "Image already exists." (an
/// `IllegalArgumentException`, so an internal-error fault); the imported
/// image has revision 0 and no checksum.
fn import_os_image(node: &Node, call: &Call<'_>) -> MethodResponse {
    image_admin(node, call)?;
    let name = call.str("name")?;
    let version = call.str("version")?;
    let arch = call.str("arch")?;
    if name.is_empty() {
        return Err(faults::domain(1213, "Image name cannot be empty."));
    }
    if !SERVER_ARCHES.contains(&arch) {
        return Err(faults::domain(1213, &format!("Invalid arch: {arch}")));
    }
    let mut data = node.write();
    if data
        .local
        .images
        .values()
        .any(|i| i.name == name && i.version == version)
    {
        return Err(faults::internal("Image already exists."));
    }
    let id = take_id(&mut data.local.next_image_id);
    data.local.images.insert(
        id,
        Image {
            id,
            name: name.to_owned(),
            version: version.to_owned(),
            revision: 0,
            arch: arch.to_owned(),
            external: true,
            checksum: String::new(),
            build_server: None,
            installed_packages: 0,
            pillar: Struct::new(),
        },
    );
    Ok(Value::Int(id))
}
