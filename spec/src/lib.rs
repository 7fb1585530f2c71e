//! The SUSE Manager / Uyuni API spec: every method overload of every
//! supported release (4.3, 5.0, 5.1, master), its types, how the cluster
//! gateway routes it, where it carries system and action ids, and how the
//! real server picks an overload for a call.
//!
//! The spec is data: `spec/api-spec.json`, generated from the shared
//! catalogs by `cargo run -p spec --bin spec-gen` (see [`generate`]) and
//! committed. This library embeds that file and parses it once, on first
//! use of [`spec()`]; building never needs the catalogs.
//!
//! # The file
//!
//! A JSON document (layout: [`document`]) with a format name and version,
//! the releases read, the namespaces with their Java handler classes, and
//! the entries. An entry is one overload, identified by namespace, method
//! and parameter type list; `releases` lists the releases that have it, and
//! where releases describe it differently the newest wins. Catalog type
//! words are normalised into [`Type`] (table on its documentation).
//!
//! # Routing
//!
//! Every entry has exactly one [`RouteClass`]: `Gateway` (`api`, `auth`),
//! `System` and `Action` (route on the first parameter carrying a system or
//! action id, [`Route::param`]), `Fanout` (reads of per-node data),
//! `SharedRead` (reads of data every node holds alike), `Broadcast`
//! (changes every node applies) and `Placement` (creates a new client
//! system: the director picks the node). Classes come from pattern rules
//! over namespace groups and read verbs, plus an override table with a
//! reason per row ([`generate::routing`]).
//!
//! # Ids
//!
//! [`IdInfo`] on each entry says which parameters carry system or action
//! ids (index, kind, scalar or array, minion id or certificate) and which
//! parts of the result do (the whole value, or named struct members), for
//! the gateway to translate cluster-wide ids both ways. Rules: [`ids`].
//!
//! # Lookup
//!
//! [`Spec::resolve`] and [`Spec::resolve_in`] pick the entry a call reaches
//! the way the server's `BaseHandler` does, and give the server's exact
//! faults when none does ([`LookupError::fault`]). [`introspect`] builds the
//! answers of `api.getApiNamespaces`, `api.getApiNamespaceCallList` and
//! `api.getApiCallList`.

pub mod document;
mod error;
pub mod generate;
pub mod ids;
pub mod introspect;
mod java;
mod model;
mod resolve;
mod spec;
mod types;

pub use error::{LookupError, SpecError, message_number};
pub use ids::{IdForm, IdInfo, IdKind, IdParam, IdPlace, IdResult};
pub use model::{
    Entry, Field, HttpVerb, Namespace, Param, Release, Route, RouteClass, UnknownRelease,
};
pub use resolve::{Resolved, SessionArg, beanify, is_session_key};
pub use spec::{Spec, spec};
pub use types::{Type, UnknownType};
