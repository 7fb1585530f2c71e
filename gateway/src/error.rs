//! The gateway's errors and the one place they become XML-RPC faults.
//!
//! Every fault the gateway makes itself has code -1 and the server's
//! `redstone.xmlrpc.XmlRpcFault: ` prefix, except where the server has its
//! own (no such system, action, schedule, image, snapshot, ...; unknown
//! session). Faults name nodes and ids, never request text: request
//! bodies carry passwords.

use std::fmt;

use xmlrpc::Fault;

use crate::upstream::UpstreamError;

const PREFIX: &str = "redstone.xmlrpc.XmlRpcFault: ";

/// The server's fault code for an entity it does not hold
/// (`EntityNotExistsFaultException`): a recurring schedule, an Ansible
/// path, a pinned subscription.
pub(crate) const ENTITY_NOT_EXISTS: i32 = 10101;

/// The server's fault code for a system group it cannot find
/// (`LookupServerGroupException`).
pub(crate) const LOOKUP_SERVER_GROUP: i32 = 2201;

/// Why a call through the gateway failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A fault to pass on exactly as it is: a node's own fault, or the
    /// server's fault for a call no entry of the spec takes.
    #[error("{0}")]
    Fault(Fault),
    /// An unknown or expired cluster session key; carries the key's id
    /// part, which the server's fault shows.
    #[error("no session with id {0}")]
    NoSession(String),
    /// An integer where the session key goes (the server would take it as
    /// a user id without any session: the gateway refuses).
    #[error("an integer was given as the session key")]
    SessionNotAKey,
    /// A cluster system id the identity map does not know.
    #[error("no such system")]
    NoSuchSystem,
    /// A cluster action id the identity map does not know.
    #[error("no such action: {0}")]
    NoSuchAction(i64),
    /// A cluster system group id the identity map does not know.
    #[error("no such system group: {0}")]
    NoSuchGroup(i64),
    /// The node a call must go to could not answer.
    #[error("node {node}: {source}")]
    NodeUnavailable {
        /// The node.
        node: String,
        /// Why.
        source: UpstreamError,
    },
    /// Nodes of a fan-out call could not answer (strict policy).
    #[error("fan-out failed: {0}")]
    Fanout(NodeFailures),
    /// A broadcast change failed on some nodes.
    #[error("{0}")]
    Broadcast(BroadcastFailure),
    /// Ids of one call live on different nodes, which no single node can
    /// answer.
    #[error("{0}")]
    CrossNode(String),
    /// A cluster id of an object nodes number on their own (a recurring
    /// schedule, an image, a snapshot, ...: [`spec::IdKind::has_copies`])
    /// that the identity map does not know.
    #[error("no such {}: {id}", kind.plural())]
    NoSuchObject {
        /// The kind.
        kind: spec::IdKind,
        /// The id the client sent.
        id: i64,
    },
    /// No node can serve the call.
    #[error("no node of the cluster can serve {0}")]
    NoNode(&'static str),
    /// An id the cluster does not map names different objects on its
    /// nodes, so a change by that id would change different objects
    /// ([`crate::route`]'s `org_ids`): what and where.
    #[error("{0}")]
    Apart(String),
    /// No turn for a fan-out call came within `fanout.max_wait_ms`: this
    /// many are under way (`fanout.max_in_flight`).
    #[error("{0} calls over every node are under way")]
    Busy(usize),
    /// The cluster's state store failed; the detail is logged, not answered.
    #[error("state store: {0}")]
    State(String),
}

