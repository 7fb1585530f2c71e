//! The cluster identity map over the store: cluster system, action and
//! recurring schedule ids to node and local id and back, allocated
//! atomically. Actions and schedules ([`ObjectKind`]) are numbered alike:
//! each has its own counter and index, and one cluster id may stand for
//! parts on several nodes ([`IdentityMap::join_parts`]). System groups
//! ([`GroupIdentity`]) have one cluster id per organization and name, and
//! each node's id for the group is a part of it
//! ([`IdentityMap::group_for_local`]). Packages ([`PackageIdentity`]) have
//! one cluster id per name, epoch, version, release and architecture, and
//! each node's id for the package is a part of it
//! ([`IdentityMap::content_for_locals`]); errata ([`ErratumIdentity`])
//! software channels ([`ChannelIdentity`]), repositories
//! ([`RepositoryIdentity`]), content filters ([`ContentFilterIdentity`]),
//! configuration channels ([`ConfigChannelIdentity`]) and source packages
//! ([`SourcePackageIdentity`]) likewise, one cluster id per advisory name,
//! channel label, repository label, filter name, configuration channel
//! label or source RPM name.
//!
//! Both the director and every gateway replica write here: when two of them
//! see the same unknown local id at once, the store's transaction lets one
//! allocate and the other read the winner's id, so they agree.
//!
//! A gateway listing a node's systems sees thousands of ids at once:
//! [`IdentityMap::systems_for_locals`] and [`IdentityMap::objects_for_locals`]
//! answer what the one-id methods would, with one read of the node's index
//! and one transaction per [`BATCH`] new ids.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;

use futures::StreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{
    ChannelIdentity, Client, ConfigChannelIdentity, ContentFilterIdentity, ContentKind,
    ErratumIdentity, FIRST_CLUSTER_SYSTEM_ID, GroupIdentity, Keys, ObjectIdentity, ObjectKind,
    ObjectPart, PackageIdentity, PackageName, Remaining, RepositoryIdentity, SourcePackageIdentity,
    SystemIdentity,
};
use crate::store::{Store, StoreError, Txn};

/// Why the identity map refused.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The 32-bit id space is used up.
    #[error("no {kind} ids left: the cluster allocated every id that fits a 32-bit int")]
    Exhausted {
        /// `system`, `action` or `schedule`.
        kind: &'static str,
    },
    /// Writers kept racing on the same entry.
    #[error("identity of {what} kept changing under concurrent writers")]
    Contention {
        /// What was being resolved.
        what: String,
    },
}

/// How many times a racing allocation is re-read before giving up.
const ATTEMPTS: usize = 16;

/// Batched look-ups of at least this many local ids read the node's whole
/// index in one scan instead of one key each.
const SCAN_FROM: usize = 256;

/// New ids written per transaction by the batched allocations.
const BATCH: usize = 512;

/// Copies left behind that a batch looks up at once.
const LEFT_AT_ONCE: usize = 16;

/// A system as a node lists it, for [`IdentityMap::systems_for_locals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenSystem<'a> {
    /// Its id on the node.
    pub local_id: i32,
    /// Its Salt minion id, when the listing shows it.
    pub minion_id: Option<&'a str>,
    /// Its machine id, when the listing shows it.
    pub machine_id: Option<&'a str>,
}

/// What a system a node lists is to the cluster
/// ([`IdentityMap::system_seen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sighting {
    /// The cluster's system of this id.
    System(i32),
    /// A copy that the system of this id left on the node: it moved to
    /// another node, and the old node still holds its profile until it is
    /// deleted there. A listing that shows the system once leaves the copy
    /// out.
    LeftBehind(i32),
}

impl Sighting {
    /// The cluster id of the system.
    pub fn cluster_id(self) -> i32 {
        match self {
            Sighting::System(id) | Sighting::LeftBehind(id) => id,
        }
    }

    /// Whether this is a copy left behind.
    pub fn is_left_behind(self) -> bool {
        matches!(self, Sighting::LeftBehind(_))
    }
}

/// Why a node's copy of a system may not be deleted as one a move left
/// behind ([`IdentityMap::releasable_copy`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreleasable {
    /// The map records no system that left a copy there under that id.
    #[error("the cluster's identity map does not record it as a copy a move left behind")]
    NotLeft,
    /// The system the copy is of lives on another node, or under another
    /// id there, than the one the caller holds for it.
    #[error("the system it is a copy of is bound to node {node} as {local_id}, not to {expected}")]
    BoundElsewhere {
        /// Where the system's cluster id is bound.
        node: String,
        /// Its local id there.
        local_id: i32,
        /// The node and local id the caller named (`node/local`).
        expected: String,
    },
    /// A move of the system is under way.
    #[error("a move of the system to node {to} is under way: run again once it is done")]
    Moving {
        /// Where it is moving.
        to: String,
    },
    /// The director places the system on another node than the one its
    /// cluster id is bound to (registered there by hand, or left there by
    /// a move that failed): it goes back to its placed node.
    #[error(
        "the director places the system on node {placed}, not on {bound} where it registered (by hand, or a move that failed): it goes back"
    )]
    PlacedElsewhere {
        /// The node the director places it on.
        placed: String,
        /// The node its cluster id is bound to.
        bound: String,
    },
    /// The director places the system on no node: it holds no client of
    /// its minion (never placed, or deleted), or assigned it none.
    #[error(
        "the director places the system on no node (no client of its minion, or none assigned): nothing confirms it lives on {bound} now"
    )]
    Unplaced {
        /// The node its cluster id is bound to.
        bound: String,
    },
}

/// Where the director places a minion, seen from one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// There, its owner, no move in flight.
    Settled,
    /// On its way there: the node it is moving to. Until it registers
    /// there, a profile that node already holds (left by an earlier move
    /// away) is not the system yet.
    Arriving,
    /// On another node.
    Elsewhere,
    /// The director has no client of that minion, or assigned it no node.
    Nowhere,
}

/// The identity map.
#[derive(Debug, Clone)]
pub struct IdentityMap {
    store: Store,
}

fn cluster_system_id(n: u64) -> Result<i32, IdentityError> {
    let id = i64::from(FIRST_CLUSTER_SYSTEM_ID) + n as i64 - 1;
    i32::try_from(id).map_err(|_| IdentityError::Exhausted { kind: "system" })
}

fn cluster_object_id(kind: ObjectKind, n: u64) -> Result<i32, IdentityError> {
    i32::try_from(n).map_err(|_| IdentityError::Exhausted { kind: kind.label() })
}

/// `act/<id>`, `sched/<id>` or `obj/<kind>/<id>`.
fn object_key(kind: ObjectKind, cluster_id: i32) -> String {
    match kind {
        ObjectKind::Action => Keys::action(cluster_id),
        ObjectKind::Schedule => Keys::schedule(cluster_id),
        other => Keys::object(other.slug(), cluster_id),
    }
}

/// The node-local index key of a `kind` object.
fn object_local_key(kind: ObjectKind, node: &str, local_id: i32) -> String {
    match kind {
        ObjectKind::Action => Keys::action_local(node, local_id),
        ObjectKind::Schedule => Keys::schedule_local(node, local_id),
        other => Keys::object_local(other.slug(), node, local_id),
    }
}

