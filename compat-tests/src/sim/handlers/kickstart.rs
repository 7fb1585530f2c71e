//! `kickstart`'s profiles: `createProfile` and `createProfileWithCustomUrl`
//! (both overloads of each), `listKickstarts`, `deleteProfile`; and the
//! look-up and permission check the `kickstart.profile` calls share
//! ([`super::kickstart_scripts`]). None are seeded; a profile keeps its
//! label, tree, update type and scripts, nothing of its root password.
//!
//! Follows the server's `KickstartHandler`, `KickstartBuilder.create`
//! (`checkRoles`, `validateNewLabel`, `setupVirtType`),
//! `XmlRpcKickstartHelper.lookupKsData` and `KickstartDtoSerializer`.
//! Simplified: one organization; the tree is checked against the trees
//! the node lists (`kickstart.tree.list`), and Cobbler is not asked for a
//! distribution (`validateTreeVirt`), so every known virtualization type
//! is taken. Unverified against a server: the texts of the label checks
//! (the server words them from a localized catalog), the text of the
//! null-pointer fault an unknown virtualization type gives
//! `createProfile`, the role name in `deleteProfile`'s refusal, and
//! `listKickstarts` ordered by label.

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{CustomContent, KickstartProfile, User};
use crate::sim::{Node, faults};

/// The role `checkKickstartPerms` asks for (an organization admin holds
/// it too).
const CONFIG_ADMIN: &str = "config_admin";

/// `KickstartVirtualizationType` labels.
const VIRT_TYPES: &[&str] = &["none", "para_host", "qemu", "xenfv", "xenpv"];

/// `KickstartBuilder.MIN_KS_LABEL_LENGTH`.
const MIN_LABEL: usize = 6;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createProfile" => create(node, call, true),
        "createProfileWithCustomUrl" => create(node, call, false),
        "listKickstarts" => list(node, call),
        "deleteProfile" => delete(node, call),
        _ => return None,
    })
}

/// `checkKickstartPerms`: its `PermissionException` is no fault of the
/// API's own, so the server answers it unhandled.
pub(super) fn check_kickstart_perms(user: &User) -> Result<(), Fault> {
    super::require_role(user, &[CONFIG_ADMIN]).map_err(|_| {
        faults::internal(
            "The requested function requires a Configuration Admin or Organizational Admin role.",
        )
    })
}

/// `InvalidKickstartLabelException` (2753): what
/// `XmlRpcKickstartHelper.lookupKsData` throws for an unknown label.
pub(super) fn invalid_label(label: &str) -> Fault {
    faults::domain(2753, &format!("Invalid autoinstallation label: {label}"))
}

/// `lookupKsData`: the profile of this exact label.
pub(super) fn profile_mut<'d>(
    custom: &'d mut CustomContent,
    label: &str,
) -> Result<&'d mut KickstartProfile, Fault> {
    custom
        .kickstart_profiles
        .get_mut(label)
        .ok_or_else(|| invalid_label(label))
}

/// `KickstartBuilder.validateNewLabel`: a `ValidatorException`, which the
/// handler does not catch, so the server answers it unhandled.
fn validate_new_label(custom: &CustomContent, label: &str) -> Result<(), Fault> {
    if label.trim().is_empty() {
        return Err(faults::internal(&format!(
            "Label is required and must be at least {MIN_LABEL} characters long."
        )));
    }
    if let Some(existing) = custom
        .kickstart_profiles
        .keys()
        .find(|l| l.to_lowercase() == label.to_lowercase())
    {
        return Err(faults::internal(&format!(
            "A kickstart profile with label {existing} already exists."
        )));
    }
    let valid = label.chars().count() >= MIN_LABEL
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(faults::internal(&format!(
            "Label must be at least {MIN_LABEL} characters long and hold only letters, digits, '-' and '_'."
        )));
    }
    Ok(())
}

/// `createProfile(label, virtualizationType, treeLabel, kickstartHost,
/// rootPassword[, updateType])` (`with_virt_check`) and
/// `createProfileWithCustomUrl(label, virtualizationType, treeLabel,
/// downloadUrl, rootPassword[, updateType])`: 1. The root password, host
/// and URL are never read.
fn create(node: &Node, call: &Call<'_>, with_virt_check: bool) -> MethodResponse {
    let user = call.user(node)?;
    let label = call.str("profileLabel")?;
    let virt = call.str("virtualizationType")?;
    let tree = call.str("kickstartableTreeLabel")?;
    let update_type = match call.arg("updateType") {
        Some(_) => call.str("updateType")?,
        None => "none",
    };
    let mut data = node.write();
    if !super::channel::kickstart_tree_exists(&data, tree) {
        return Err(faults::domain(
            2752,
            &format!("Unable to locate autoinstallable tree for your organization: {tree}"),
        ));
    }
    // `validateTreeVirt` looks the type up and calls a method of it.
    if with_virt_check && !VIRT_TYPES.contains(&virt) {
        return Err(faults::internal(
            "Cannot invoke \"com.redhat.rhn.domain.kickstart.KickstartVirtualizationType.equals(Object)\" because \"virtType\" is null",
        ));
    }
    if !matches!(update_type, "none" | "all") {
        return Err(faults::domain(
            6134,
            &format!("Invalid update type: {update_type}"),
        ));
    }
    // `checkRoles`' `PermissionException`, caught and rethrown as
    // `PermissionCheckFailureException`.
    super::require_role(&user, &[CONFIG_ADMIN])?;
    validate_new_label(&data.custom, label)?;
    // `setupVirtType`: a blank type is Xen para-virtualized.
    if !virt.is_empty() && !VIRT_TYPES.contains(&virt) {
        return Err(faults::domain(
            2751,
            &format!("Invalid virtualization type: {virt}"),
        ));
    }
    data.custom.kickstart_profiles.insert(
        label.to_owned(),
        KickstartProfile {
            label: label.to_owned(),
            tree_label: tree.to_owned(),
            update_type: update_type.to_owned(),
            scripts: Vec::new(),
        },
    );
    Ok(Value::Int(1))
}

/// `listKickstarts()`: `KickstartDtoSerializer`'s members; a profile made
/// through the API is active, not an organization default and not raw
/// (`advanced_mode`); its name is its label.
fn list(node: &Node, call: &Call<'_>) -> MethodResponse {
    check_kickstart_perms(&call.user(node)?)?;
    let data = node.read();
    Ok(Value::Array(
        data.custom
            .kickstart_profiles
            .values()
            .map(|p| {
                Struct::with_capacity(7)
                    .with("label", Value::string(&p.label))
                    .with("active", Value::Bool(true))
                    .with("tree_label", Value::string(&p.tree_label))
                    .with("name", Value::string(&p.label))
                    .with("advanced_mode", Value::Bool(false))
                    .with("org_default", Value::Bool(false))
                    .with("update_type", Value::string(&p.update_type))
                    .into()
            })
            .collect(),
    ))
}

/// `deleteProfile(ksLabel)`: the profile and its scripts; 1. Its role
/// check throws `PermissionException(Role)`, answered unhandled.
fn delete(node: &Node, call: &Call<'_>) -> MethodResponse {
    let user = call.user(node)?;
    super::require_role(&user, &[CONFIG_ADMIN]).map_err(|_| {
        faults::internal(
            "You do not have permissions to perform this action. You need to have at least a Configuration Administrator role to perform this action",
        )
    })?;
    let label = call.str("ksLabel")?;
    let mut data = node.write();
    data.custom
        .kickstart_profiles
        .remove(label)
        .ok_or_else(|| invalid_label(label))?;
    Ok(Value::Int(1))
}