/// The server's fault for an id of `kind` it does not hold, for `id` the
/// cluster id the client sent.
fn not_found(kind: spec::IdKind, id: i64) -> Fault {
    use spec::IdKind;
    match kind {
        // The `EntityNotExistsFaultException` of `recurring.lookupById`
        // and the calls built on it.
        IdKind::Schedule => Fault::new(
            ENTITY_NOT_EXISTS,
            format!("{PREFIX}Action with id: {id} does not exist"),
        ),
        // `NoSuchImageException`.
        IdKind::Image => Fault::new(IMAGE_NOT_FOUND, format!("{PREFIX}Image not found")),
        // `NoSuchSnapshotException`, its message formatted as Java
        // formats numbers.
        IdKind::Snapshot => Fault::new(
            SNAPSHOT_NOT_FOUND,
            format!(
                "{PREFIX}Invalid snapshot specified: {}",
                spec::message_number(id)
            ),
        ),
        // `EntityNotExistsFaultException(id)`.
        IdKind::AnsiblePath => Fault::new(ENTITY_NOT_EXISTS, format!("{PREFIX}{id}")),
        // `PinnedSubscriptionHandler.delete`.
        IdKind::PinnedSubscription => Fault::new(
            INVALID_PARAMETER,
            format!("{PREFIX}Pinned Subscription with given id doesn't exist."),
        ),
        // `NoSuchPackageException` (`PackagesHandler.lookupPackage`;
        // `removeSourcePackage` throws it too).
        IdKind::Package | IdKind::SourcePackage => Fault::new(
            NO_SUCH_PACKAGE,
            format!("{PREFIX}The package could not be found"),
        ),
        // `InvalidErrataException`, as `ErrataManager` refuses an erratum
        // id it does not find (unverified against a server: the message
        // is the exception's from the fault table).
        IdKind::Erratum => Fault::new(INVALID_ERRATA, format!("{PREFIX}Invalid errata")),
        // `NoSuchChannelException`, as `ChannelFactory.lookupByIdAndUser`
        // finds no channel (unverified against a server: the message is
        // the exception's from the fault table).
        IdKind::Channel => Fault::new(NO_SUCH_CHANNEL, format!("{PREFIX}No such channel")),
        // `NoSuchContentSourceException` (fault table: 1213,
        // `noSuchRepository`); the message is unverified against a server.
        IdKind::Repository => Fault::new(
            NO_SUCH_REPOSITORY,
            format!("{PREFIX}No such repository: {id}"),
        ),
        // `EntityNotExistsFaultException(filterId)`, as
        // `ContentManagementHandler` refuses a filter id it does not find.
        IdKind::ContentFilter => Fault::new(ENTITY_NOT_EXISTS, format!("{PREFIX}{id}")),
        // `ConfigurationManager.lookupConfigChannel`'s `LookupException`,
        // which the server answers as it answers an unknown session key.
        IdKind::ConfigChannel => Fault::new(-1, format!("{NO_SUCH_CONFIG_CHANNEL}id={id}")),
        // `ScapManager.ensureAvailableToUser`'s `LookupException`, which
        // the server answers as it answers an unknown session key; its
        // text ends "for user <id>", which the gateway cannot name.
        IdKind::XccdfScan => Fault::new(-1, format!("{NO_SUCH_XCCDF_SCAN}{id}")),
        // `ProfileManager.lookupByIdAndOrg`'s exception, unhandled; the
        // server's text ends "for org <id>", which the gateway cannot name.
        IdKind::PackageProfile => Fault::new(
            -1,
            format!("{PREFIX}unhandled internal exception: The profile {id}could notbe found"),
        ),
        other => Fault::new(
            -1,
            format!(
                "{PREFIX}unhandled internal exception: no such {}: {id}",
                other.plural()
            ),
        ),
    }
}

/// The server's fault code for an image it does not hold
/// (`NoSuchImageException`).
pub(crate) const IMAGE_NOT_FOUND: i32 = 10012;

/// The server's fault code for a snapshot it does not hold
/// (`NoSuchSnapshotException`).
pub(crate) const SNAPSHOT_NOT_FOUND: i32 = 1069;

/// The server's fault code for a package it does not hold or show the
/// user (`NoSuchPackageException`).
pub(crate) const NO_SUCH_PACKAGE: i32 = -209;

