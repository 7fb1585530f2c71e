//! The SUSE Manager API spec.
//!
//! API DRAFT: the types and signatures below are the contract other crates
//! code against; the implementation and the committed spec file land with the
//! spec generator.

#![allow(missing_docs)]

use xmlrpc::{Fault, Value};

/// A release of SUSE Manager / Uyuni the spec covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Release {
    V4_3,
    V5_0,
    V5_1,
    Master,
}

/// How the gateway routes a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteClass {
    /// Answered by the gateway itself (`api.*`, `auth.*`).
    Gateway,
    /// Routed to the node owning the system named by `Route::param`.
    System,
    /// Routed to the node owning the action named by `Route::param`.
    Action,
    /// Every node is asked; answers merged.
    Fanout,
    /// One healthy node of the zone answers.
    SharedRead,
    /// Every node must apply it.
    Broadcast,
}

/// A parameter or field type as the catalog names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Int,
    Long,
    Boolean,
    String,
    Double,
    DateTime,
    Base64,
    Struct,
    /// Element type where known.
    Array(Option<Box<Type>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVerb {
    Get,
    Post,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub class: RouteClass,
    /// Index into `Entry::params` of the parameter routed on
    /// (`System`/`Action` always have one).
    pub param: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub namespace: String,
    pub method: String,
    /// Positional parameters, `sessionKey` first where `session` is true.
    pub params: Vec<Param>,
    pub returns: Type,
    pub returns_name: Option<String>,
    pub result_fields: Vec<Field>,
    pub session: bool,
    pub http: HttpVerb,
    pub http_params: Vec<String>,
    pub releases: Vec<Release>,
    pub route: Route,
    pub deprecated: bool,
    pub since: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub name: String,
    /// Full Java handler class, e.g. `com.redhat.rhn.frontend.xmlrpc.system.SystemHandler`.
    pub handler: String,
}

pub struct Spec {}

/// Why a call matches no entry; `fault()` gives the server's exact fault.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupError {
    UnknownNamespace,
    NoSuchMethod { fault: Fault },
    WrongType { fault: Fault },
}

impl LookupError {
    pub fn fault(&self) -> Fault {
        todo!()
    }
}

/// The spec compiled into this build.
pub fn spec() -> &'static Spec {
    todo!()
}

impl Spec {
    pub fn entries(&self) -> &[Entry] {
        todo!()
    }
    pub fn namespaces(&self) -> &[Namespace] {
        todo!()
    }
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        let _ = name;
        todo!()
    }
    /// All overloads of `ns.method` (snake_case accepted).
    pub fn overloads(&self, method_name: &str) -> Vec<&Entry> {
        let _ = method_name;
        todo!()
    }
    /// Resolves a call as the server dispatches it.
    pub fn resolve(&self, method_name: &str, args: &[Value]) -> Result<&Entry, LookupError> {
        let _ = (method_name, args);
        todo!()
    }
}
