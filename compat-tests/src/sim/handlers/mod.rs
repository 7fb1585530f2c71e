//! The methods the simulator models, one file per namespace (or per
//! concept of a large one: `system_profile`, `group_members`, `user_details`,
//! `package_profiles`, `org_create`, `source_packages`; `kickstart_scripts`
//! is `kickstart.profile`'s scripts, `crypto_keys` is `kickstart.keys`,
//! `snippets` is `kickstart.snippet`, `user_external` is `user.external`,
//! `custom_info` is `system.custominfo` with the `system` calls on a
//! system's custom values; `system_settings` is a system's own settings:
//! `setDetails`, notes, add-on entitlements, the minion id map).
//!
//! `image`, `snapshot`, `notifications`, `package_profiles`, `ansible`,
//! `pinned` and `scap` model the objects each node numbers on its own
//! (from 1, as a fresh server does), so that the same id names different
//! objects on different nodes.
//!
//! Each handler gets a [`Call`]: the spec entry the server's dispatcher
//! chose and the arguments, already checked for count and types against
//! that entry. Methods not listed here answer through [`super::unmodeled`].

mod activationkey;
mod ansible;
mod api;
mod auth;
mod channel;
mod configchannel;
mod content_filters;
mod crypto_keys;
mod custom_info;
mod errata;
mod group_members;
mod image;
mod kickstart;
mod kickstart_scripts;
mod maintenance;
mod notifications;
mod org;
mod org_create;
mod package_profiles;
mod packages;
mod pinned;
mod recurring;
mod repositories;
mod scap;
mod schedule;
mod snapshot;
mod snippets;
mod source_packages;
mod system;
mod system_channels;
mod system_profile;
mod system_settings;
mod systemgroup;
mod user;
mod user_details;
mod user_external;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_created;
#[cfg(test)]
mod tests_custom_keys;
#[cfg(test)]
mod tests_kickstart;
#[cfg(test)]
mod tests_maintenance;
#[cfg(test)]
mod tests_org;
#[cfg(test)]
mod tests_scap;
#[cfg(test)]
mod tests_seeded;
#[cfg(test)]
mod tests_settings;
#[cfg(test)]
mod tests_source_packages;
#[cfg(test)]
mod tests_user_external;

use spec::Entry;
use xmlrpc::{Fault, MethodResponse, Value};

use super::model::User;
use super::{Node, faults, unmodeled};

/// One resolved call.
#[derive(Debug)]
pub struct Call<'a> {
    /// The overload chosen.
    pub entry: &'a Entry,
    /// The arguments as received (strings trimmed).
    pub params: &'a [Value],
    /// The logged-in user's id, when the first argument was a valid key.
    pub user: Option<i32>,
}

impl Call<'_> {
    /// The argument named `name` in the chosen overload.
    pub(crate) fn arg(&self, name: &str) -> Option<&Value> {
        let index = self.entry.params.iter().position(|p| p.name == name)?;
        self.params.get(index)
    }

    /// A string argument.
    pub(crate) fn str(&self, name: &str) -> Result<&str, Fault> {
        self.arg(name)
            .and_then(Value::as_str)
            .ok_or_else(|| faults::internal(&format!("missing string parameter {name}")))
    }

    /// An integer argument.
    pub(crate) fn int(&self, name: &str) -> Result<i64, Fault> {
        self.arg(name)
            .and_then(Value::as_i64)
            .ok_or_else(|| faults::internal(&format!("missing integer parameter {name}")))
    }

    /// A boolean argument (the server also takes 0/1 integers).
    pub(crate) fn bool(&self, name: &str) -> Result<bool, Fault> {
        match self.arg(name) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) if v.as_i64().is_some() => Ok(v.as_i64() != Some(0)),
            _ => Err(faults::internal(&format!(
                "missing boolean parameter {name}"
            ))),
        }
    }

    /// An array-of-integers argument.
    pub(crate) fn ints(&self, name: &str) -> Result<Vec<i64>, Fault> {
        let items = self
            .arg(name)
            .and_then(Value::as_array)
            .ok_or_else(|| faults::internal(&format!("missing array parameter {name}")))?;
        items
            .iter()
            .map(|v| {
                v.as_i64().ok_or_else(|| {
                    Fault::new(
                        -1,
                        "com.redhat.rhn.common.translation.TranslationException: Could not find translator for class java.lang.String to class java.lang.Integer",
                    )
                })
            })
            .collect()
    }

    /// An array-of-strings argument.
    pub(crate) fn strs(&self, name: &str) -> Result<Vec<String>, Fault> {
        let items = self
            .arg(name)
            .and_then(Value::as_array)
            .ok_or_else(|| faults::internal(&format!("missing array parameter {name}")))?;
        Ok(items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.as_i64().map(|i| i.to_string()).unwrap_or_default(),
            })
            .collect())
    }

    /// A `dateTime.iso8601` (or date string) argument, as Unix seconds.
    pub(crate) fn date(&self, name: &str) -> Result<i64, Fault> {
        let text = match self.arg(name) {
            Some(Value::DateTime(t)) | Some(Value::String(t)) => t,
            _ => return Err(faults::internal(&format!("missing date parameter {name}"))),
        };
        super::clock::parse_datetime(text)
            .ok_or_else(|| faults::invalid_parameter(&format!("Invalid date: {name}")))
    }

    /// A date argument the chosen overload may lack: `None` when it does.
    pub(crate) fn opt_date(&self, name: &str) -> Result<Option<i64>, Fault> {
        match self.arg(name) {
            Some(_) => self.date(name).map(Some),
            None => Ok(None),
        }
    }

    /// The logged-in user.
    pub(crate) fn user(&self, node: &Node) -> Result<User, Fault> {
        let id = self
            .user
            .ok_or_else(|| faults::internal("no logged-in user"))?;
        node.read()
            .user_by_id(id)
            .cloned()
            .ok_or_else(|| faults::no_session(&id.to_string()))
    }
}