/// The server's fault code for an erratum it does not hold
/// (`InvalidErrataException`).
pub(crate) const INVALID_ERRATA: i32 = 2600;

/// The server's fault code for a software channel it does not hold
/// (`NoSuchChannelException`).
pub(crate) const NO_SUCH_CHANNEL: i32 = -210;

/// The server's fault code for a repository it does not hold
/// (`NoSuchContentSourceException`; the same code as
/// `InvalidParameterException`).
pub(crate) const NO_SUCH_REPOSITORY: i32 = 1213;

/// The start of the server's fault string for a configuration channel it
/// does not hold or show the user, by id (`id=<id>`) or by label
/// (`label=<label>`), as `ConfigurationManager.lookupConfigChannel`
/// words it; the fault code is -1 (an unhandled exception).
pub(crate) const NO_SUCH_CONFIG_CHANNEL: &str =
    "com.redhat.rhn.common.hibernate.LookupException: Could not find config channel with ";

/// The server's `InvalidParameterException`: among others, a pinned
/// subscription it does not hold.
pub(crate) const INVALID_PARAMETER: i32 = 1213;

/// The start of the server's fault string for an XCCDF scan it does not
/// hold or show the user (`ScapManager.ensureAvailableToUser`'s
/// `LookupException`, then `<id> for user <user id>`); the fault code is
/// -1.
pub(crate) const NO_SUCH_XCCDF_SCAN: &str =
    "com.redhat.rhn.common.hibernate.LookupException: Could not find XCCDF scan ";

/// Whether `fault`, a node's answer to a call naming an object of `kind`,
/// says the node does not hold it: the server's fault code for that,
/// where it has one of its own; for an XCCDF scan, whose look-up fails
/// as an unhandled -1, the fault's text.
pub(crate) fn is_not_found(kind: spec::IdKind, fault: &Fault) -> bool {
    match kind {
        spec::IdKind::XccdfScan => fault.code == -1 && fault.string.starts_with(NO_SUCH_XCCDF_SCAN),
        kind => {
            let code = not_found(kind, 0).code;
            code != -1 && fault.code == code
        }
    }
}

impl From<director::identity::IdentityError> for GatewayError {
    fn from(e: director::identity::IdentityError) -> GatewayError {
        GatewayError::State(e.to_string())
    }
}

impl From<director::store::StoreError> for GatewayError {
    fn from(e: director::store::StoreError) -> GatewayError {
        GatewayError::State(e.to_string())
    }
}

impl From<spec::LookupError> for GatewayError {
    fn from(e: spec::LookupError) -> GatewayError {
        GatewayError::Fault(e.fault())
    }
}

impl From<Fault> for GatewayError {
    fn from(f: Fault) -> GatewayError {
        GatewayError::Fault(f)
    }
}

/// The nodes that failed, each with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFailures(pub Vec<(String, String)>);

impl fmt::Display for NodeFailures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (node, why)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{node} ({why})")?;
        }
        Ok(())
    }
}

/// A change sent to several nodes (a broadcast, or a split call that
/// scheduled actions) that did not succeed everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastFailure {
    /// The method.
    pub method: String,
    /// The fault code to answer: the first node fault's, else -1.
    pub code: i32,
    /// Nodes that failed and why.
    pub failed: NodeFailures,
    /// Nodes where the change was undone, with the undoing method.
    pub undone: Vec<(String, String)>,
    /// Nodes where the change stays (no undo known, or the undo failed).
    pub kept: Vec<String>,
}

impl fmt::Display for BroadcastFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed on node(s) {}", self.method, self.failed)?;
        if !self.undone.is_empty() {
            let undone: Vec<String> = self
                .undone
                .iter()
                .map(|(node, how)| format!("{node} ({how})"))
                .collect();
            write!(f, "; undone on {}", undone.join(", "))?;
        }
        if !self.kept.is_empty() {
            write!(f, "; not undone, still applied on {}", self.kept.join(", "))?;
        }
        Ok(())
    }
}

