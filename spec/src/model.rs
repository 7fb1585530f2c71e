//! The spec's data model: releases, namespaces, entries and their routes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Type;
use crate::ids::IdInfo;

/// A release of SUSE Manager / Uyuni the spec covers, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Release {
    /// SUSE Manager 4.3.
    #[serde(rename = "4.3")]
    V4_3,
    /// SUSE Manager 5.0.
    #[serde(rename = "5.0")]
    V5_0,
    /// SUSE Multi-Linux Manager 5.1.
    #[serde(rename = "5.1")]
    V5_1,
    /// Uyuni master (2026.06).
    #[serde(rename = "master")]
    Master,
}

impl Release {
    /// Every release, oldest first.
    pub const ALL: [Release; 4] = [Release::V4_3, Release::V5_0, Release::V5_1, Release::Master];

    /// The release's label: `4.3`, `5.0`, `5.1`, `master`.
    pub fn label(self) -> &'static str {
        match self {
            Release::V4_3 => "4.3",
            Release::V5_0 => "5.0",
            Release::V5_1 => "5.1",
            Release::Master => "master",
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A release label that names no release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown release `{0}` (known: 4.3, 5.0, 5.1, master)")]
pub struct UnknownRelease(pub String);

impl FromStr for Release {
    type Err = UnknownRelease;

    fn from_str(s: &str) -> Result<Release, UnknownRelease> {
        Release::ALL
            .into_iter()
            .find(|r| r.label() == s)
            .ok_or_else(|| UnknownRelease(s.to_owned()))
    }
}

/// How the gateway routes a call. Every entry has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteClass {
    /// Answered by the gateway itself (`api.*`, `auth.*`).
    Gateway,
    /// Routed to the node owning the system named by [`Route::param`].
    System,
    /// Routed to the node owning the action named by [`Route::param`].
    Action,
    /// A read of per-node data: every node is asked; answers merged.
    Fanout,
    /// A read of data every node of a zone holds alike: one healthy node
    /// answers.
    SharedRead,
    /// A change every node must apply: sent to every node. Also the class
    /// of a change to per-node data that names no system or action (a
    /// snapshot tag, a pending Salt key): the node holding it applies it.
    Broadcast,
    /// Creates a new client system without naming an existing one
    /// (`system.createSystemProfile`, `system.bootstrap` without a proxy,
    /// ...): the gateway asks the director which node gets it.
    Placement,
}

impl RouteClass {
    /// Every class, in declaration order.
    pub const ALL: [RouteClass; 7] = [
        RouteClass::Gateway,
        RouteClass::System,
        RouteClass::Action,
        RouteClass::Fanout,
        RouteClass::SharedRead,
        RouteClass::Broadcast,
        RouteClass::Placement,
    ];

    /// Whether the class routes on a parameter ([`Route::param`] is set).
    pub fn routes_on_param(self) -> bool {
        matches!(self, RouteClass::System | RouteClass::Action)
    }
}

/// One positional parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The documented name (`sessionKey` for the session parameter).
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// One known member of a returned struct (or of each struct of a returned
/// array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The member name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// The verb of an entry on the HTTP (JSON) API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpVerb {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in a JSON body (and the query string).
    Post,
}

/// How an entry is routed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The routing class.
    pub class: RouteClass,
    /// Index into [`Entry::params`] of the parameter routed on: set exactly
    /// for `System` and `Action`. Where an entry has several system-id
    /// parameters the first is chosen (`sids` of `system.changeProxy`,
    /// `sid1` of `system.comparePackages`, `targetServerId` of
    /// `system.scheduleSyncPackagesWithSystem`).
    pub param: Option<usize>,
}