/// Checks that `user` holds one of `roles` (`satellite_admin` holds all).
pub(crate) fn require_role(user: &User, roles: &[&str]) -> Result<(), Fault> {
    if user
        .roles
        .iter()
        .any(|r| r == "satellite_admin" || r == "org_admin" || roles.contains(&r.as_str()))
    {
        Ok(())
    } else {
        Err(faults::permission_denied())
    }
}

/// `BaseHandler.ensureUserRole(user, SAT_ADMIN)` (and `ensureSatAdmin`):
/// only a SUSE Manager administrator; an organization administrator is
/// not one. Unverified: the server's text goes on to name the role it
/// needs (`... You need to have at least a <role> role to perform this
/// action`); the simulator answers the plain text, as its other checks do.
pub(crate) fn require_sat_admin(user: &User) -> Result<(), Fault> {
    if user.roles.iter().any(|r| r == "satellite_admin") {
        Ok(())
    } else {
        Err(faults::permission_denied())
    }
}

/// Answers a resolved call.
pub fn call(node: &Node, call: &Call<'_>) -> MethodResponse {
    let e = call.entry;
    match (e.namespace.as_str(), e.method.as_str()) {
        ("api", m) => api::call(node, m, call),
        ("auth", m) => auth::call(node, m, call),
        ("system", m) => system::call(node, m, call)
            .or_else(|| system_profile::call(node, m, call))
            .or_else(|| system_settings::call(node, m, call))
            .or_else(|| package_profiles::call(node, m, call))
            .or_else(|| errata::system_call(node, m, call))
            .or_else(|| system_channels::call(node, m, call))
            .or_else(|| custom_info::system_call(node, m, call)),
        ("system.custominfo", m) => custom_info::call(node, m, call),
        ("system.provisioning.snapshot", m) => snapshot::call(node, m, call),
        ("system.scap", m) => scap::call(node, m, call),
        ("system.config", m) => configchannel::system_call(node, m, call),
        ("schedule", m) => schedule::call(node, m, call),
        ("channel.software", "listErrata") => Some(errata::of_channel(node, call)),
        ("errata", m) => errata::call(node, m, call),
        ("channel.software", m) if m.contains("Repo") => repositories::call(node, m, call),
        ("channel", m) | ("channel.software", m) => channel::call(node, &e.namespace, m, call),
        ("kickstart.tree", "list") => Some(channel::kickstart_trees(node, call)),
        ("kickstart", m) => kickstart::call(node, m, call),
        ("kickstart.keys", m) => crypto_keys::call(node, m, call),
        ("kickstart.profile", m) => kickstart_scripts::call(node, m, call),
        ("kickstart.snippet", m) => snippets::call(node, m, call),
        ("user", m) => user::call(node, m, call).or_else(|| user_details::call(node, m, call)),
        ("user.external", m) => user_external::call(node, m, call),
        ("org", m) => org::call(node, m, call),
        ("activationkey", m) => activationkey::call(node, m, call),
        ("systemgroup", m) => {
            systemgroup::call(node, m, call).or_else(|| group_members::call(node, m, call))
        }
        ("formula", "getFormulasByGroupId") => Some(systemgroup::formulas(node, call)),
        (ns @ ("recurring" | "recurring.highstate"), m) => recurring::call(node, ns, m, call),
        ("image", m) => image::call(node, m, call),
        ("packages", m) => {
            packages::call(node, m, call).or_else(|| source_packages::call(node, m, call))
        }
        ("packages.search", "name") => Some(packages::search_name(node, call)),
        ("user.notifications", m) => notifications::call(node, m, call),
        ("ansible", m) => ansible::call(node, m, call),
        ("subscriptionmatching.pinnedsubscription", m) => pinned::call(node, m, call),
        ("contentmanagement", m) => content_filters::call(node, m, call),
        ("configchannel", m) => configchannel::call(node, m, call),
        ("maintenance", m) => maintenance::call(node, m, call),
        _ => None,
    }
    .unwrap_or_else(|| unmodeled::answer(node, call))
}

/// What a namespace module answers: `None` when it does not model the method.
pub(crate) type Answer = Option<MethodResponse>;