impl GatewayError {
    /// The fault answered to the client. Logs what it does not show.
    pub fn to_fault(&self) -> Fault {
        match self {
            GatewayError::Fault(fault) => fault.clone(),
            GatewayError::NoSession(id) => Fault::new(
                -1,
                format!(
                    "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: {id}"
                ),
            ),
            GatewayError::SessionNotAKey => Fault::new(
                -1,
                "com.redhat.rhn.common.translation.TranslationException: Could not find \
                 translator for class java.lang.Integer to interface com.redhat.rhn.domain.user.User",
            ),
            GatewayError::NoSuchSystem => Fault::new(-208, format!("{PREFIX}No such system")),
            GatewayError::NoSuchAction(id) => {
                Fault::new(2700, format!("{PREFIX}No such action: {id}"))
            }
            // The server's LookupServerGroupException.
            GatewayError::NoSuchGroup(id) => Fault::new(
                LOOKUP_SERVER_GROUP,
                format!("{PREFIX}Unable to locate or access server group: {id}"),
            ),
            GatewayError::NodeUnavailable { node, source } => Fault::new(
                -1,
                format!(
                    "{PREFIX}unhandled internal exception: cluster node {node} is unavailable ({source})"
                ),
            ),
            GatewayError::Fanout(failures) => Fault::new(
                -1,
                format!(
                    "{PREFIX}unhandled internal exception: cluster nodes could not answer: {failures}"
                ),
            ),
            GatewayError::Broadcast(b) => Fault::new(b.code, format!("{PREFIX}{b}")),
            GatewayError::CrossNode(what) => Fault::new(-1, format!("{PREFIX}{what}")),
            GatewayError::NoSuchObject { kind, id } => not_found(*kind, *id),
            GatewayError::Busy(under_way) => Fault::new(
                -1,
                format!(
                    "{PREFIX}unhandled internal exception: the cluster gateway is busy with \
                     {under_way} call(s) over every node; try again later"
                ),
            ),
            GatewayError::NoNode(what) => Fault::new(
                -1,
                format!(
                    "{PREFIX}unhandled internal exception: no node of the cluster can serve {what}"
                ),
            ),
            GatewayError::Apart(what) => {
                Fault::new(-1, format!("{PREFIX}unhandled internal exception: {what}"))
            }
            GatewayError::State(detail) => {
                tracing::error!(cause = %detail, "cluster state store failed");
                Fault::new(
                    -1,
                    format!(
                        "{PREFIX}unhandled internal exception: the cluster state store is unavailable"
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_have_the_server_shapes() {
        assert_eq!(
            GatewayError::NoSession("42".into()).to_fault().string,
            "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 42"
        );
        assert_eq!(GatewayError::NoSuchSystem.to_fault().code, -208);
        let f = GatewayError::NodeUnavailable {
            node: "n2".into(),
            source: UpstreamError::Timeout,
        }
        .to_fault();
        assert!(
            f.string
                .contains("cluster node n2 is unavailable (timed out)")
        );
        let b = GatewayError::Broadcast(BroadcastFailure {
            method: "activationkey.create".into(),
            code: 1090,
            failed: NodeFailures(vec![("n2".into(), "exists".into())]),
            undone: vec![("n1".into(), "activationkey.delete".into())],
            kept: vec![],
        })
        .to_fault();
        assert_eq!(b.code, 1090);
        assert_eq!(
            b.string,
            "redstone.xmlrpc.XmlRpcFault: activationkey.create failed on node(s) n2 (exists); \
             undone on n1 (activationkey.delete)"
        );
        let state = GatewayError::State("redb /secret/path: disk full".into()).to_fault();
        assert!(!state.string.contains("secret"));
    }
}