fn parse_id(raw: &[u8]) -> Option<i32> {
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// Which id space an allocation draws from.
#[derive(Debug, Clone, Copy)]
enum IdSpace {
    System,
    Object(ObjectKind),
    Group,
    /// Shared content: one space per kind.
    Content(ContentKind),
}

impl IdSpace {
    /// `counter/system-id`, `counter/<kind>-id` (`action-id`,
    /// `schedule-id`, `image-id`, ...), `counter/group-id`,
    /// `counter/package-id`, `counter/erratum-id`, `counter/channel-id`,
    /// `counter/repository-id`, `counter/content-filter-id`,
    /// `counter/config-channel-id`.
    fn counter(self) -> String {
        match self {
            IdSpace::System => Keys::id_counter("system"),
            IdSpace::Object(kind) => Keys::id_counter(kind.slug()),
            IdSpace::Group => Keys::id_counter("group"),
            IdSpace::Content(kind) => Keys::id_counter(kind.slug()),
        }
    }

    fn id(self, n: u64) -> Result<i32, IdentityError> {
        match self {
            IdSpace::System => cluster_system_id(n),
            IdSpace::Object(kind) => cluster_object_id(kind, n),
            IdSpace::Group | IdSpace::Content(_) => {
                i32::try_from(n).map_err(|_| IdentityError::Exhausted { kind: self.label() })
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            IdSpace::System => "system",
            IdSpace::Object(kind) => kind.label(),
            IdSpace::Group => "group",
            IdSpace::Content(kind) => kind.label(),
        }
    }
}

impl IdentityMap {
    /// One allocation attempt: takes the next id of `space` and, in the same
    /// transaction, writes what `build` returns for it. `Ok(None)` when one
    /// of `build`'s checks lost a race (another writer allocated the same
    /// local id or minion meanwhile): the caller re-reads and tries again.
    async fn try_allocate<F>(
        &self,
        space: IdSpace,
        mut build: F,
    ) -> Result<Option<i32>, IdentityError>
    where
        F: FnMut(i32) -> Result<Txn, StoreError>,
    {
        let counter = space.counter();
        let outcome = self
            .store
            .allocate_with(&counter, |n| {
                let id = space.id(n).map_err(|_| StoreError::CounterOverflow {
                    key: counter.clone().into_bytes(),
                })?;
                build(id)
            })
            .await;
        match outcome {
            Ok(Ok(n)) => space.id(n).map(Some),
            Ok(Err(_conflict)) => Ok(None),
            Err(StoreError::CounterOverflow { .. }) => Err(IdentityError::Exhausted {
                kind: space.label(),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

impl IdentityMap {
    /// The identity map in `store`.
    pub fn new(store: Store) -> IdentityMap {
        IdentityMap { store }
    }

    /// Where a cluster system id lives.
    pub async fn system(&self, cluster_id: i32) -> Result<Option<SystemIdentity>, IdentityError> {
        Ok(self.store.get_json(Keys::system(cluster_id)).await?)
    }

    /// A system's record with the bytes it was read from, for a
    /// transaction that checks it is unchanged.
    async fn system_read(
        &self,
        cluster_id: i32,
    ) -> Result<Option<(SystemIdentity, Vec<u8>)>, IdentityError> {
        let key = Keys::system(cluster_id);
        let Some(raw) = self.store.get(&key).await? else {
            return Ok(None);
        };
        let record = serde_json::from_slice(&raw)
            .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?;
        Ok(Some((record, raw)))
    }

    /// The cluster id of a node-local system id, if allocated.
    pub async fn system_by_local(
        &self,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::system_local(node, local_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// The cluster id of a minion, if allocated.
    pub async fn system_by_minion(&self, minion_id: &str) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::system_minion(minion_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// The cluster id for a system seen on `node` as `local_id`, allocating
    /// one when the map does not know it yet. When the minion id is given
    /// and already has a cluster id (the system moved to this node and
    /// registered anew), that id is rebound to the new node and local id:
    /// a system keeps its cluster id across moves.
    ///
    /// This is how a registration is taken (the node's agent reported it):
    /// the minion is where it registered last, whatever the director
    /// planned. What a listing shows goes through
    /// [`IdentityMap::system_seen`] instead.
    pub async fn system_for_local(
        &self,
        node: &str,
        local_id: i32,
        minion_id: Option<&str>,
        machine_id: Option<&str>,
    ) -> Result<i32, IdentityError> {
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.system_by_local(node, local_id).await? {
                let Some(minion) = minion_id else {
                    return Ok(id);
                };
                match self.system_by_minion(minion).await? {
                    Some(known) if known == id => return Ok(id),
                    // A listing without minion ids saw it here before its
                    // registration was reported, and gave it an id of its
                    // own: it is the system of its minion, moved here.
                    Some(_) => match self.system(id).await? {
                        Some(record) if record.minion_id.is_some() => return Ok(id),
                        Some(_) => {
                            self.forget_system(id).await?;
                            continue;
                        }
                        // Forgotten meanwhile (the same report handled twice).
                        None => continue,
                    },
                    // Listed before without its minion id: named now.
                    None => {
                        if self.try_name_minion(id, minion).await? {
                            return Ok(id);
                        }
                        continue;
                    }
                }
            }
            if let Some(minion) = minion_id
                && let Some(id) = self.system_by_minion(minion).await?
            {
                self.rebind_system(id, node, local_id).await?;
                return Ok(id);
            }
            // Registered there under the id of a copy another system left:
            // that copy is gone.
            if self.left_copy(node, local_id).await?.is_some() {
                self.forget_left_copy(node, local_id).await?;
                continue;
            }
            if let Some(id) = self
                .try_allocate_system(node, local_id, minion_id, machine_id)
                .await?
            {
                return Ok(id);
            }
        }
        Err(IdentityError::Contention {
            what: format!("system {local_id} on node {node}"),
        })
    }

    /// What a system that `node` lists as `local_id` is to the cluster.
    /// As [`IdentityMap::system_for_local`], except for a system the
    /// cluster holds on another node: a copy it left on `node` when it
    /// moved away, or a second copy of its minion there. Its cluster id
    /// moves to a local id `node` shows for the first time when the
    /// director places the minion there (the node it is moving to, or its
    /// owner with no move in flight) or places it nowhere (a system the
    /// director never placed follows the node that shows it under a new
    /// id). It moves back to a copy it left on `node` only once the
    /// director has settled the system there again (that node's report of
    /// the registration rebinds it sooner). Otherwise the copy is
    /// [`Sighting::LeftBehind`], recorded so that it is known again without
    /// its minion id.
    pub async fn system_seen(
        &self,
        node: &str,
        local_id: i32,
        minion_id: Option<&str>,
        machine_id: Option<&str>,
    ) -> Result<Sighting, IdentityError> {
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.system_by_local(node, local_id).await? {
                return Ok(Sighting::System(id));
            }
            if let Some(id) = self.left_copy(node, local_id).await? {
                match self.system_read(id).await? {
                    Some(read) if read.0.left.get(node) == Some(&local_id) => {
                        if self.copy_still_left(&read.0, node, local_id).await? {
                            return Ok(Sighting::LeftBehind(id));
                        }
                        if self.try_rebind(&read, node, local_id).await? {
                            return Ok(Sighting::System(id));
                        }
                        continue;
                    }
                    // A stale index entry (the record moved on): dropped,
                    // then the sighting is looked at afresh.
                    _ => {
                        self.forget_left_copy(node, local_id).await?;
                        continue;
                    }
                }
            }
            if let Some(minion) = minion_id
                && let Some(id) = self.system_by_minion(minion).await?
            {
                let Some(read) = self.system_read(id).await? else {
                    continue;
                };
                let here = read.0.node == node
                    || self.placement(Some(minion), node).await? != Placement::Elsewhere;
                // A new local id there: the minion registered there.
                let done = if here {
                    self.try_rebind(&read, node, local_id).await?
                } else {
                    self.try_mark_left(&read, node, local_id).await?
                };
                match (done, here) {
                    (false, _) => continue,
                    (true, true) => return Ok(Sighting::System(id)),
                    (true, false) => return Ok(Sighting::LeftBehind(id)),
                }
            }
            if let Some(id) = self
                .try_allocate_system(node, local_id, minion_id, machine_id)
                .await?
            {
                return Ok(Sighting::System(id));
            }
        }
        Err(IdentityError::Contention {
            what: format!("system {local_id} on node {node}"),
        })
    }

    /// One attempt to record `minion` as the minion of system `id`, which
    /// has none yet; `false` when another writer changed it meanwhile.
    async fn try_name_minion(&self, id: i32, minion: &str) -> Result<bool, IdentityError> {
        let Some((mut record, raw)) = self.system_read(id).await? else {
            return Ok(false);
        };
        if record.minion_id.as_deref() == Some(minion) {
            return Ok(true);
        }
        if record.minion_id.is_some() {
            // Another minion's system under this local id: left as it is.
            return Ok(true);
        }
        let key = Keys::system(id);
        let minion_key = Keys::system_minion(minion);
        record.minion_id = Some(minion.to_owned());
        let txn = Txn::new()
            .check(&key, Some(raw))
            .check(&minion_key, None)
            .put_json(&key, &record)?
            .put(minion_key, id.to_string());
        Ok(self.store.transact(txn).await?.is_ok())
    }

    /// One attempt to give system `local_id` of `node` a new cluster id;
    /// `None` when another writer bound the local id or the minion
    /// meanwhile.
    async fn try_allocate_system(
        &self,
        node: &str,
        local_id: i32,
        minion_id: Option<&str>,
        machine_id: Option<&str>,
    ) -> Result<Option<i32>, IdentityError> {
        let local_key = Keys::system_local(node, local_id);
        self.try_allocate(IdSpace::System, |id| {
            let record = SystemIdentity {
                cluster_id: id,
                node: node.to_owned(),
                local_id,
                minion_id: minion_id.map(str::to_owned),
                machine_id: machine_id.map(str::to_owned),
                left: BTreeMap::new(),
            };
            let mut txn = Txn::new()
                .check(&local_key, None)
                .check(Keys::system_left(node, local_id), None)
                .put_json(Keys::system(id), &record)?
                .put(&local_key, id.to_string());
            if let Some(minion) = minion_id {
                let key = Keys::system_minion(minion);
                txn = txn.check(&key, None).put(key, id.to_string());
            }
            Ok(txn)
        })
        .await
    }

    /// The cluster id of the system that left a copy on `node` as
    /// `local_id`, if the map knows one.
    pub async fn left_copy(&self, node: &str, local_id: i32) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::system_left(node, local_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// Whether the copy `from` holds as `old` may be deleted as one a move
    /// left behind: the map records it as a copy of a system whose cluster
    /// id is bound to node `to` as `new`, and the director has settled that
    /// system there (no move under way, not going back). The system's
    /// cluster id when it may.
    ///
    /// Deleting it loses nothing of the system's but what was set on that
    /// copy alone (`gateway carry-systems` carries that first); once the
    /// node reports the deletion ([`IdentityMap::forget_left_copy`]), the
    /// map forgets the copy.
    pub async fn releasable_copy(
        &self,
        from: &str,
        old: i32,
        to: &str,
        new: i32,
    ) -> Result<Result<i32, Unreleasable>, IdentityError> {
        let Some(id) = self.left_copy(from, old).await? else {
            return Ok(Err(Unreleasable::NotLeft));
        };
        let Some(record) = self.system(id).await? else {
            return Ok(Err(Unreleasable::NotLeft));
        };
        if record.left.get(from) != Some(&old) {
            return Ok(Err(Unreleasable::NotLeft));
        }
        if record.node != to || record.local_id != new {
            return Ok(Err(Unreleasable::BoundElsewhere {
                node: record.node,
                local_id: record.local_id,
                expected: format!("{to}/{new}"),
            }));
        }
        let client = match &record.minion_id {
            Some(minion) => self.store.get_json::<Client>(Keys::client(minion)).await?,
            None => None,
        };
        // Settled there as [`IdentityMap::placement`] has it.
        let (owner, moving_to) = client.map_or((None, None), |c| (c.owner, c.moving_to));
        Ok(match (owner, moving_to) {
            (Some(owner), None) if owner == to => Ok(id),
            (_, Some(moving)) => Err(Unreleasable::Moving { to: moving }),
            (Some(placed), None) => Err(Unreleasable::PlacedElsewhere {
                placed,
                bound: to.to_owned(),
            }),
            (None, None) => Err(Unreleasable::Unplaced {
                bound: to.to_owned(),
            }),
        })
    }

    /// Whether the copy `node` holds as `local_id`, which the index says
    /// system `id` left there, is still one (see
    /// [`IdentityMap::copy_still_left`]).
    async fn still_left(&self, node: &str, local_id: i32, id: i32) -> Result<bool, IdentityError> {
        match self.system(id).await? {
            Some(record) => self.copy_still_left(&record, node, local_id).await,
            None => Ok(false),
        }
    }

    /// Whether `record` still counts the copy `node` holds as `local_id` as
    /// left behind: it names it, and the director has not settled the
    /// system back on `node`. A profile the node kept from before is the
    /// system again once the move back is over (the node's report of the
    /// registration rebinds it sooner).
    async fn copy_still_left(
        &self,
        record: &SystemIdentity,
        node: &str,
        local_id: i32,
    ) -> Result<bool, IdentityError> {
        Ok(record.left.get(node) == Some(&local_id)
            && self.placement(record.minion_id.as_deref(), node).await? != Placement::Settled)
    }

    /// Where the director places `minion` with respect to `node`.
    async fn placement(
        &self,
        minion: Option<&str>,
        node: &str,
    ) -> Result<Placement, IdentityError> {
        let Some(minion) = minion else {
            return Ok(Placement::Nowhere);
        };
        let Some(client) = self.store.get_json::<Client>(Keys::client(minion)).await? else {
            return Ok(Placement::Nowhere);
        };
        // While it moves, its place is where it goes: the copy on the
        // node it leaves is the one left behind.
        Ok(match (client.owner, client.moving_to) {
            (_, Some(to)) if to == node => Placement::Arriving,
            (Some(owner), None) if owner == node => Placement::Settled,
            (None, None) => Placement::Nowhere,
            _ => Placement::Elsewhere,
        })
    }

    /// Reserves a cluster id for a client that is known before any node
    /// has registered it (a client agent checking in first). The record
    /// names the assigned node with local id 0 until the node reports the
    /// system, which [`IdentityMap::system_for_local`] then binds. Returns
    /// the existing id when the minion already has one.
    pub async fn reserve_system(
        &self,
        minion_id: &str,
        machine_id: Option<&str>,
        node: &str,
    ) -> Result<i32, IdentityError> {
        let minion_key = Keys::system_minion(minion_id);
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.system_by_minion(minion_id).await? {
                return Ok(id);
            }
            let allocated = self
                .try_allocate(IdSpace::System, |id| {
                    let record = SystemIdentity {
                        cluster_id: id,
                        node: node.to_owned(),
                        local_id: 0,
                        minion_id: Some(minion_id.to_owned()),
                        machine_id: machine_id.map(str::to_owned),
                        left: BTreeMap::new(),
                    };
                    Txn::new()
                        .check(&minion_key, None)
                        .put_json(Keys::system(id), &record)
                        .map(|t| t.put(&minion_key, id.to_string()))
                })
                .await?;
            if let Some(id) = allocated {
                return Ok(id);
            }
        }
        Err(IdentityError::Contention {
            what: format!("minion {minion_id}"),
        })
    }

    /// Reserves `count` consecutive cluster system ids at once (bulk
    /// onboarding) and returns the first. The caller writes the records.
    pub async fn reserve_system_block(&self, count: u32) -> Result<i32, IdentityError> {
        let first = self.reserve_block(IdSpace::System, count).await?;
        cluster_system_id(first)
    }

    /// Moves the counter of `space` on by `count` when the ids stay in
    /// range; returns the first value reserved.
    async fn reserve_block(&self, space: IdSpace, count: u32) -> Result<u64, IdentityError> {
        let key = space.counter();
        for _ in 0..ATTEMPTS {
            let current = self.store.get(&key).await?;
            let value: u64 = match &current {
                Some(raw) => serde_json::from_slice(raw)
                    .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?,
                None => 0,
            };
            let next = value + u64::from(count);
            space.id(next)?;
            let txn = Txn::new().check(&key, current).put(&key, next.to_string());
            if self.store.transact(txn).await?.is_ok() {
                return Ok(value + 1);
            }
        }
        Err(IdentityError::Contention {
            what: format!("the {} id counter", space.label()),
        })
    }

    /// What many systems listed by `node` are, in order: what
    /// [`IdentityMap::system_seen`] answers for each, with the look-ups
    /// batched (one scan of the node's index for many, and one of its left
    /// copies for those it lacks) and the new ids allocated in blocks,
    /// written [`BATCH`] to a transaction. A block whose transaction finds
    /// one of its ids taken meanwhile (another gateway) goes through the
    /// one-id path; its reserved ids stay unused. A left copy, and a
    /// system whose minion id the map knows already, go one by one, as in
    /// the one-id path.
    pub async fn systems_for_locals(
        &self,
        node: &str,
        seen: &[SeenSystem<'_>],
    ) -> Result<Vec<Sighting>, IdentityError> {
        let locals: Vec<i32> = seen.iter().map(|s| s.local_id).collect();
        let ids = self.local_index(node, &locals, Keys::system_local).await?;
        let unbound: Vec<i32> = seen
            .iter()
            .zip(&ids)
            .filter(|(_, id)| id.is_none())
            .map(|(s, _)| s.local_id)
            .collect();
        let left: HashMap<i32, i32> = self
            .local_index(node, &unbound, Keys::system_left)
            .await?
            .into_iter()
            .zip(&unbound)
            .filter_map(|(id, local)| id.map(|id| (*local, id)))
            .collect();
        let mut sightings: Vec<Option<Sighting>> =
            ids.iter().map(|id| id.map(Sighting::System)).collect();
        let mut first_of = HashMap::new();
        let mut minions = HashSet::new();
        let mut fresh = Vec::new();
        let mut one_by_one = Vec::new();
        let mut left_hits = Vec::new();
        for (i, s) in seen.iter().enumerate() {
            if ids[i].is_some() || *first_of.entry(s.local_id).or_insert(i) != i {
                continue;
            }
            if let Some(&id) = left.get(&s.local_id) {
                left_hits.push((i, id));
                continue;
            }
            match s.minion_id {
                Some(m) if !minions.insert(m) || self.system_by_minion(m).await?.is_some() => {
                    one_by_one.push(i);
                }
                _ => fresh.push(i),
            }
        }
        for chunk in fresh.chunks(BATCH) {
            let first = self.reserve_system_block(chunk.len() as u32).await?;
            let mut txn = Txn::new();
            for (n, &i) in chunk.iter().enumerate() {
                let s = seen[i];
                let id = first + n as i32;
                let record = SystemIdentity {
                    cluster_id: id,
                    node: node.to_owned(),
                    local_id: s.local_id,
                    minion_id: s.minion_id.map(str::to_owned),
                    machine_id: s.machine_id.map(str::to_owned),
                    left: BTreeMap::new(),
                };
                let local = Keys::system_local(node, s.local_id);
                txn = txn
                    .check(&local, None)
                    .check(Keys::system_left(node, s.local_id), None)
                    .put_json(Keys::system(id), &record)?
                    .put(&local, id.to_string());
                if let Some(minion) = s.minion_id {
                    let key = Keys::system_minion(minion);
                    txn = txn.check(&key, None).put(key, id.to_string());
                }
            }
            if self.store.transact(txn).await?.is_ok() {
                for (n, &i) in chunk.iter().enumerate() {
                    sightings[i] = Some(Sighting::System(first + n as i32));
                }
            } else {
                one_by_one.extend_from_slice(chunk);
            }
        }
        // Copies left behind, several at once (two reads each): they stay
        // copies unless the director settled the system back here.
        let still_left: Vec<_> = futures::stream::iter(left_hits)
            .map(|(i, id)| async move {
                let local = seen[i].local_id;
                Ok::<_, IdentityError>((i, self.still_left(node, local, id).await?))
            })
            .buffered(LEFT_AT_ONCE)
            .collect()
            .await;
        for outcome in still_left {
            match outcome? {
                (i, true) => sightings[i] = Some(Sighting::LeftBehind(left[&seen[i].local_id])),
                (i, false) => one_by_one.push(i),
            }
        }
        one_by_one.sort_unstable();
        for i in one_by_one {
            let s = seen[i];
            sightings[i] = Some(
                self.system_seen(node, s.local_id, s.minion_id, s.machine_id)
                    .await?,
            );
        }
        Ok(seen
            .iter()
            .enumerate()
            .map(|(i, s)| {
                sightings[i]
                    .or_else(|| first_of.get(&s.local_id).and_then(|&j| sightings[j]))
                    .unwrap_or(Sighting::System(0))
            })
            .collect())
    }

    /// The cluster ids of many actions or schedules (`kind`) seen on
    /// `node`, in order: what [`IdentityMap::object_for_local`] answers for
    /// each, batched as [`IdentityMap::systems_for_locals`] is.
    pub async fn objects_for_locals(
        &self,
        kind: ObjectKind,
        node: &str,
        locals: &[i32],
    ) -> Result<Vec<i32>, IdentityError> {
        let local_key = |node: &str, local: i32| object_local_key(kind, node, local);
        let mut ids = self.local_index(node, locals, local_key).await?;
        let mut first_of = HashMap::new();
        let mut fresh = Vec::new();
        for (i, local) in locals.iter().enumerate() {
            if ids[i].is_none() && *first_of.entry(*local).or_insert(i) == i {
                fresh.push(i);
            }
        }
        let space = IdSpace::Object(kind);
        for chunk in fresh.chunks(BATCH) {
            let first = self.reserve_block(space, chunk.len() as u32).await?;
            let mut txn = Txn::new();
            for (n, &i) in chunk.iter().enumerate() {
                let id = space.id(first + n as u64)?;
                let record = ObjectIdentity {
                    cluster_id: id,
                    node: node.to_owned(),
                    local_id: locals[i],
                    also: Vec::new(),
                };
                let local = local_key(node, locals[i]);
                txn = txn
                    .check(&local, None)
                    .put_json(object_key(kind, id), &record)?
                    .put(&local, id.to_string());
            }
            if self.store.transact(txn).await?.is_ok() {
                for (n, &i) in chunk.iter().enumerate() {
                    ids[i] = Some(space.id(first + n as u64)?);
                }
            } else {
                for &i in chunk {
                    ids[i] = Some(self.object_for_local(kind, node, locals[i]).await?);
                }
            }
        }
        Ok(locals
            .iter()
            .enumerate()
            .map(|(i, l)| {
                ids[i]
                    .or_else(|| first_of.get(l).and_then(|&j| ids[j]))
                    .unwrap_or_default()
            })
            .collect())
    }

    /// The cluster ids the index under `key(node, local)` holds for
    /// `locals`: one scan of the node's whole index for many, else one
    /// read each.
    async fn local_index(
        &self,
        node: &str,
        locals: &[i32],
        key: impl Fn(&str, i32) -> String,
    ) -> Result<Vec<Option<i32>>, IdentityError> {
        if locals.len() < SCAN_FROM {
            let mut ids = Vec::with_capacity(locals.len());
            for local in locals {
                ids.push(
                    self.store
                        .get(key(node, *local))
                        .await?
                        .as_deref()
                        .and_then(parse_id),
                );
            }
            return Ok(ids);
        }
        let any = key(node, 0);
        let prefix = &any[..any.rfind('/').map_or(0, |i| i + 1)];
        let index: HashMap<Vec<u8>, Vec<u8>> = self
            .store
            .scan_prefix(prefix, usize::MAX)
            .await?
            .into_iter()
            .collect();
        Ok(locals
            .iter()
            .map(|local| {
                index
                    .get(key(node, *local).as_bytes())
                    .and_then(|raw| parse_id(raw))
            })
            .collect())
    }

    /// Points a cluster system id at a new node and local id (the system
    /// moved), keeping the id. The old place becomes a copy the system
    /// left there ([`SystemIdentity::left`]) until that node deletes it.
    pub async fn rebind_system(
        &self,
        cluster_id: i32,
        node: &str,
        local_id: i32,
    ) -> Result<(), IdentityError> {
        for _ in 0..ATTEMPTS {
            let Some(read) = self.system_read(cluster_id).await? else {
                return Ok(());
            };
            if self.try_rebind(&read, node, local_id).await? {
                return Ok(());
            }
        }
        Err(IdentityError::Contention {
            what: format!("cluster system {cluster_id}"),
        })
    }

    /// One attempt to move `record` to `node` and `local_id`; `false` when
    /// another writer changed it meanwhile.
    async fn try_rebind(
        &self,
        (record, raw): &(SystemIdentity, Vec<u8>),
        node: &str,
        local_id: i32,
    ) -> Result<bool, IdentityError> {
        if record.node == node && record.local_id == local_id {
            return Ok(true);
        }
        let key = Keys::system(record.cluster_id);
        let id = record.cluster_id.to_string();
        let mut moved = record.clone();
        moved.node = node.to_owned();
        moved.local_id = local_id;
        // Nothing else bound there meanwhile (a listing's allocation).
        let mut txn = Txn::new()
            .check(&key, Some(raw.clone()))
            .check(Keys::system_local(node, local_id), None)
            .delete(Keys::system_local(&record.node, record.local_id));
        // Back on a node it had left: no longer a copy left there.
        if let Some(left) = moved.left.remove(node) {
            txn = txn.delete(Keys::system_left(node, left));
        }
        // A reserved id (local id 0) was never on its node.
        if record.local_id != 0 && record.node != node {
            if let Some(older) = moved.left.insert(record.node.clone(), record.local_id)
                && older != record.local_id
            {
                txn = txn.delete(Keys::system_left(&record.node, older));
            }
            txn = txn.put(Keys::system_left(&record.node, record.local_id), id.clone());
        }
        let txn = txn
            .put_json(&key, &moved)?
            .put(Keys::system_local(node, local_id), id);
        Ok(self.store.transact(txn).await?.is_ok())
    }

    /// One attempt to record that `node` holds a copy of `record`'s system
    /// as `local_id` that is not the system (see [`Sighting::LeftBehind`]);
    /// `false` when another writer changed the record meanwhile.
    async fn try_mark_left(
        &self,
        (record, raw): &(SystemIdentity, Vec<u8>),
        node: &str,
        local_id: i32,
    ) -> Result<bool, IdentityError> {
        if record.left.get(node) == Some(&local_id) {
            return Ok(true);
        }
        let key = Keys::system(record.cluster_id);
        let mut marked = record.clone();
        let mut txn = Txn::new()
            .check(&key, Some(raw.clone()))
            .check(Keys::system_local(node, local_id), None);
        if let Some(older) = marked.left.insert(node.to_owned(), local_id) {
            txn = txn.delete(Keys::system_left(node, older));
        }
        let txn = txn.put_json(&key, &marked)?.put(
            Keys::system_left(node, local_id),
            record.cluster_id.to_string(),
        );
        Ok(self.store.transact(txn).await?.is_ok())
    }

    /// Forgets the copy a system left on `node` as `local_id` (the node
    /// deleted it); the system's cluster id when there was one.
    pub async fn forget_left_copy(
        &self,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let left_key = Keys::system_left(node, local_id);
        for _ in 0..ATTEMPTS {
            let Some(id) = self.left_copy(node, local_id).await? else {
                return Ok(None);
            };
            let key = Keys::system(id);
            let mut txn = Txn::new().delete(&left_key);
            if let Some(raw) = self.store.get(&key).await? {
                let mut record: SystemIdentity = serde_json::from_slice(&raw)
                    .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?;
                if record.left.get(node) == Some(&local_id) {
                    record.left.remove(node);
                    txn = txn.check(&key, Some(raw)).put_json(&key, &record)?;
                }
            }
            if self.store.transact(txn).await?.is_ok() {
                return Ok(Some(id));
            }
        }
        Err(IdentityError::Contention {
            what: format!("the copy {local_id} left on node {node}"),
        })
    }

    /// Removes a cluster system id and its index entries (the system was
    /// deleted from the cluster).
    pub async fn forget_system(&self, cluster_id: i32) -> Result<(), IdentityError> {
        let key = Keys::system(cluster_id);
        let Some(raw) = self.store.get(&key).await? else {
            return Ok(());
        };
        let record: SystemIdentity = serde_json::from_slice(&raw)
            .map_err(|e| IdentityError::Store(StoreError::codec(key.as_bytes(), e)))?;
        let mut txn = Txn::new()
            .check(&key, Some(raw))
            .delete(&key)
            .delete(Keys::system_local(&record.node, record.local_id));
        if let Some(minion) = &record.minion_id {
            txn = txn.delete(Keys::system_minion(minion));
        }
        for (node, local) in &record.left {
            txn = txn.delete(Keys::system_left(node, *local));
        }
        self.store
            .transact(txn)
            .await?
            .map_err(|_| IdentityError::Contention {
                what: format!("cluster system {cluster_id}"),
            })
    }

    /// Where a cluster action or schedule id (`kind`) lives.
    pub async fn object(
        &self,
        kind: ObjectKind,
        cluster_id: i32,
    ) -> Result<Option<ObjectIdentity>, IdentityError> {
        Ok(self.store.get_json(object_key(kind, cluster_id)).await?)
    }

    /// The cluster id for an action or schedule (`kind`) seen on `node` as
    /// `local_id`, allocating one when unknown.
    pub async fn object_for_local(
        &self,
        kind: ObjectKind,
        node: &str,
        local_id: i32,
    ) -> Result<i32, IdentityError> {
        let local_key = object_local_key(kind, node, local_id);
        for _ in 0..ATTEMPTS {
            if let Some(raw) = self.store.get(&local_key).await?
                && let Some(id) = parse_id(&raw)
            {
                return Ok(id);
            }
            let allocated = self
                .try_allocate(IdSpace::Object(kind), |id| {
                    let record = ObjectIdentity {
                        cluster_id: id,
                        node: node.to_owned(),
                        local_id,
                        also: Vec::new(),
                    };
                    Txn::new()
                        .check(&local_key, None)
                        .put_json(object_key(kind, id), &record)
                        .map(|t| t.put(&local_key, id.to_string()))
                })
                .await?;
            if let Some(id) = allocated {
                return Ok(id);
            }
        }
        Err(IdentityError::Contention {
            what: format!("{} {local_id} on node {node}", kind.label()),
        })
    }

    /// Makes `others` parts of `first`, all of `kind`: one call made the
    /// same action or schedule on several nodes, and the client holds one
    /// id for it. Each other object's node-local index entry is pointed at
    /// `first`, in one transaction; the others' own records stay (an id
    /// already handed out still reaches its own part). `Ok(false)` when an
    /// object is unknown, already part of another, or changed meanwhile:
    /// nothing is written.
    pub async fn join_parts(
        &self,
        kind: ObjectKind,
        first: i32,
        others: &[i32],
    ) -> Result<bool, IdentityError> {
        let key = object_key(kind, first);
        let Some(raw) = self.store.get(&key).await? else {
            return Ok(false);
        };
        let mut record: ObjectIdentity =
            serde_json::from_slice(&raw).map_err(|e| StoreError::codec(key.as_bytes(), e))?;
        let mut txn = Txn::new().check(&key, Some(raw));
        for &other in others {
            let Some(part) = self.object(kind, other).await? else {
                return Ok(false);
            };
            if other == first
                || !part.also.is_empty()
                || record.parts().any(|(n, _)| n == part.node)
            {
                return Ok(false);
            }
            let local = object_local_key(kind, &part.node, part.local_id);
            txn = txn
                .check(&local, Some(other.to_string().into_bytes()))
                .put(&local, first.to_string());
            record.also.push(ObjectPart {
                node: part.node,
                local_id: part.local_id,
                own_id: Some(other),
            });
        }
        txn = txn.put_json(&key, &record)?;
        Ok(self.store.transact(txn).await?.is_ok())
    }

    /// Forgets the `kind` object `node` holds as `local_id`: it was
    /// deleted there. Its index entry goes; an object with parts on other
    /// nodes keeps its cluster id for them, one with no part left is
    /// forgotten. Answers the cluster id it had, `None` when the map never
    /// knew it (most deleted objects were never named through the cluster).
    pub async fn forget_object_part(
        &self,
        kind: ObjectKind,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let what = || format!("{} {local_id} on node {node}", kind.label());
        self.forget_indexed(
            &object_local_key(kind, node, local_id),
            |id| object_key(kind, id),
            what,
            |key, raw, txn| {
                let mut record: ObjectIdentity = serde_json::from_slice(raw)
                    .map_err(|e| StoreError::codec(key.as_bytes(), e))?;
                Ok(match record.remove_part(node, local_id) {
                    Remaining::Nothing => txn.delete(key),
                    Remaining::Parts { forget } => {
                        let txn = txn.put_json(key, &record)?;
                        match forget {
                            Some(own) => txn.delete(object_key(kind, own)),
                            None => txn,
                        }
                    }
                    // The index named a record that does not list the
                    // object: only the index entry goes.
                    Remaining::NotAPart => txn,
                })
            },
        )
        .await
    }

    /// Removes the index entry `local_key` of a deleted node-local id and,
    /// when it names a cluster id, lets `edit` change that id's record
    /// (under `record_key(id)`) in the same transaction, read again and
    /// retried when either changed meanwhile. Answers the cluster id the
    /// entry named; `None` when there was no entry.
    async fn forget_indexed(
        &self,
        local_key: &str,
        record_key: impl Fn(i32) -> String,
        what: impl Fn() -> String,
        edit: impl Fn(&str, &[u8], Txn) -> Result<Txn, IdentityError>,
    ) -> Result<Option<i32>, IdentityError> {
        for _ in 0..ATTEMPTS {
            let Some(indexed) = self.store.get(local_key).await? else {
                return Ok(None);
            };
            let id = parse_id(&indexed);
            let mut txn = Txn::new().check(local_key, Some(indexed)).delete(local_key);
            if let Some(id) = id {
                let key = record_key(id);
                let raw = self.store.get(&key).await?;
                if let Some(raw) = &raw {
                    txn = edit(&key, raw, txn)?;
                }
                txn = txn.check(&key, raw);
            }
            if self.store.transact(txn).await?.is_ok() {
                return Ok(id);
            }
        }
        Err(IdentityError::Contention { what: what() })
    }
}

/// What [`IdentityMap::group_for_local`] writes for a group seen on a node.
enum GroupChange {
    /// The group is known by its name: the node's part is added to it, or
    /// replaces the node's old part (the group was deleted and made again
    /// there: a name names one group of an organization at a time).
    Part(Vec<u8>, GroupIdentity),
    /// A new group: allocate its cluster id.
    New,
}

impl IdentityMap {
    /// Where a cluster system group id lives.
    pub async fn group(&self, cluster_id: i32) -> Result<Option<GroupIdentity>, IdentityError> {
        Ok(self.store.get_json(Keys::group(cluster_id)).await?)
    }

    /// The cluster id of the system group `node` calls `local_id`, when the
    /// map has seen it.
    pub async fn group_by_local(
        &self,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let raw = self.store.get(Keys::group_local(node, local_id)).await?;
        Ok(raw.as_deref().and_then(parse_id))
    }

    /// The cluster id of the system group `node` calls `local_id`, known to
    /// belong to organization `org_id` under `name`: the id of the group of
    /// that organization and name, with this node's part recorded, or a new
    /// one. Two writers seeing the same group at once agree on one id.
    pub async fn group_for_local(
        &self,
        node: &str,
        local_id: i32,
        org_id: i32,
        name: &str,
    ) -> Result<i32, IdentityError> {
        let local_key = Keys::group_local(node, local_id);
        let name_key = Keys::group_name(org_id, name);
        for _ in 0..ATTEMPTS {
            if let Some(id) = self
                .store
                .get(&local_key)
                .await?
                .as_deref()
                .and_then(parse_id)
            {
                return Ok(id);
            }
            let named = self.store.get(&name_key).await?;
            let change = match named.as_deref().and_then(parse_id) {
                Some(id) => {
                    let key = Keys::group(id);
                    let Some(raw) = self.store.get(&key).await? else {
                        // Being forgotten meanwhile: read again.
                        continue;
                    };
                    let record: GroupIdentity = serde_json::from_slice(&raw)
                        .map_err(|e| StoreError::codec(key.as_bytes(), e))?;
                    GroupChange::Part(raw, record)
                }
                None => GroupChange::New,
            };
            let part = ObjectPart {
                node: node.to_owned(),
                local_id,
                own_id: None,
            };
            let written = match change {
                GroupChange::Part(raw, mut record) => {
                    let id = record.cluster_id;
                    let key = Keys::group(id);
                    let mut txn = Txn::new()
                        .check(&key, Some(raw))
                        .check(&local_key, None)
                        .check(&name_key, named);
                    if let Some(old) = record.local_on(node) {
                        txn = txn.delete(Keys::group_local(node, old));
                    }
                    record.parts.retain(|p| p.node != node);
                    record.parts.push(part);
                    txn = txn.put_json(&key, &record)?.put(&local_key, id.to_string());
                    self.store.transact(txn).await?.is_ok().then_some(id)
                }
                GroupChange::New => {
                    self.try_allocate(IdSpace::Group, |id| {
                        let record = GroupIdentity {
                            cluster_id: id,
                            org_id,
                            name: name.to_owned(),
                            parts: vec![part.clone()],
                        };
                        Txn::new()
                            .check(&local_key, None)
                            .check(&name_key, None)
                            .put_json(Keys::group(id), &record)
                            .map(|t| {
                                t.put(&local_key, id.to_string())
                                    .put(&name_key, id.to_string())
                            })
                    })
                    .await?
                }
            };
            if let Some(id) = written {
                return Ok(id);
            }
        }
        Err(IdentityError::Contention {
            what: format!("system group {local_id} on node {node}"),
        })
    }

    /// Forgets the system group of organization `org_id` called `name`
    /// (it was deleted from every node): its record and indexes go, so a
    /// group made later under the same name gets a new cluster id, as a
    /// server gives it a new id. Answers the record forgotten.
    pub async fn forget_group(
        &self,
        org_id: i32,
        name: &str,
    ) -> Result<Option<GroupIdentity>, IdentityError> {
        let name_key = Keys::group_name(org_id, name);
        for _ in 0..ATTEMPTS {
            let Some(named) = self.store.get(&name_key).await? else {
                return Ok(None);
            };
            let mut txn = Txn::new()
                .check(&name_key, Some(named.clone()))
                .delete(&name_key);
            let mut forgotten = None;
            if let Some(id) = parse_id(&named) {
                let key = Keys::group(id);
                let raw = self.store.get(&key).await?;
                if let Some(raw) = &raw {
                    let record: GroupIdentity = serde_json::from_slice(raw)
                        .map_err(|e| StoreError::codec(key.as_bytes(), e))?;
                    for p in &record.parts {
                        txn = txn.delete(Keys::group_local(&p.node, p.local_id));
                    }
                    forgotten = Some(record);
                }
                txn = txn.check(&key, raw).delete(&key);
            }
            if self.store.transact(txn).await?.is_ok() {
                return Ok(forgotten);
            }
        }
        Err(IdentityError::Contention {
            what: format!("system group {name}"),
        })
    }
}

/// Shared content as a node shows it, for
/// [`IdentityMap::content_for_locals`]: the node's id for it, and what it
/// is on every node ([`PackageName`], an erratum's advisory name, a
/// channel's label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenContent<'a, N: ?Sized> {
    /// Its id on the node.
    pub local_id: i32,
    /// What it is, on every node.
    pub content: &'a N,
}

/// A package as a node shows it.
pub type SeenPackage<'a> = SeenContent<'a, PackageName>;

/// An erratum as a node shows it: by its advisory name.
pub type SeenErratum<'a> = SeenContent<'a, str>;

/// The record of shared content every node numbers on its own (packages,
/// errata, software channels, repositories, content filters,
/// configuration channels, source packages): one cluster
/// id per content, keyed by what the content is, with each node's id for
/// it as a part. The identity map binds them alike
/// ([`IdentityMap::content_for_locals`]). Sealed: the records are the
/// map's.
pub trait SharedRecord: sealed::Sealed + Serialize + DeserializeOwned {
    /// What the content is on every node.
    type Content: ?Sized + Eq + Hash;
    /// Which content.
    const KIND: ContentKind;
    /// Whether a node holds at most one content of a name at a time (a
    /// channel label is unique on a server): an id a node newly shows
    /// under a name the map knows replaces the node's part, the old one
    /// having been deleted. Else (packages, errata: two organizations may
    /// hold one each) the first id seen stays the part and the later ones
    /// are only indexed.
    const ONE_PER_NODE: bool;
    /// The record's key.
    fn key(cluster_id: i32) -> String;
    /// A node's index key.
    fn local_key(node: &str, local_id: i32) -> String;
    /// The content's index key.
    fn content_key(content: &Self::Content) -> String;
    /// A new record, without parts.
    fn new(cluster_id: i32, content: &Self::Content) -> Self;
    /// What the content is.
    fn content(&self) -> &Self::Content;
    /// Names it anew (a repository relabelled).
    fn set_content(&mut self, content: &Self::Content);
    /// Its cluster id.
    fn cluster_id(&self) -> i32;
    /// Each node's id for it.
    fn parts(&self) -> &[ObjectPart];
    /// Each node's id for it, to change.
    fn parts_mut(&mut self) -> &mut Vec<ObjectPart>;
    /// Its id on `node`, when known.
    fn local_on(&self, node: &str) -> Option<i32> {
        ObjectPart::local_on(self.parts(), node)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::model::PackageIdentity {}
    impl Sealed for crate::model::ErratumIdentity {}
    impl Sealed for crate::model::ChannelIdentity {}
    impl Sealed for crate::model::RepositoryIdentity {}
    impl Sealed for crate::model::ContentFilterIdentity {}
    impl Sealed for crate::model::ConfigChannelIdentity {}
    impl Sealed for crate::model::SourcePackageIdentity {}
}

impl ContentKind {
    fn space(self) -> IdSpace {
        IdSpace::Content(self)
    }

    /// For messages, one: `package`, `erratum`, `channel`, ...
    fn label(self) -> &'static str {
        self.names().0
    }

    /// For messages, several: `packages`, `errata`, `channels`, ...
    fn plural(self) -> &'static str {
        self.names().1
    }

    /// One and several.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            ContentKind::Package => ("package", "packages"),
            ContentKind::Erratum => ("erratum", "errata"),
            ContentKind::Channel => ("channel", "channels"),
            ContentKind::Repository => ("repository", "repositories"),
            ContentKind::ContentFilter => ("content filter", "content filters"),
            ContentKind::ConfigChannel => ("configuration channel", "configuration channels"),
            ContentKind::SourcePackage => ("source package", "source packages"),
        }
    }
}

impl SharedRecord for PackageIdentity {
    type Content = PackageName;
    const KIND: ContentKind = ContentKind::Package;
    const ONE_PER_NODE: bool = false;
    fn key(cluster_id: i32) -> String {
        Keys::package(cluster_id)
    }
    fn local_key(node: &str, local_id: i32) -> String {
        Keys::package_local(node, local_id)
    }
    fn content_key(content: &PackageName) -> String {
        Keys::package_name(&content.key())
    }
    fn new(cluster_id: i32, content: &PackageName) -> Self {
        PackageIdentity {
            cluster_id,
            package: content.clone(),
            parts: Vec::new(),
        }
    }
    fn content(&self) -> &PackageName {
        &self.package
    }
    fn set_content(&mut self, content: &PackageName) {
        content.clone_into(&mut self.package);
    }
    fn cluster_id(&self) -> i32 {
        self.cluster_id
    }
    fn parts(&self) -> &[ObjectPart] {
        &self.parts
    }
    fn parts_mut(&mut self) -> &mut Vec<ObjectPart> {
        &mut self.parts
    }
}

/// [`SharedRecord`] for a record of content named by one string (`$name`),
/// under the keys `$key`, `$local_key` and `$name_key` of [`Keys`];
/// `$one` is [`SharedRecord::ONE_PER_NODE`].
macro_rules! named_record {
    ($record:ident, $kind:ident, $name:ident, $one:literal, $key:ident, $local_key:ident, $name_key:ident) => {
        impl SharedRecord for $record {
            type Content = str;
            const KIND: ContentKind = ContentKind::$kind;
            const ONE_PER_NODE: bool = $one;
            fn key(cluster_id: i32) -> String {
                Keys::$key(cluster_id)
            }
            fn local_key(node: &str, local_id: i32) -> String {
                Keys::$local_key(node, local_id)
            }
            fn content_key(name: &str) -> String {
                Keys::$name_key(name)
            }
            fn new(cluster_id: i32, name: &str) -> Self {
                $record {
                    cluster_id,
                    $name: name.to_owned(),
                    parts: Vec::new(),
                }
            }
            fn content(&self) -> &str {
                &self.$name
            }
            fn set_content(&mut self, name: &str) {
                name.clone_into(&mut self.$name);
            }
            fn cluster_id(&self) -> i32 {
                self.cluster_id
            }
            fn parts(&self) -> &[ObjectPart] {
                &self.parts
            }
            fn parts_mut(&mut self) -> &mut Vec<ObjectPart> {
                &mut self.parts
            }
        }
    };
}

named_record!(
    ErratumIdentity,
    Erratum,
    advisory,
    false,
    erratum,
    erratum_local,
    erratum_name
);
named_record!(
    ChannelIdentity,
    Channel,
    label,
    true,
    channel,
    channel_local,
    channel_label
);
named_record!(
    RepositoryIdentity,
    Repository,
    label,
    true,
    repository,
    repository_local,
    repository_label
);
named_record!(
    ContentFilterIdentity,
    ContentFilter,
    name,
    true,
    content_filter,
    content_filter_local,
    content_filter_name
);
named_record!(
    ConfigChannelIdentity,
    ConfigChannel,
    label,
    true,
    config_channel,
    config_channel_local,
    config_channel_label
);
named_record!(
    SourcePackageIdentity,
    SourcePackage,
    name,
    true,
    source_package,
    source_package_local,
    source_package_name
);

/// Shared content ([`PackageIdentity`], [`ErratumIdentity`],
/// [`ChannelIdentity`]): one cluster id per package (name, epoch, version,
/// release, architecture), erratum (advisory name) or software channel
/// (label), each node's id for it a part.
impl IdentityMap {
    /// The record of cluster id `cluster_id`.
    pub async fn content<R: SharedRecord>(
        &self,
        cluster_id: i32,
    ) -> Result<Option<R>, IdentityError> {
        Ok(self.store.get_json(R::key(cluster_id)).await?)
    }

    /// The cluster ids of the content `node` calls `locals`, where the map
    /// has seen it.
    pub async fn content_by_local<R: SharedRecord>(
        &self,
        node: &str,
        locals: &[i32],
    ) -> Result<Vec<Option<i32>>, IdentityError> {
        self.local_index(node, locals, R::local_key).await
    }

    /// Forgets `node`'s part of the `kind` content it holds as `local_id`:
    /// the node deleted it (a channel removed, an orphan cleaned up). Its
    /// index entry goes, and the part when it is that id. The record
    /// stays, with the parts of other nodes: the cluster id keeps naming
    /// the content, and a node that syncs it again is bound to
    /// it under its new id. Answers the cluster id it had, `None` when the
    /// map never knew it.
    pub async fn forget_content_part(
        &self,
        kind: ContentKind,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        match kind {
            ContentKind::Package => self.forget_part::<PackageIdentity>(node, local_id).await,
            ContentKind::Erratum => self.forget_part::<ErratumIdentity>(node, local_id).await,
            ContentKind::Channel => self.forget_part::<ChannelIdentity>(node, local_id).await,
            ContentKind::Repository => self.forget_part::<RepositoryIdentity>(node, local_id).await,
            ContentKind::ContentFilter => {
                self.forget_part::<ContentFilterIdentity>(node, local_id)
                    .await
            }
            ContentKind::ConfigChannel => {
                self.forget_part::<ConfigChannelIdentity>(node, local_id)
                    .await
            }
            ContentKind::SourcePackage => {
                self.forget_part::<SourcePackageIdentity>(node, local_id)
                    .await
            }
        }
    }

    async fn forget_part<R: SharedRecord>(
        &self,
        node: &str,
        local_id: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let what = || format!("{} {local_id} on node {node}", R::KIND.space().label());
        self.forget_indexed(
            &R::local_key(node, local_id),
            R::key,
            what,
            |key, raw, txn| {
                let mut record: R = serde_json::from_slice(raw)
                    .map_err(|e| StoreError::codec(key.as_bytes(), e))?;
                let parts = record.parts_mut();
                let before = parts.len();
                parts.retain(|p| !(p.node == node && p.local_id == local_id));
                Ok(if parts.len() != before {
                    txn.put_json(key, &record)?
                } else {
                    txn
                })
            },
        )
        .await
    }

    /// The cluster ids of the content seen on `node`, in order: each the
    /// id of that content, with this node's id recorded, or a
    /// new one. Look-ups are batched (one scan of the node's index for
    /// many) and the content new to the cluster gets its ids in blocks,
    /// [`BATCH`] seen items to a transaction. Two writers seeing one item at once agree on one id: a
    /// transaction that finds its keys changed is read again and retried.
    pub async fn content_for_locals<R: SharedRecord>(
        &self,
        node: &str,
        seen: &[SeenContent<'_, R::Content>],
    ) -> Result<Vec<i32>, IdentityError> {
        let locals: Vec<i32> = seen.iter().map(|s| s.local_id).collect();
        let mut ids = self.local_index(node, &locals, R::local_key).await?;
        let mut first_of = HashMap::new();
        for (i, local) in locals.iter().enumerate() {
            first_of.entry(*local).or_insert(i);
        }
        for _ in 0..ATTEMPTS {
            let fresh: Vec<usize> = (0..seen.len())
                .filter(|&i| ids[i].is_none() && first_of[&locals[i]] == i)
                .collect();
            if fresh.is_empty() {
                return Ok(locals
                    .iter()
                    .enumerate()
                    .map(|(i, l)| ids[i].or(ids[first_of[l]]).unwrap_or_default())
                    .collect());
            }
            let mut lost = false;
            for chunk in fresh.chunks(BATCH) {
                lost |= !self.bind_content::<R>(node, seen, chunk, &mut ids).await?;
            }
            if lost {
                // Another writer got there first: take what it wrote.
                let known = self.local_index(node, &locals, R::local_key).await?;
                for (id, k) in ids.iter_mut().zip(known) {
                    *id = id.or(k);
                }
            }
        }
        Err(IdentityError::Contention {
            what: format!("{} on node {node}", R::KIND.plural()),
        })
    }

    /// Names the content of cluster id `cluster_id` anew: a node answered
    /// one of its ids under `content` (a repository relabelled, a filter
    /// renamed). The name index follows: the old name no longer leads
    /// here, and the new one does (taken from whatever record held it,
    /// which keeps its node indexes). Answers `false` when the map has no
    /// such record; a record already so named is left as it is.
    pub async fn rename_content<R: SharedRecord>(
        &self,
        cluster_id: i32,
        content: &R::Content,
    ) -> Result<bool, IdentityError> {
        let key = R::key(cluster_id);
        for _ in 0..ATTEMPTS {
            let Some(raw) = self.store.get(&key).await? else {
                return Ok(false);
            };
            let mut record: R =
                serde_json::from_slice(&raw).map_err(|e| StoreError::codec(key.as_bytes(), e))?;
            if record.content() == content {
                return Ok(true);
            }
            let old_key = R::content_key(record.content());
            let new_key = R::content_key(content);
            let old = self.store.get(&old_key).await?;
            let new = self.store.get(&new_key).await?;
            record.set_content(content);
            let mut txn = Txn::new()
                .check(&key, Some(raw))
                .put_json(&key, &record)?
                .check(&new_key, new)
                .put(&new_key, cluster_id.to_string());
            if old.as_deref().and_then(parse_id) == Some(cluster_id) {
                txn = txn.check(&old_key, old).delete(&old_key);
            }
            if self.store.transact(txn).await?.is_ok() {
                return Ok(true);
            }
        }
        Err(IdentityError::Contention {
            what: format!("{} {cluster_id}", R::KIND.space().label()),
        })
    }

    /// One transaction binding the content `seen[i]` (`i` in `chunk`, none
    /// indexed on `node` yet) to cluster ids, into `ids`. `false` when a
    /// key it read changed meanwhile.
    async fn bind_content<R: SharedRecord>(
        &self,
        node: &str,
        seen: &[SeenContent<'_, R::Content>],
        chunk: &[usize],
        ids: &mut [Option<i32>],
    ) -> Result<bool, IdentityError> {
        let mut txn = Txn::new();
        // Each item's record, as this transaction leaves it.
        let mut records: HashMap<&R::Content, R> = HashMap::new();
        let mut new = Vec::new();
        for &i in chunk {
            let content = seen[i].content;
            if records.contains_key(content) || new.contains(&content) {
                continue;
            }
            let content_key = R::content_key(content);
            let named = self.store.get(&content_key).await?;
            let Some(id) = named.as_deref().and_then(parse_id) else {
                new.push(content);
                continue;
            };
            let key = R::key(id);
            let Some(raw) = self.store.get(&key).await? else {
                return Ok(false);
            };
            let record: R =
                serde_json::from_slice(&raw).map_err(|e| StoreError::codec(key.as_bytes(), e))?;
            txn = txn.check(&content_key, named).check(&key, Some(raw));
            records.insert(content, record);
        }
        if !new.is_empty() {
            let first = self
                .reserve_block(R::KIND.space(), new.len() as u32)
                .await?;
            for (n, content) in new.into_iter().enumerate() {
                let id = R::KIND.space().id(first + n as u64)?;
                let content_key = R::content_key(content);
                txn = txn
                    .check(&content_key, None)
                    .put(&content_key, id.to_string());
                records.insert(content, R::new(id, content));
            }
        }
        for &i in chunk {
            let SeenContent { local_id, content } = seen[i];
            let record = records
                .get_mut(content)
                .expect("every item of the chunk has a record");
            let local_key = R::local_key(node, local_id);
            txn = txn
                .check(&local_key, None)
                .put(&local_key, record.cluster_id().to_string());
            let parts = record.parts_mut();
            match parts.iter_mut().find(|p| p.node == node) {
                None => parts.push(ObjectPart {
                    node: node.to_owned(),
                    local_id,
                    own_id: None,
                }),
                // The node deleted what it held under this name and made
                // it anew.
                Some(part) if R::ONE_PER_NODE => part.local_id = local_id,
                Some(_) => {}
            }
        }
        for record in records.values() {
            txn = txn.put_json(R::key(record.cluster_id()), record)?;
        }
        if self.store.transact(txn).await?.is_err() {
            return Ok(false);
        }
        for &i in chunk {
            ids[i] = records.get(seen[i].content).map(|r| r.cluster_id());
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn ids_are_allocated_once_and_survive_moves() {
        let map = IdentityMap::new(Store::memory());
        let a = map
            .system_for_local("n1", 1_000_010_000, Some("m1"), None)
            .await
            .unwrap();
        assert_eq!(a, FIRST_CLUSTER_SYSTEM_ID);
        assert_eq!(
            map.system_for_local("n1", 1_000_010_000, Some("m1"), None)
                .await
                .unwrap(),
            a
        );
        let b = map
            .system_for_local("n2", 1_000_010_000, Some("m2"), None)
            .await
            .unwrap();
        assert_ne!(a, b, "equal local ids on two nodes get two cluster ids");
        // m1 registers on n2 after a move: same cluster id, new home.
        let moved = map
            .system_for_local("n2", 1_000_010_001, Some("m1"), None)
            .await
            .unwrap();
        assert_eq!(moved, a);
        let record = map.system(a).await.unwrap().unwrap();
        assert_eq!(
            (record.node.as_str(), record.local_id),
            ("n2", 1_000_010_001)
        );
        assert_eq!(
            map.system_by_local("n1", 1_000_010_000).await.unwrap(),
            None
        );
        assert_eq!(
            map.left_copy("n1", 1_000_010_000).await.unwrap(),
            Some(a),
            "the old node's copy is known as one left behind"
        );
        map.forget_system(a).await.unwrap();
        assert_eq!(map.system(a).await.unwrap(), None);
        assert_eq!(map.system_by_minion("m1").await.unwrap(), None);
        assert_eq!(map.left_copy("n1", 1_000_010_000).await.unwrap(), None);
    }

    /// A client record placing `minion` on `owner`, moving to `to`.
    async fn place(store: &Store, minion: &str, owner: &str, to: Option<&str>) {
        let client = Client {
            minion_id: minion.to_owned(),
            fingerprint: None,
            machine_id: None,
            zone: "z".to_owned(),
            status: crate::model::ClientStatus::Onboarded,
            owner: Some(owner.to_owned()),
            moving_to: to.map(str::to_owned),
            move_id: to.map(|_| 1),
            cluster_id: 0,
            local_ids: Default::default(),
            created: 0,
            updated: 0,
            last_checkin: None,
        };
        store.put_json(Keys::client(minion), &client).await.unwrap();
    }

    #[tokio::test]
    async fn a_copy_left_on_an_old_node_never_takes_the_systems_id() {
        let store = Store::memory();
        let map = IdentityMap::new(store.clone());
        let seen = |node, local, minion| {
            let map = map.clone();
            async move { map.system_seen(node, local, minion, None).await.unwrap() }
        };
        place(&store, "m1", "n1", None).await;
        let Sighting::System(id) = seen("n1", 10, Some("m1")).await else {
            panic!("a new system");
        };
        // The director moves it to n2; it registers there, n1 keeps its copy.
        place(&store, "m1", "n1", Some("n2")).await;
        assert_eq!(seen("n2", 20, Some("m1")).await, Sighting::System(id));
        for minion in [Some("m1"), None] {
            assert_eq!(seen("n1", 10, minion).await, Sighting::LeftBehind(id));
        }
        place(&store, "m1", "n2", None).await;
        assert_eq!(seen("n1", 10, Some("m1")).await, Sighting::LeftBehind(id));
        assert_eq!(seen("n2", 20, None).await, Sighting::System(id));
        // A copy of the minion on a node it never was on is not it either,
        // and is known again without the minion id.
        assert_eq!(seen("n3", 30, Some("m1")).await, Sighting::LeftBehind(id));
        assert_eq!(seen("n3", 30, None).await, Sighting::LeftBehind(id));
        let record = map.system(id).await.unwrap().unwrap();
        assert_eq!((record.node.as_str(), record.local_id), ("n2", 20));
        assert_eq!(record.left, [("n1".into(), 10), ("n3".into(), 30)].into());

        // A listing answers the same, in batches of both sizes.
        for count in [3, 400] {
            let mut locals = vec![10, 30];
            locals.extend((0..count).map(|i| 1_000 + i));
            let listed: Vec<SeenSystem<'_>> = locals
                .iter()
                .map(|&local_id| SeenSystem {
                    local_id,
                    minion_id: None,
                    machine_id: None,
                })
                .collect();
            let node = if count == 3 { "n1" } else { "n3" };
            let sightings = map.systems_for_locals(node, &listed).await.unwrap();
            let expected = if node == "n1" { 0 } else { 1 };
            assert_eq!(sightings[expected], Sighting::LeftBehind(id), "{count}");
            assert!(sightings[2..].iter().all(|s| !s.is_left_behind()));
        }

        // The director moves it back to n1, whose old profile the minion
        // will register with again: not the system before the move is over.
        place(&store, "m1", "n2", Some("n1")).await;
        assert_eq!(seen("n1", 10, None).await, Sighting::LeftBehind(id));
        assert_eq!(seen("n2", 20, None).await, Sighting::System(id));
        place(&store, "m1", "n1", None).await;
        assert_eq!(seen("n1", 10, None).await, Sighting::System(id));
        assert_eq!(seen("n2", 20, None).await, Sighting::LeftBehind(id));
        let record = map.system(id).await.unwrap().unwrap();
        assert_eq!((record.node.as_str(), record.local_id), ("n1", 10));
        assert_eq!(record.left, [("n2".into(), 20), ("n3".into(), 30)].into());

        // n3 deletes its copy.
        assert_eq!(map.forget_left_copy("n3", 30).await.unwrap(), Some(id));
        assert_eq!(map.left_copy("n3", 30).await.unwrap(), None);
        let record = map.system(id).await.unwrap().unwrap();
        assert_eq!(record.left, [("n2".into(), 20)].into());
        assert_eq!(map.forget_left_copy("n3", 30).await.unwrap(), None);

        // A system the director never placed follows the node that shows
        // it under a new id, and does not flip back to a copy it left.
        let Sighting::System(free) = seen("n1", 1, Some("m9")).await else {
            panic!("a new system");
        };
        assert_eq!(seen("n2", 2, Some("m9")).await, Sighting::System(free));
        assert_eq!(seen("n1", 1, Some("m9")).await, Sighting::LeftBehind(free));
        assert_eq!(seen("n2", 2, Some("m9")).await, Sighting::System(free));
    }

    /// Only a copy the map records as left, of a system bound where the
    /// caller holds it and settled there, may be deleted.
    #[tokio::test]
    async fn a_copy_may_be_deleted_only_once_its_system_settled_where_it_went() {
        let store = Store::memory();
        let map = IdentityMap::new(store.clone());
        place(&store, "m1", "n1", None).await;
        let Sighting::System(id) = map.system_seen("n1", 10, Some("m1"), None).await.unwrap()
        else {
            panic!("a new system");
        };
        let releasable = |from, old, to, new| {
            let map = map.clone();
            async move { map.releasable_copy(from, old, to, new).await.unwrap() }
        };
        // Not moved yet: n1's profile is the system.
        assert_eq!(
            releasable("n1", 10, "n2", 20).await,
            Err(Unreleasable::NotLeft)
        );
        place(&store, "m1", "n1", Some("n2")).await;
        map.system_seen("n2", 20, Some("m1"), None).await.unwrap();
        // Registered on n2, the move not over yet.
        assert_eq!(
            releasable("n1", 10, "n2", 20).await,
            Err(Unreleasable::Moving { to: "n2".into() })
        );
        place(&store, "m1", "n2", None).await;
        assert_eq!(releasable("n1", 10, "n2", 20).await, Ok(id));
        // The caller's idea of the new copy is not the map's.
        assert_eq!(
            releasable("n1", 10, "n2", 21).await,
            Err(Unreleasable::BoundElsewhere {
                node: "n2".into(),
                local_id: 20,
                expected: "n2/21".into()
            })
        );
        assert_eq!(
            releasable("n1", 11, "n2", 20).await,
            Err(Unreleasable::NotLeft)
        );
        // On its way back to n1: its old profile there is to be the system.
        place(&store, "m1", "n2", Some("n1")).await;
        assert_eq!(
            releasable("n1", 10, "n2", 20).await,
            Err(Unreleasable::Moving { to: "n1".into() })
        );
        // Placed back on n1 while bound to n2 (its registration on n1 not
        // reported yet, or n2's registration was by hand).
        place(&store, "m1", "n1", None).await;
        let back = releasable("n1", 10, "n2", 20).await;
        assert_eq!(
            back,
            Err(Unreleasable::PlacedElsewhere {
                placed: "n1".into(),
                bound: "n2".into()
            })
        );
        assert_eq!(
            back.unwrap_err().to_string(),
            "the director places the system on node n1, not on n2 where it registered (by hand, \
             or a move that failed): it goes back"
        );
        // Its client gone: nothing confirms where it lives.
        store.delete(Keys::client("m1")).await.unwrap();
        assert_eq!(
            releasable("n1", 10, "n2", 20).await,
            Err(Unreleasable::Unplaced { bound: "n2".into() })
        );
        // Forgotten: no longer a copy.
        place(&store, "m1", "n2", None).await;
        assert_eq!(releasable("n1", 10, "n2", 20).await, Ok(id));
        map.forget_left_copy("n1", 10).await.unwrap();
        assert_eq!(
            releasable("n1", 10, "n2", 20).await,
            Err(Unreleasable::NotLeft)
        );
    }

    #[tokio::test]
    async fn a_registration_binds_what_a_listing_saw_without_its_minion() {
        let map = IdentityMap::new(Store::memory());
        let moved = map
            .system_for_local("n1", 10, Some("m1"), None)
            .await
            .unwrap();
        // The minion registered on n2; a listing there (no minion ids)
        // sees it before the registration is reported.
        let Sighting::System(early) = map.system_seen("n2", 20, None, None).await.unwrap() else {
            panic!("a system");
        };
        assert_ne!(early, moved);
        assert_eq!(
            map.system_for_local("n2", 20, Some("m1"), None)
                .await
                .unwrap(),
            moved,
            "the registration keeps the system's id"
        );
        assert_eq!(map.system(early).await.unwrap(), None);
        assert_eq!(map.system_by_local("n2", 20).await.unwrap(), Some(moved));
        assert_eq!(map.left_copy("n1", 10).await.unwrap(), Some(moved));
        // A new system listed before its registration gets its minion then.
        let new = map
            .system_seen("n3", 5, None, None)
            .await
            .unwrap()
            .cluster_id();
        assert_eq!(
            map.system_for_local("n3", 5, Some("m5"), None)
                .await
                .unwrap(),
            new
        );
        assert_eq!(map.system_by_minion("m5").await.unwrap(), Some(new));
        let record = map.system(new).await.unwrap().unwrap();
        assert_eq!(record.minion_id.as_deref(), Some("m5"));

        // Another minion registered under the id of the copy m1 left on
        // n1: that copy is gone, and the id is the new system's.
        let other = map
            .system_for_local("n1", 10, Some("m-other"), None)
            .await
            .unwrap();
        assert_ne!(other, moved);
        assert_eq!(map.left_copy("n1", 10).await.unwrap(), None);
        assert!(map.system(moved).await.unwrap().unwrap().left.is_empty());

        // A stale left entry (its record moved on) does not block a node's id.
        map.store
            .put(Keys::system_left("n4", 8), moved.to_string())
            .await
            .unwrap();
        let fresh = map.system_seen("n4", 8, None, None).await.unwrap();
        assert!(
            matches!(fresh, Sighting::System(id) if id != moved),
            "{fresh:?}"
        );
        assert_eq!(map.left_copy("n4", 8).await.unwrap(), None);
    }

    #[tokio::test]
    async fn batches_answer_what_one_by_one_answers() {
        let map = IdentityMap::new(Store::memory());
        let known = map.system_for_local("n1", 5, None, None).await.unwrap();
        let moved = map
            .system_for_local("n2", 77, Some("m-moved"), None)
            .await
            .unwrap();
        for count in [10, 600] {
            let locals: Vec<i32> = (0..count).chain([5, 3]).collect();
            let mut seen: Vec<SeenSystem<'_>> = locals
                .iter()
                .map(|&local_id| SeenSystem {
                    local_id,
                    minion_id: None,
                    machine_id: Some("mach"),
                })
                .collect();
            seen[1].minion_id = Some("m-moved");
            seen[2].minion_id = Some("m-new");
            let node = format!("b{count}");
            let sightings = map.systems_for_locals(&node, &seen).await.unwrap();
            assert!(sightings.iter().all(|s| !s.is_left_behind()));
            let ids: Vec<i32> = sightings.iter().map(|s| s.cluster_id()).collect();
            assert_eq!(ids.len(), seen.len());
            assert_eq!(ids[1], moved, "a known minion keeps its cluster id");
            assert_eq!(ids[3], ids[ids.len() - 1], "a repeated local id, one id");
            assert_eq!(ids[5], ids[ids.len() - 2]);
            for (s, id) in seen.iter().zip(&ids) {
                let one = map
                    .system_seen(&node, s.local_id, s.minion_id, s.machine_id)
                    .await
                    .unwrap();
                assert_eq!(one, Sighting::System(*id), "local {}", s.local_id);
                let record = map.system(*id).await.unwrap().unwrap();
                assert_eq!(
                    (record.node.as_str(), record.local_id),
                    (node.as_str(), s.local_id)
                );
            }
            let again = map.systems_for_locals(&node, &seen).await.unwrap();
            assert_eq!(again, sightings);
            let unique: HashSet<i32> = ids.iter().copied().collect();
            assert_eq!(unique.len(), count as usize);
            assert!(!unique.contains(&known));
        }
        assert!(map.system_by_minion("m-new").await.unwrap().is_some());
        let locals: Vec<i32> = (0..300).chain([299]).collect();
        let actions = map
            .objects_for_locals(ObjectKind::Action, "n1", &locals)
            .await
            .unwrap();
        assert_eq!(actions[299], actions[300]);
        for (local, id) in locals.iter().zip(&actions) {
            assert_eq!(
                map.object_for_local(ObjectKind::Action, "n1", *local)
                    .await
                    .unwrap(),
                *id
            );
        }
    }

    #[tokio::test]
    async fn a_batch_racing_one_by_one_agrees() {
        let map = Arc::new(IdentityMap::new(Store::memory()));
        let seen: Vec<SeenSystem<'static>> = (0..700)
            .map(|local_id| SeenSystem {
                local_id,
                minion_id: None,
                machine_id: None,
            })
            .collect();
        let single = {
            let map = map.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for local in (0..700).rev() {
                    ids.push(map.system_for_local("n1", local, None, None).await.unwrap());
                }
                ids.reverse();
                ids
            })
        };
        let batch: Vec<i32> = map
            .systems_for_locals("n1", &seen)
            .await
            .unwrap()
            .into_iter()
            .map(Sighting::cluster_id)
            .collect();
        assert_eq!(single.await.unwrap(), batch);
    }

    #[tokio::test]
    async fn concurrent_allocators_agree() {
        let map = Arc::new(IdentityMap::new(Store::memory()));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let map = map.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for local in 0..20 {
                    ids.push(map.system_for_local("n1", local, None, None).await.unwrap());
                    ids.push(
                        map.object_for_local(ObjectKind::Action, "n1", local)
                            .await
                            .unwrap(),
                    );
                }
                ids
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.unwrap());
        }
        assert!(
            all.windows(2).all(|w| w[0] == w[1]),
            "every task saw the same ids"
        );
        let mut unique = all[0].clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 40, "20 systems and 20 actions, no id twice");
    }

    #[tokio::test]
    async fn objects_of_several_nodes_join_under_one_id() {
        for kind in ObjectKind::ALL {
            let map = IdentityMap::new(Store::memory());
            let local = |node: &'static str, id: i32| {
                let map = map.clone();
                async move { map.object_for_local(kind, node, id).await.unwrap() }
            };
            let a = local("n1", 7).await;
            let b = local("n2", 7).await;
            let c = local("n3", 9).await;
            assert!(map.join_parts(kind, a, &[b, c]).await.unwrap());
            let record = map.object(kind, a).await.unwrap().unwrap();
            let parts: Vec<(&str, i32)> = record.parts().collect();
            assert_eq!(parts, [("n1", 7), ("n2", 7), ("n3", 9)]);
            // Every part's node-local id now answers the joined id.
            for (node, id) in [("n1", 7), ("n2", 7), ("n3", 9)] {
                assert_eq!(local(node, id).await, a);
            }
            assert_eq!(
                map.objects_for_locals(kind, "n2", &[7]).await.unwrap(),
                [a],
                "batched look-ups agree"
            );
            // A joined object joins nothing else; unknown ids and two parts
            // on one node are refused, and nothing is written.
            let d = local("n4", 1).await;
            let e = local("n1", 8).await;
            assert!(!map.join_parts(kind, d, &[a]).await.unwrap());
            assert!(!map.join_parts(kind, d, &[i32::MAX]).await.unwrap());
            assert!(!map.join_parts(kind, a, &[e]).await.unwrap());
            assert_eq!(map.object(kind, a).await.unwrap().unwrap().also.len(), 2);
            assert_eq!(local("n1", 8).await, e);
        }
        // A record from before parts existed reads as one part.
        let old: ObjectIdentity =
            serde_json::from_str(r#"{"cluster_id":5,"node":"n1","local_id":3}"#).unwrap();
        assert_eq!(old.parts().collect::<Vec<_>>(), [("n1", 3)]);
    }

    #[tokio::test]
    async fn objects_deleted_on_their_nodes_are_forgotten_part_by_part() {
        for kind in ObjectKind::ALL {
            let map = IdentityMap::new(Store::memory());
            let local = |node: &'static str, id: i32| {
                let map = map.clone();
                async move { map.object_for_local(kind, node, id).await.unwrap() }
            };
            let forget = |node: &'static str, id: i32| {
                let map = map.clone();
                async move { map.forget_object_part(kind, node, id).await.unwrap() }
            };
            let entries = || {
                let map = map.clone();
                async move {
                    let mut keys = Vec::new();
                    for prefix in [object_key(kind, 0), object_local_key(kind, "n", 0)] {
                        let prefix = &prefix[..prefix.find('/').unwrap() + 1];
                        for (k, _) in map.store.scan_prefix(prefix, usize::MAX).await.unwrap() {
                            keys.push(String::from_utf8(k).unwrap());
                        }
                    }
                    keys
                }
            };

            // One object with parts on three nodes, the two joined ones
            // having had ids of their own.
            let a = local("n1", 7).await;
            let b = local("n2", 7).await;
            let c = local("n3", 9).await;
            assert!(map.join_parts(kind, a, &[b, c]).await.unwrap());
            // A part in the middle goes, with the id it had alone.
            assert_eq!(forget("n2", 7).await, Some(a));
            let record = map.object(kind, a).await.unwrap().unwrap();
            assert_eq!(record.parts().collect::<Vec<_>>(), [("n1", 7), ("n3", 9)]);
            assert_eq!(map.object(kind, b).await.unwrap(), None, "{kind:?}");
            // The first part goes: the next one is first, and its own id
            // (which the record no longer keeps) goes too.
            assert_eq!(forget("n1", 7).await, Some(a));
            let record = map.object(kind, a).await.unwrap().unwrap();
            assert_eq!(record.parts().collect::<Vec<_>>(), [("n3", 9)]);
            assert_eq!(map.object(kind, c).await.unwrap(), None);
            assert_eq!(local("n3", 9).await, a, "the rest keeps its id");
            // The last part goes: nothing of the object is left.
            assert_eq!(forget("n3", 9).await, Some(a));
            assert_eq!(map.object(kind, a).await.unwrap(), None);
            assert_eq!(entries().await, Vec::<String>::new(), "{kind:?}");
            // Again, or an object the map never knew: nothing to do.
            assert_eq!(forget("n3", 9).await, None);
            assert_eq!(forget("n1", 12345).await, None);
            // A deleted local id seen again (a stale listing) is a new object.
            let again = local("n1", 7).await;
            assert!(again > c, "{kind:?}: ids are never handed out twice");

            // Objects of other kinds and nodes are untouched.
            let other = ObjectKind::ALL[(kind.index() + 1) % ObjectKind::ALL.len()];
            let kept = map.object_for_local(other, "n1", 7).await.unwrap();
            forget("n1", 7).await;
            assert_eq!(map.object_for_local(other, "n1", 7).await.unwrap(), kept);
        }
    }

    #[tokio::test]
    async fn every_kind_of_object_is_numbered_apart() {
        let map = IdentityMap::new(Store::memory());
        // The same local id on the same node, once per kind: each kind
        // counts from 1 in its own space and keeps its own index.
        let mut firsts = Vec::new();
        for (n, kind) in ObjectKind::ALL.into_iter().enumerate() {
            // A kind's n-th object, so that its counter differs from the others'.
            for local in 0..n as i32 {
                map.object_for_local(kind, "n1", 100 + local).await.unwrap();
            }
            let id = map.object_for_local(kind, "n1", 7).await.unwrap();
            assert_eq!(id, n as i32 + 1, "{kind:?} counts from 1 on its own");
            firsts.push(id);
        }
        for (kind, id) in ObjectKind::ALL.into_iter().zip(&firsts) {
            let record = map.object(kind, *id).await.unwrap().unwrap();
            assert_eq!((record.node.as_str(), record.local_id), ("n1", 7));
            assert_eq!(
                map.object_for_local(kind, "n1", 7).await.unwrap(),
                *id,
                "{kind:?}'s index is its own"
            );
            let batch = map.objects_for_locals(kind, "n1", &[7, 8]).await.unwrap();
            assert_eq!(batch[0], *id);
            let counter: u64 = map
                .store
                .get_json(Keys::id_counter(kind.slug()))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                counter,
                u64::try_from(*id).unwrap() + 1,
                "{kind:?}: one counter each"
            );
        }
        // The counters actions and schedules always had keep their names.
        assert!(
            map.store
                .get(Keys::counter("action-id"))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            map.store
                .get(Keys::counter("schedule-id"))
                .await
                .unwrap()
                .is_some()
        );
        // Id 1 is the action with local id 7 and the image with local id 100.
        let image = map.object(ObjectKind::Image, 1).await.unwrap().unwrap();
        assert_eq!(
            image.local_id, 100,
            "an id of one kind names nothing of another"
        );
    }

    #[tokio::test]
    async fn a_group_is_one_id_by_organization_and_name() {
        let map = IdentityMap::new(Store::memory());
        let web = map.group_for_local("n1", 7, 1, "web").await.unwrap();
        assert_eq!(web, 1, "group ids count from 1");
        assert_eq!(map.group_for_local("n1", 7, 1, "web").await.unwrap(), web);
        assert_eq!(map.group_by_local("n1", 7).await.unwrap(), Some(web));
        assert_eq!(map.group_by_local("n2", 7).await.unwrap(), None);
        // The same group numbered otherwise on another node: one id.
        assert_eq!(map.group_for_local("n2", 3, 1, "web").await.unwrap(), web);
        // The same name in another organization is another group.
        let other = map.group_for_local("n2", 4, 2, "web").await.unwrap();
        assert_ne!(other, web);
        let record = map.group(web).await.unwrap().unwrap();
        assert_eq!((record.org_id, record.name.as_str()), (1, "web"));
        assert_eq!(
            (
                record.local_on("n1"),
                record.local_on("n2"),
                record.local_on("n3")
            ),
            (Some(7), Some(3), None)
        );
        // Deleted and made again on n1: the new id replaces the old part.
        assert_eq!(map.group_for_local("n1", 9, 1, "web").await.unwrap(), web);
        let record = map.group(web).await.unwrap().unwrap();
        assert_eq!(record.local_on("n1"), Some(9));
        assert_eq!(record.parts.len(), 2);
        let old = map.store.get(Keys::group_local("n1", 7)).await.unwrap();
        assert_eq!(old, None, "the old part's index entry is gone");
        // Forgotten when deleted everywhere: made again, it is a new group.
        let forgotten = map.forget_group(1, "web").await.unwrap().unwrap();
        assert_eq!(forgotten.cluster_id, web);
        assert_eq!(map.forget_group(1, "web").await.unwrap(), None);
        assert_eq!(map.group(web).await.unwrap(), None);
        let again = map.group_for_local("n2", 3, 1, "web").await.unwrap();
        assert_ne!(again, web);
        assert_eq!(
            map.group(other).await.unwrap().unwrap().local_on("n2"),
            Some(4)
        );
    }

    #[tokio::test]
    async fn writers_seeing_one_group_at_once_agree() {
        let map = Arc::new(IdentityMap::new(Store::memory()));
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let map = map.clone();
                tokio::spawn(async move {
                    let node = format!("n{}", i % 4);
                    map.group_for_local(&node, 10 + i % 4, 1, "db")
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut ids = HashSet::new();
        for t in tasks {
            ids.insert(t.await.unwrap());
        }
        assert_eq!(ids.len(), 1, "{ids:?}");
        let id = ids.into_iter().next().unwrap();
        let record = map.group(id).await.unwrap().unwrap();
        assert_eq!(record.parts.len(), 4, "{record:?}");
    }

    #[tokio::test]
    async fn a_package_is_one_id_by_name_epoch_version_release_and_arch() {
        let map = IdentityMap::new(Store::memory());
        let package = |name: &str, epoch: &str, version: &str| PackageName {
            name: name.to_owned(),
            epoch: epoch.to_owned(),
            version: version.to_owned(),
            release: "150600.1.1".to_owned(),
            arch: "x86_64".to_owned(),
        };
        let seen = |pairs: &[(i32, &'static PackageName)]| -> Vec<SeenPackage<'static>> {
            pairs
                .iter()
                .map(|&(local_id, package)| SeenPackage {
                    local_id,
                    content: package,
                })
                .collect()
        };
        let bash: &'static PackageName = Box::leak(Box::new(package("bash", "", "5.2.15")));
        let vim: &'static PackageName = Box::leak(Box::new(package("vim", "1", "9.1.0")));
        let vim2: &'static PackageName = Box::leak(Box::new(package("vim", "2", "9.1.0")));
        // A Debian version may hold `-`: the key is never parsed back.
        let deb: &'static PackageName = Box::leak(Box::new(PackageName {
            arch: "amd64-deb".to_owned(),
            ..package("libc6", "", "2.39-0ubuntu8")
        }));
        assert_eq!(bash.key(), "bash-5.2.15-150600.1.1.x86_64");
        assert_eq!(vim.key(), "vim-1:9.1.0-150600.1.1.x86_64");
        // Node n1 lists bash twice (two channels show it) and vim once.
        let n1 = map
            .content_for_locals::<PackageIdentity>(
                "n1",
                &seen(&[(20, bash), (31, vim), (20, bash)]),
            )
            .await
            .unwrap();
        assert_eq!(n1, [1, 2, 1], "package ids count from 1, one per package");
        // Node n2 numbers them the other way round: the same two ids.
        let n2 = map
            .content_for_locals::<PackageIdentity>("n2", &seen(&[(20, vim), (31, bash)]))
            .await
            .unwrap();
        assert_eq!(n2, [2, 1]);
        let record = map.content::<PackageIdentity>(1).await.unwrap().unwrap();
        assert_eq!(&record.package, bash);
        assert_eq!(
            (record.local_on("n1"), record.local_on("n2")),
            (Some(20), Some(31))
        );
        assert_eq!(
            map.content_by_local::<PackageIdentity>("n2", &[20, 31, 99])
                .await
                .unwrap(),
            [Some(2), Some(1), None]
        );
        // Seen again, nothing new is allocated; another epoch is another
        // package.
        let again = map
            .content_for_locals::<PackageIdentity>(
                "n2",
                &seen(&[(31, bash), (40, vim2), (41, deb)]),
            )
            .await
            .unwrap();
        assert_eq!(again, [1, 3, 4]);
        assert_eq!(
            &map.content::<PackageIdentity>(4)
                .await
                .unwrap()
                .unwrap()
                .package,
            deb
        );
        // A node holding one package under two ids (two organizations'
        // channels): both ids name it, the first is its part.
        assert_eq!(
            map.content_for_locals::<PackageIdentity>("n1", &seen(&[(77, vim)]))
                .await
                .unwrap(),
            [2]
        );
        assert_eq!(
            map.content::<PackageIdentity>(2)
                .await
                .unwrap()
                .unwrap()
                .local_on("n1"),
            Some(31)
        );
    }

    #[tokio::test]
    async fn many_packages_are_bound_in_batches_and_writers_agree() {
        let map = Arc::new(IdentityMap::new(Store::memory()));
        let names: Vec<PackageName> = (0..1_500)
            .map(|i| PackageName {
                name: format!("p{i}"),
                epoch: String::new(),
                version: "1.0".to_owned(),
                release: "1".to_owned(),
                arch: "x86_64".to_owned(),
            })
            .collect();
        let names = Arc::new(names);
        let tasks: Vec<_> = (0..4)
            .map(|n| {
                let (map, names) = (map.clone(), names.clone());
                tokio::spawn(async move {
                    // Each node numbers the packages from its own start.
                    let seen: Vec<SeenPackage<'_>> = names
                        .iter()
                        .enumerate()
                        .map(|(i, package)| SeenPackage {
                            local_id: 1_000 * (n + 1) + i as i32,
                            content: package,
                        })
                        .collect();
                    map.content_for_locals::<PackageIdentity>(&format!("n{n}"), &seen)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        for a in &answers[1..] {
            assert_eq!(a, &answers[0], "every node's package got one cluster id");
        }
        let unique: HashSet<i32> = answers[0].iter().copied().collect();
        assert_eq!(unique.len(), names.len());
        let record = map
            .content::<PackageIdentity>(answers[0][7])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.package, names[7]);
        assert_eq!(record.parts.len(), 4, "{record:?}");
    }

    /// Content named by one string (errata, channels) as a node shows it:
    /// its id there and its name.
    fn named(pairs: &[(i32, &'static str)]) -> Vec<SeenContent<'static, str>> {
        pairs
            .iter()
            .map(|&(local_id, content)| SeenContent { local_id, content })
            .collect()
    }

    #[tokio::test]
    async fn an_erratum_is_one_id_by_advisory_name_apart_from_packages() {
        let map = IdentityMap::new(Store::memory());
        let first = "SUSE-SLE-Module-Basesystem-15-SP6-2024-3393";
        let second = "RHSA-2024:1234";
        let n1 = map
            .content_for_locals::<ErratumIdentity>("n1", &named(&[(500, first), (501, second)]))
            .await
            .unwrap();
        assert_eq!(n1, [1, 2], "erratum ids count from 1");
        // Another node numbers them the other way round.
        let n2 = map
            .content_for_locals::<ErratumIdentity>(
                "n2",
                &named(&[(900, second), (901, first), (900, second)]),
            )
            .await
            .unwrap();
        assert_eq!(n2, [2, 1, 2], "one id per advisory name on every node");
        assert_eq!(
            map.content_by_local::<ErratumIdentity>("n2", &[900, 901, 500])
                .await
                .unwrap(),
            [Some(2), Some(1), None],
            "each node's index holds its own ids only"
        );
        let record = map.content::<ErratumIdentity>(1).await.unwrap().unwrap();
        assert_eq!(record.advisory, first);
        assert_eq!(record.local_on("n1"), Some(500));
        assert_eq!(record.local_on("n2"), Some(901));
        // Errata draw from their own counter: a package seen now is 1 too.
        let bash = PackageName {
            name: "bash".into(),
            epoch: String::new(),
            version: "5.2.15".into(),
            release: "150600.1.1".into(),
            arch: "x86_64".into(),
        };
        let package = [SeenPackage {
            local_id: 500,
            content: &bash,
        }];
        assert_eq!(
            map.content_for_locals::<PackageIdentity>("n1", &package)
                .await
                .unwrap(),
            [1]
        );
        assert_eq!(
            map.content_by_local::<ErratumIdentity>("n1", &[500])
                .await
                .unwrap(),
            [Some(1)]
        );
    }

    #[test]
    fn content_counters_keep_their_stored_names() {
        let counters: Vec<String> = ContentKind::ALL
            .into_iter()
            .map(|kind| IdSpace::Content(kind).counter())
            .collect();
        let stored: Vec<String> = [
            "package-id",
            "erratum-id",
            "channel-id",
            "repository-id",
            "content-filter-id",
            "config-channel-id",
            "source-package-id",
        ]
        .into_iter()
        .map(Keys::counter)
        .collect();
        assert_eq!(counters, stored);
    }

    #[tokio::test]
    async fn a_channel_is_one_id_by_label_apart_from_errata() {
        let map = IdentityMap::new(Store::memory());
        let pool = "sle-product-sles15-sp6-pool-x86_64";
        let updates = "sle-product-sles15-sp6-updates-x86_64";
        // Nodes that added the channels in another order number them apart.
        let n1 = map
            .content_for_locals::<ChannelIdentity>("n1", &named(&[(101, pool), (102, updates)]))
            .await
            .unwrap();
        let n2 = map
            .content_for_locals::<ChannelIdentity>("n2", &named(&[(101, updates), (102, pool)]))
            .await
            .unwrap();
        assert_eq!(
            (n1, n2),
            (vec![1, 2], vec![2, 1]),
            "one id per label, counted from 1"
        );
        let record = map.content::<ChannelIdentity>(2).await.unwrap().unwrap();
        assert_eq!(record.label, updates);
        assert_eq!(
            (record.local_on("n1"), record.local_on("n2")),
            (Some(102), Some(101))
        );
        // An erratum named like a channel is another id space.
        let id = map
            .content_for_locals::<ErratumIdentity>("n1", &named(&[(101, pool)]))
            .await
            .unwrap();
        assert_eq!(id, [1]);
        assert!(map.content::<ErratumIdentity>(2).await.unwrap().is_none());
        // n2 deleted the pool: only its channel part goes.
        assert_eq!(
            map.forget_content_part(ContentKind::Channel, "n2", 102)
                .await
                .unwrap(),
            Some(1)
        );
        let record = map.content::<ChannelIdentity>(1).await.unwrap().unwrap();
        assert_eq!(
            (record.local_on("n1"), record.local_on("n2")),
            (Some(101), None)
        );
        assert_eq!(
            map.content_by_local::<ErratumIdentity>("n1", &[101])
                .await
                .unwrap(),
            [Some(1)]
        );
    }

    #[tokio::test]
    async fn a_repository_follows_its_label_and_a_remade_one_replaces_the_part() {
        let map = IdentityMap::new(Store::memory());
        let seen = |node: &'static str, local: i32, label: &'static str| {
            let map = &map;
            async move {
                map.content_for_locals::<RepositoryIdentity>(node, &named(&[(local, label)]))
                    .await
                    .unwrap()[0]
            }
        };
        let id = seen("n1", 7, "sles-mirror").await;
        assert_eq!(seen("n2", 3, "sles-mirror").await, id);
        // A channel of that label is another id space.
        let channel = map
            .content_for_locals::<ChannelIdentity>("n1", &named(&[(7, "sles-mirror")]))
            .await
            .unwrap();
        assert_eq!(channel, [1]);

        // Relabelled (`updateRepoLabel`): the new label leads to the same
        // id, the old one no longer does.
        assert!(
            map.rename_content::<RepositoryIdentity>(id, "sles-mirror-eu")
                .await
                .unwrap()
        );
        let record = map
            .content::<RepositoryIdentity>(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.label, "sles-mirror-eu");
        let fresh = seen("n3", 12, "sles-mirror").await;
        assert_ne!(fresh, id, "the old label is free for a new repository");
        assert_eq!(seen("n3", 13, "sles-mirror-eu").await, id);
        assert!(
            !map.rename_content::<RepositoryIdentity>(999, "x")
                .await
                .unwrap()
        );

        // n1 removed the repository and made it again under a new id: the
        // new id is n1's part (a label names one repository on a node).
        assert_eq!(seen("n1", 9, "sles-mirror-eu").await, id);
        let record = map
            .content::<RepositoryIdentity>(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                record.local_on("n1"),
                record.local_on("n2"),
                record.local_on("n3")
            ),
            (Some(9), Some(3), Some(13))
        );
        // Errata keep the first id as the part (two organizations may each
        // hold one of an advisory name).
        map.content_for_locals::<ErratumIdentity>("n1", &named(&[(1, "A")]))
            .await
            .unwrap();
        map.content_for_locals::<ErratumIdentity>("n1", &named(&[(2, "A")]))
            .await
            .unwrap();
        let erratum = map.content::<ErratumIdentity>(1).await.unwrap().unwrap();
        assert_eq!(erratum.local_on("n1"), Some(1));
        // A filter deleted on n2 loses n2's part only.
        let filter = map
            .content_for_locals::<ContentFilterIdentity>("n2", &named(&[(4, "no-kernel")]))
            .await
            .unwrap()[0];
        assert_eq!(
            map.forget_content_part(ContentKind::ContentFilter, "n2", 4)
                .await
                .unwrap(),
            Some(filter)
        );
        assert_eq!(
            map.content_by_local::<RepositoryIdentity>("n2", &[3])
                .await
                .unwrap(),
            [Some(id)]
        );
    }

    #[tokio::test]
    async fn a_node_that_deleted_content_loses_its_part_and_the_id_stays() {
        let map = IdentityMap::new(Store::memory());
        let advisory = "SUSE-SU-2025:0001-1";
        let seen = |local_id| {
            [SeenErratum {
                local_id,
                content: advisory,
            }]
        };
        let id = map
            .content_for_locals::<ErratumIdentity>("n1", &seen(7))
            .await
            .unwrap()[0];
        assert_eq!(
            map.content_for_locals::<ErratumIdentity>("n2", &seen(9))
                .await
                .unwrap(),
            [id]
        );

        // n1 deleted it: its index entry and part go, n2's stay.
        let forgotten = map
            .forget_content_part(ContentKind::Erratum, "n1", 7)
            .await
            .unwrap();
        assert_eq!(forgotten, Some(id));
        assert_eq!(
            map.content_by_local::<ErratumIdentity>("n1", &[7])
                .await
                .unwrap(),
            [None]
        );
        let record = map.content::<ErratumIdentity>(id).await.unwrap().unwrap();
        assert_eq!(
            (record.local_on("n1"), record.local_on("n2")),
            (None, Some(9))
        );
        // Unknown ids, and the same id of the other kind, change nothing.
        for (kind, node, local) in [
            (ContentKind::Erratum, "n1", 7),
            (ContentKind::Package, "n2", 9),
        ] {
            assert_eq!(
                map.forget_content_part(kind, node, local).await.unwrap(),
                None
            );
        }
        assert_eq!(
            map.content_by_local::<ErratumIdentity>("n2", &[9])
                .await
                .unwrap(),
            [Some(id)]
        );

        // n1 syncs it again under a new id: the same cluster id.
        assert_eq!(
            map.content_for_locals::<ErratumIdentity>("n1", &seen(31))
                .await
                .unwrap(),
            [id]
        );
        let record = map.content::<ErratumIdentity>(id).await.unwrap().unwrap();
        assert_eq!(record.local_on("n1"), Some(31));
    }
}
