//! The director's records and where they live in the store.
//!
//! # Key schema
//!
//! Every key is a UTF-8 path, most general segment first; numbers that must
//! sort numerically are zero-padded to 10 digits. Values are JSON.
//!
//! | key | value | what |
//! |---|---|---|
//! | `zone/<name>` | [`Zone`] | a zone |
//! | `node/<id>` | [`Node`] | a node and its lifecycle, health and load |
//! | `node-number/<number>` | node id | dense node numbers, for caches |
//! | `node-misses/<id>` | number | changes of shared data the node missed while it followed them (staged or failed), counted by the gateways |
//! | `node-missed-calls/<id>` | [`MissedCalls`] | the methods of those changes, with how many of each and when, until an operator clears them |
//! | `node-follows/<id>/<gateway>` | [`FollowCount`] | changes of shared data one gateway process queued for the node while it followed them, and how many of them it settled (sent, or counted in `node-misses/`) |
//! | `client/<minion id>` | [`Client`] | a managed client system |
//! | `client-fp/<fingerprint>` | minion id | index: minion key fingerprint |
//! | `sys/<cluster id>` | [`SystemIdentity`] | cluster system id -> node and local id |
//! | `sys-local/<node>/<local id>` | cluster id | index: node and local id -> cluster id |
//! | `sys-minion/<minion id>` | cluster id | index: minion id -> cluster id |
//! | `sys-left/<node>/<local id>` | cluster id | index: a copy a system left on a node it moved away from -> the system's cluster id |
//! | `act/<cluster id>` | [`ObjectIdentity`] | cluster action id -> node and local id (an action of several nodes: each node's part) |
//! | `act-local/<node>/<local id>` | cluster id | index |
//! | `sched/<cluster id>` | [`ObjectIdentity`] | cluster recurring schedule id -> node and local id (a group or org schedule: each node's copy) |
//! | `sched-local/<node>/<local id>` | cluster id | index |
//! | `obj/<kind>/<cluster id>` | [`ObjectIdentity`] | the other node-numbered objects ([`ObjectKind`]: `image`, `snapshot`, `ansible-path`, `notification`, `package-profile`, `pinned-subscription`) |
//! | `obj-local/<kind>/<node>/<local id>` | cluster id | index |
//! | `grp/<cluster id>` | [`GroupIdentity`] | cluster system group id -> its organization, name and each node's id for it |
//! | `grp-local/<node>/<local id>` | cluster id | index |
//! | `grp-name/<org id>/<name>` | cluster id | index: a group is the same group on every node by its organization and name |
//! | `pkg/<cluster id>` | [`PackageIdentity`] | cluster package id -> the package (name, epoch, version, release, architecture) and each node's id for it |
//! | `pkg-local/<node>/<local id>` | cluster id | index |
//! | `pkg-name/<name-[epoch:]version-release.arch>` | cluster id | index: a package is the same package on every node by its name, epoch, version, release and architecture |
//! | `erratum/<cluster id>` | [`ErratumIdentity`] | cluster erratum id -> the advisory name and each node's id for it |
//! | `erratum-local/<node>/<local id>` | cluster id | index |
//! | `erratum-name/<advisory name>` | cluster id | index: an erratum is the same erratum on every node by its advisory name |
//! | `channel/<cluster id>` | [`ChannelIdentity`] | cluster software channel id -> the channel label and each node's id for it |
//! | `channel-local/<node>/<local id>` | cluster id | index |
//! | `channel-label/<label>` | cluster id | index: a software channel is the same channel on every node by its label |
//! | `repo/<cluster id>` | [`RepositoryIdentity`] | cluster repository id -> the repository label and each node's id for it |
//! | `repo-local/<node>/<local id>` | cluster id | index |
//! | `repo-label/<label>` | cluster id | index: a repository is the same repository on every node by its label |
//! | `cfilter/<cluster id>` | [`ContentFilterIdentity`] | cluster content filter id -> the filter name and each node's id for it |
//! | `cfilter-local/<node>/<local id>` | cluster id | index |
//! | `cfilter-name/<name>` | cluster id | index: a content filter is the same filter on every node by its name |
//! | `config-channel/<cluster id>` | [`ConfigChannelIdentity`] | cluster configuration channel id -> the channel label and each node's id for it |
//! | `config-channel-local/<node>/<local id>` | cluster id | index |
//! | `config-channel-label/<label>` | cluster id | index: a configuration channel is the same channel on every node by its label |
//! | `source-pkg/<cluster id>` | [`SourcePackageIdentity`] | cluster source package id -> the source RPM's name and each node's id for it |
//! | `source-pkg-local/<node>/<local id>` | cluster id | index |
//! | `source-pkg-name/<name>` | cluster id | index: a source package is the same on every node by its name |
//! | `session/<session id>` | [`GatewaySession`] | a gateway session: node keys, expiry |
//! | `move/<id>` | [`MoveRecord`] | a client move and its progress |
//! | `op/<id>` | [`Operation`] | a drain or rebalance and its progress |
//! | `counter/<name>` | number | id allocators: `node-number`, `system-id`, `action-id`, `schedule-id`, `<kind>-id` (the other [`ObjectKind`]s), `group-id`, `package-id`, `erratum-id`, `channel-id`, `repository-id`, `content-filter-id`, `config-channel-id`, `move`, `op`, `session` |
//!
//! The gateway token ([`GatewayReach`]) reads and writes `session/`, the
//! identity map's keys, `node-misses/`, `node-missed-calls/`, `node-follows/` and the `counter/session` and
//! `counter/<space>-id` counters, and reads `node/` and `client/`; nothing else.
//!
//! Secrets never enter the store: no passwords, no admin or client tokens.
//! The one credential-like value kept is a gateway session's node session
//! keys, which the gateway replicas must share to serve one session; they
//! die with the session.

mod client;
mod follow;
mod identity;
mod keys;
mod moves;
mod node;
mod session;
mod zone;

pub use client::{Client, ClientStatus};
pub use follow::{
    FOLLOW_RECORDS, FollowCount, FollowMarks, MissedCall, MissedCalls, add_missed_calls,
    follow_gateway, follows_by_gateway, marks_of, queued_since, unsettled_since,
};
pub use identity::{
    ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity, ContentKind, ErratumIdentity,
    FIRST_CLUSTER_SYSTEM_ID, GroupIdentity, ObjectIdentity, ObjectKind, ObjectPart,
    PackageIdentity, PackageName, Remaining, RepositoryIdentity, SourcePackageIdentity,
    SystemIdentity,
};
pub use keys::{GatewayReach, Keys};
pub use moves::{MoveOutcome, MoveRecord, MoveState, Operation, OperationKind, OperationState};
pub use node::{Node, NodeLoad, NodeState, SeedMark};
pub use session::GatewaySession;
pub use zone::Zone;

/// Milliseconds since the Unix epoch: every timestamp the director stores.
pub type Millis = i64;

/// Now, in [`Millis`].
pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