/// One API method overload: identified by namespace, method and the list of
/// parameter types, merged over every release that has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The namespace, e.g. `system.config`.
    pub namespace: String,
    /// The camelCase method name, e.g. `listSystems`.
    pub method: String,
    /// Positional parameters, `sessionKey` first where `session` is true.
    pub params: Vec<Param>,
    /// The result type.
    pub returns: Type,
    /// The documented name of the result (`system`, `actionId`, ...).
    pub returns_name: Option<String>,
    /// Known members of the returned struct(s).
    pub result_fields: Vec<Field>,
    /// Whether the first parameter is the session key.
    pub session: bool,
    /// The verb on the HTTP API.
    pub http: HttpVerb,
    /// The parameter keys on the HTTP API (no session key).
    pub http_params: Vec<String>,
    /// The releases that have this overload, oldest first.
    pub releases: Vec<Release>,
    /// How the gateway routes it.
    pub route: Route,
    /// Whether the documentation marks it deprecated.
    pub deprecated: bool,
    /// The API version that introduced it, where documented.
    pub since: Option<String>,
    /// Which parameters and result parts carry system or action ids.
    pub ids: IdInfo,
    /// Whether it may answer nil (no value) instead of `returns`, where it
    /// finds nothing. Written only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub may_be_nil: bool,
}

impl Entry {
    /// The full method name, `namespace.method`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.namespace, self.method)
    }

    /// Whether `release` has this overload.
    pub fn in_release(&self, release: Release) -> bool {
        self.releases.contains(&release)
    }

    /// The parameter types, in order.
    pub fn param_types(&self) -> impl Iterator<Item = &Type> {
        self.params.iter().map(|p| &p.ty)
    }

    /// The parameter routed on, for `System` and `Action` entries.
    pub fn routed_param(&self) -> Option<&Param> {
        self.route.param.and_then(|i| self.params.get(i))
    }
}

/// An API namespace and the Java class that handles it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    /// The namespace, e.g. `system.config`.
    pub name: String,
    /// Full Java handler class, e.g.
    /// `com.redhat.rhn.frontend.xmlrpc.system.config.ServerConfigHandler`.
    pub handler: String,
    /// The releases that have the namespace, oldest first.
    pub releases: Vec<Release>,
}

impl Namespace {
    /// The handler class without its package, as `api.getApiNamespaces`
    /// shows it.
    pub fn handler_simple_name(&self) -> &str {
        self.handler.rsplit('.').next().unwrap_or(&self.handler)
    }

    /// Whether the server turns a session-key first argument into the
    /// logged-in `User` before dispatching. `BaseHandler.invoke` skips this
    /// for handler classes whose name ends in `AuthHandler` or
    /// `SearchHandler` (`auth`, `packages.search`, `system.search`): their
    /// methods take the key as a plain `String`.
    pub fn converts_session_key(&self) -> bool {
        let class = self.handler_simple_name();
        !(class.ends_with("AuthHandler") || class.ends_with("SearchHandler"))
    }

    /// Whether `release` has this namespace.
    pub fn in_release(&self, release: Release) -> bool {
        self.releases.contains(&release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_parse_and_order() {
        assert_eq!("5.1".parse::<Release>(), Ok(Release::V5_1));
        assert!("6.0".parse::<Release>().is_err());
        assert!(Release::V4_3 < Release::Master);
        let json = serde_json::to_string(&Release::ALL).unwrap();
        assert_eq!(json, r#"["4.3","5.0","5.1","master"]"#);
    }

    #[test]
    fn session_conversion_follows_the_handler_class() {
        let ns = |handler: &str| Namespace {
            name: String::new(),
            handler: handler.to_owned(),
            releases: vec![],
        };
        let search = "com.redhat.rhn.frontend.xmlrpc.system.search.SystemSearchHandler";
        assert!(!ns(search).converts_session_key());
        assert!(!ns("com.redhat.rhn.frontend.xmlrpc.auth.AuthHandler").converts_session_key());
        assert!(ns("com.redhat.rhn.frontend.xmlrpc.system.SystemHandler").converts_session_key());
        assert_eq!(ns(search).handler_simple_name(), "SystemSearchHandler");
    }
}
