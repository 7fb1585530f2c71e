//! The identity map with moka caches both ways: cluster id to node and
//! local id, and node and local id to cluster id, for systems and the
//! objects nodes number on their own ([`ObjectKind`]: actions, recurring
//! schedules, images, snapshots, ...). An object one call made on several
//! nodes has one cluster id for all its parts
//! ([`CachedIdentity::join_parts`]).
//! The caches hold blocks of neighbouring ids ([`IdBlocks`]), and lists
//! are translated in one batch ([`CachedIdentity::system_ids`]).
//!
//! A local id the map does not know yet gets a cluster id allocated in the
//! store's transaction (two gateways seeing it at once agree on one). The
//! cluster-to-location cache is short-lived and dropped for an id whose
//! node answered "no such system", so that a system moved by the director
//! is found at its new home under the same cluster id. The copy a moved
//! system left on its old node is known as such ([`Sighting::LeftBehind`]):
//! node-local system ids are cached as briefly as locations, so that a
//! listing stops taking the old copy for the system soon after the move.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use director::identity::SharedRecord;
use director::identity::{IdentityError, IdentityMap};
pub use director::identity::{SeenContent, SeenPackage, SeenSystem, Sighting};
pub use director::model::{
    ChannelIdentity, ConfigChannelIdentity, ContentFilterIdentity, ErratumIdentity, GroupIdentity,
    ObjectKind, PackageIdentity, PackageName, RepositoryIdentity, SourcePackageIdentity,
};
use director::store::Store;

use super::id_blocks::{BlockMemo, IdBlocks};

/// How many ids each cache holds.
const CAPACITY: u64 = 2_000_000;
/// How many actions or schedules of several nodes each cache holds.
const GROUPS: u64 = 100_000;
/// How long a cluster id's location is trusted without asking the store.
const LOCATION_TTL: Duration = Duration::from_secs(30);
/// How long a system whose place was read again (its cached node no
/// longer serves) is not read again: a node that stays down until its
/// systems are moved costs one look-up per system and interval, not one
/// per call.
const RECHECK_EVERY: Duration = Duration::from_secs(1);
/// How long a node-local id's cluster id is kept for objects, groups and
/// content (it never changes).
const CLUSTER_ID_TTL: Duration = Duration::from_secs(600);
/// How long a node-local system id is taken for the cluster's system of
/// its cluster id without asking the store: as long as a location, since
/// the system may move away and leave that copy behind
/// ([`Sighting::LeftBehind`]). A move this gateway sees itself is known at
/// once; one the director or another gateway made, within this time.
const SYSTEM_ID_TTL: Duration = LOCATION_TTL;

/// Where a cluster id lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The node.
    pub node: Arc<str>,
    /// The id on that node.
    pub local: i32,
}

/// Dense numbers for node ids, for compact cache keys and values.
#[derive(Debug, Default)]
struct NodeNumbers {
    by_id: HashMap<Arc<str>, u32>,
    ids: Vec<Arc<str>>,
}

/// The caches of one [`ObjectKind`].
#[derive(Debug)]
struct ObjectCaches {
    /// Cluster id to location, for objects of one node.
    at: IdBlocks,
    /// Node-local id to cluster id.
    of: IdBlocks,
    /// Objects of several nodes, by cluster id.
    groups: moka::sync::Cache<i32, Arc<[Location]>>,
}

impl ObjectCaches {
    fn new() -> ObjectCaches {
        ObjectCaches {
            at: IdBlocks::new(CAPACITY, LOCATION_TTL),
            of: IdBlocks::new(CAPACITY, CLUSTER_ID_TTL),
            groups: moka::sync::Cache::builder()
                .max_capacity(GROUPS)
                .time_to_live(LOCATION_TTL)
                .build(),
        }
    }
}

/// Cache blocks already looked up by one task, for the next look-ups of
/// the same task: the batches of one node's listing share one, so that
/// each block of ids is found in the cache once per listing rather than
/// once per batch.
#[derive(Debug, Default)]
pub struct IdMemo {
    systems: BlockMemo,
    /// One per [`ObjectKind`], by [`ObjectKind::index`].
    objects: [BlockMemo; ObjectKind::ALL.len()],
}

impl IdMemo {
    fn objects(&mut self, kind: ObjectKind) -> &mut BlockMemo {
        &mut self.objects[kind.index()]
    }
}

/// The identity map and its caches (blocks of neighbouring ids, see
/// [`IdBlocks`]): cluster id to location, and node-local id to cluster
/// id, for systems, actions and schedules.
#[derive(Debug)]
pub struct CachedIdentity {
    map: IdentityMap,
    numbers: RwLock<NodeNumbers>,
    system_at: IdBlocks,
    rechecked: moka::sync::Cache<i32, ()>,
    system_of: IdBlocks,
    /// Node-local ids of copies that moved systems left on their old
    /// nodes ([`Sighting::LeftBehind`]) to the system's cluster id: kept
    /// as long as a location, since the director may place the system
    /// back there.
    left_of: moka::sync::Cache<u64, i32>,
    /// One per [`ObjectKind`], by [`ObjectKind::index`].
    objects: [ObjectCaches; ObjectKind::ALL.len()],
    /// System groups: a node's id for one to its cluster id.
    group_of: moka::sync::Cache<u64, i32>,
    /// System groups by cluster id: organization, name, each node's id.
    group_records: moka::sync::Cache<i32, Arc<GroupIdentity>>,
    /// Packages by node id and by cluster id.
    packages: ContentCaches<PackageIdentity>,
    /// Errata by node id and by cluster id.
    errata: ContentCaches<ErratumIdentity>,
    /// Software channels by node id and by cluster id.
    channels: ContentCaches<ChannelIdentity>,
    /// Repositories by node id and by cluster id.
    repositories: ContentCaches<RepositoryIdentity>,
    /// Content filters by node id and by cluster id.
    content_filters: ContentCaches<ContentFilterIdentity>,
    /// Configuration channels by node id and by cluster id.
    config_channels: ContentCaches<ConfigChannelIdentity>,
    /// Source packages by node id and by cluster id.
    source_packages: ContentCaches<SourcePackageIdentity>,
}

/// The record of cluster id `id` from `cache`, else what `load` reads
/// from the store, then cached.
async fn cached_record<T: Send + Sync + 'static>(
    cache: &moka::sync::Cache<i32, Arc<T>>,
    id: i32,
    load: impl Future<Output = Result<Option<T>, IdentityError>>,
) -> Result<Option<Arc<T>>, IdentityError> {
    if let Some(record) = cache.get(&id) {
        return Ok(Some(record));
    }
    let Some(record) = load.await? else {
        return Ok(None);
    };
    let record = Arc::new(record);
    cache.insert(id, record.clone());
    Ok(Some(record))
}

/// A cluster id as a cache key (cluster ids are positive).
fn cluster_key(id: i32) -> u64 {
    u64::from(id as u32)
}

/// A cluster id as a cached value (never 0).
fn cluster_value(v: u64) -> i32 {
    v as u32 as i32
}

impl CachedIdentity {
    /// The identity map in `store`.
    pub fn new(store: Store) -> CachedIdentity {
        CachedIdentity {
            map: IdentityMap::new(store),
            numbers: RwLock::new(NodeNumbers::default()),
            system_at: IdBlocks::new(CAPACITY, LOCATION_TTL),
            rechecked: moka::sync::Cache::builder()
                .max_capacity(GROUPS)
                .time_to_live(RECHECK_EVERY)
                .build(),
            system_of: IdBlocks::new(CAPACITY, SYSTEM_ID_TTL),
            left_of: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(LOCATION_TTL)
                .build(),
            objects: std::array::from_fn(|_| ObjectCaches::new()),
            group_of: moka::sync::Cache::builder()
                .max_capacity(GROUPS)
                .time_to_live(CLUSTER_ID_TTL)
                .build(),
            group_records: moka::sync::Cache::builder()
                .max_capacity(GROUPS)
                .time_to_live(LOCATION_TTL)
                .build(),
            packages: ContentCaches::new(),
            errata: ContentCaches::new(),
            channels: ContentCaches::new(),
            repositories: ContentCaches::new(),
            content_filters: ContentCaches::new(),
            config_channels: ContentCaches::new(),
            source_packages: ContentCaches::new(),
        }
    }

    fn caches(&self, kind: ObjectKind) -> &ObjectCaches {
        &self.objects[kind.index()]
    }

    /// The dense number of a node id.
    fn number(&self, node: &str) -> u32 {
        let known = self
            .numbers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_id
            .get(node)
            .copied();
        if let Some(n) = known {
            return n;
        }
        let mut numbers = self.numbers.write().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = numbers.by_id.get(node) {
            return *n;
        }
        let n = numbers.ids.len() as u32;
        let id: Arc<str> = Arc::from(node);
        numbers.ids.push(id.clone());
        numbers.by_id.insert(id, n);
        n
    }

    /// The cache key of `local` on the node numbered `number`.
    fn local_key(number: u32, local: i32) -> u64 {
        (u64::from(number) << 32) | u64::from(local as u32)
    }

    /// A location as a cached value: node number + 1, then the local id.
    fn location_value(number: u32, local: i32) -> u64 {
        (u64::from(number + 1) << 32) | u64::from(local as u32)
    }

    /// The cache key of the local id a location value names.
    fn local_key_at(location: u64) -> u64 {
        location - (1 << 32)
    }

    fn location(&self, v: u64) -> Option<Location> {
        let numbers = self.numbers.read().unwrap_or_else(|e| e.into_inner());
        let node = numbers
            .ids
            .get(((v >> 32) as usize).checked_sub(1)?)?
            .clone();
        Some(Location {
            node,
            local: v as u32 as i32,
        })
    }

    /// Where cluster system `id` lives; `None` when the map does not know it.
    pub async fn system_location(&self, id: i32) -> Result<Option<Location>, IdentityError> {
        if let Some(loc) = self
            .system_at
            .get(cluster_key(id))
            .and_then(|v| self.location(v))
        {
            return Ok(Some(loc));
        }
        let Some(record) = self.map.system(id).await? else {
            return Ok(None);
        };
        let value = Self::location_value(self.number(&record.node), record.local_id);
        self.system_at.insert(cluster_key(id), value);
        Ok(self.location(value))
    }

    /// Forgets the cached location of cluster system `id`.
    pub fn invalidate_system(&self, id: i32) {
        self.system_at.remove(cluster_key(id));
    }

    /// Forgets the cached location of cluster system `id` unless that was
    /// done less than [`RECHECK_EVERY`] ago; whether it did.
    pub fn recheck_system(&self, id: i32) -> bool {
        if self.rechecked.contains_key(&id) {
            return false;
        }
        self.rechecked.insert(id, ());
        self.invalidate_system(id);
        true
    }

    /// What system `local` on `node` is, its cluster id allocated when
    /// new. `minion` and `machine` are recorded with a new id (and let the
    /// map recognise a system that moved).
    pub async fn system_id(
        &self,
        node: &str,
        local: i32,
        minion: Option<&str>,
        machine: Option<&str>,
    ) -> Result<Sighting, IdentityError> {
        let seen = [SeenSystem {
            local_id: local,
            minion_id: minion,
            machine_id: machine,
        }];
        Ok(self.system_ids(node, &seen, &mut IdMemo::default()).await?[0])
    }

    /// What many systems listed by `node` are, in order, each cluster id
    /// allocated when new: cached ones from memory, the others from the
    /// map in one batch ([`IdentityMap::systems_for_locals`]). `memo`
    /// keeps the cache blocks found for the task's next calls.
    pub async fn system_ids(
        &self,
        node: &str,
        seen: &[SeenSystem<'_>],
        memo: &mut IdMemo,
    ) -> Result<Vec<Sighting>, IdentityError> {
        let number = self.number(node);
        let cached = self.system_of.get_many(
            seen.iter().map(|s| Self::local_key(number, s.local_id)),
            &mut memo.systems,
        );
        let mut known: Vec<Option<Sighting>> = cached
            .into_iter()
            .zip(seen)
            .map(|(v, s)| match v {
                Some(v) => Some(Sighting::System(cluster_value(v))),
                None => self
                    .left_of
                    .get(&Self::local_key(number, s.local_id))
                    .map(Sighting::LeftBehind),
            })
            .collect();
        let missing: Vec<usize> = (0..seen.len()).filter(|i| known[*i].is_none()).collect();
        if missing.is_empty() {
            return Ok(known.into_iter().flatten().collect());
        }
        let misses: Vec<SeenSystem<'_>> = missing.iter().map(|i| seen[*i]).collect();
        let found = if misses.len() == 1 {
            let s = misses[0];
            vec![
                self.map
                    .system_seen(node, s.local_id, s.minion_id, s.machine_id)
                    .await?,
            ]
        } else {
            self.map.systems_for_locals(node, &misses).await?
        };
        for (i, id) in missing.iter().zip(&found) {
            known[*i] = Some(*id);
        }
        let (bound, left): (Vec<_>, Vec<_>) = misses
            .iter()
            .zip(&found)
            .map(|(s, id)| (Self::local_key(number, s.local_id), s.local_id, *id))
            .partition(|(_, _, id)| !id.is_left_behind());
        for (key, _, id) in left {
            self.left_of.insert(key, id.cluster_id());
        }
        // A system found at a new place moved: its old place is a copy it
        // left there, no longer the system.
        for (key, _, id) in &bound {
            if let Some(old) = self.system_at.get(cluster_key(id.cluster_id()))
                && Self::local_key_at(old) != *key
            {
                self.system_of.remove(Self::local_key_at(old));
            }
        }
        self.system_of.insert_many(
            bound
                .iter()
                .map(|(key, _, id)| (*key, cluster_key(id.cluster_id()))),
        );
        self.system_at
            .insert_many(bound.iter().map(|(_, local, id)| {
                (
                    cluster_key(id.cluster_id()),
                    Self::location_value(number, *local),
                )
            }));
        Ok(known.into_iter().flatten().collect())
    }

    /// The cached cluster id of system `local` on `node`, without asking
    /// the store.
    pub fn cached_system_id(&self, node: &str, local: i32) -> Option<i32> {
        self.system_of
            .get(Self::local_key(self.number(node), local))
            .map(cluster_value)
    }

    /// The cluster id of a minion, if the map knows it.
    pub async fn system_by_minion(&self, minion: &str) -> Result<Option<i32>, IdentityError> {
        self.map.system_by_minion(minion).await
    }

    /// Where cluster action or schedule `id` lives: one node's object,
    /// or the parts of one object made on several nodes (the first node's
    /// first).
    pub async fn object_parts(
        &self,
        kind: ObjectKind,
        id: i32,
    ) -> Result<Option<Arc<[Location]>>, IdentityError> {
        let caches = self.caches(kind);
        if let Some(loc) = caches
            .at
            .get(cluster_key(id))
            .and_then(|v| self.location(v))
        {
            return Ok(Some(Arc::from([loc])));
        }
        if let Some(parts) = caches.groups.get(&id) {
            return Ok(Some(parts));
        }
        let Some(record) = self.map.object(kind, id).await? else {
            return Ok(None);
        };
        let values: Vec<u64> = record
            .parts()
            .map(|(node, local)| Self::location_value(self.number(node), local))
            .collect();
        let parts: Arc<[Location]> = values.iter().filter_map(|v| self.location(*v)).collect();
        match values[..] {
            [one] => caches.at.insert(cluster_key(id), one),
            _ => caches.groups.insert(id, parts.clone()),
        }
        Ok(Some(parts))
    }

    /// Makes `others` parts of `first`, all of `kind` (one call made them
    /// on several nodes: see [`IdentityMap::join_parts`]); whether they
    /// were joined.
    pub async fn join_parts(
        &self,
        kind: ObjectKind,
        first: i32,
        others: &[i32],
    ) -> Result<bool, IdentityError> {
        if !self.map.join_parts(kind, first, others).await? {
            return Ok(false);
        }
        let caches = self.caches(kind);
        caches.at.remove(cluster_key(first));
        caches.groups.invalidate(&first);
        if let Some(parts) = self.object_parts(kind, first).await? {
            caches.of.insert_many(parts.iter().map(|p| {
                (
                    Self::local_key(self.number(&p.node), p.local),
                    cluster_key(first),
                )
            }));
        }
        Ok(true)
    }

    /// The cluster id of action or schedule `local` on `node`, allocated
    /// when new.
    pub async fn object_id(
        &self,
        kind: ObjectKind,
        node: &str,
        local: i32,
    ) -> Result<i32, IdentityError> {
        Ok(self
            .object_ids(kind, node, &[local], &mut IdMemo::default())
            .await?[0])
    }

    /// The cluster ids of many actions or schedules listed by `node`, in
    /// order, each allocated when new (batched as
    /// [`CachedIdentity::system_ids`]).
    pub async fn object_ids(
        &self,
        kind: ObjectKind,
        node: &str,
        locals: &[i32],
        memo: &mut IdMemo,
    ) -> Result<Vec<i32>, IdentityError> {
        let number = self.number(node);
        let caches = self.caches(kind);
        let cached = caches.of.get_many(
            locals.iter().map(|l| Self::local_key(number, *l)),
            memo.objects(kind),
        );
        let missing: Vec<usize> = (0..locals.len()).filter(|i| cached[*i].is_none()).collect();
        let mut ids: Vec<i32> = cached
            .into_iter()
            .map(|v| v.map_or(0, cluster_value))
            .collect();
        if missing.is_empty() {
            return Ok(ids);
        }
        let misses: Vec<i32> = missing.iter().map(|i| locals[*i]).collect();
        let found = if misses.len() == 1 {
            vec![self.map.object_for_local(kind, node, misses[0]).await?]
        } else {
            self.map.objects_for_locals(kind, node, &misses).await?
        };
        for (i, id) in missing.iter().zip(&found) {
            ids[*i] = *id;
        }
        // Only this way: a cluster id found may name an object of several
        // nodes, which [`CachedIdentity::object_parts`] reads whole.
        caches.of.insert_many(
            misses
                .iter()
                .zip(&found)
                .map(|(l, id)| (Self::local_key(number, *l), cluster_key(*id))),
        );
        Ok(ids)
    }

    /// The cached cluster id of action or schedule `local` on `node`.
    pub fn cached_object_id(&self, kind: ObjectKind, node: &str, local: i32) -> Option<i32> {
        self.caches(kind)
            .of
            .get(Self::local_key(self.number(node), local))
            .map(cluster_value)
    }
}

/// System groups: one cluster id per organization and name, each node's
/// id for the group a part of it ([`IdentityMap::group_for_local`]).
impl CachedIdentity {
    /// The cluster id of the system group `node` calls `local`, when the
    /// map has seen it.
    pub async fn known_group_id(
        &self,
        node: &str,
        local: i32,
    ) -> Result<Option<i32>, IdentityError> {
        let key = Self::local_key(self.number(node), local);
        if let Some(id) = self.group_of.get(&key) {
            return Ok(Some(id));
        }
        let found = self.map.group_by_local(node, local).await?;
        if let Some(id) = found {
            self.group_of.insert(key, id);
        }
        Ok(found)
    }

    /// The cluster id of the system group `node` calls `local`, of
    /// organization `org_id` under `name`; this node's part is recorded.
    pub async fn group_id(
        &self,
        node: &str,
        local: i32,
        org_id: i32,
        name: &str,
    ) -> Result<i32, IdentityError> {
        if let Some(id) = self.known_group_id(node, local).await? {
            // Recorded meanwhile (by another gateway): a cached record
            // without this part would have the node asked again.
            if self
                .group_records
                .get(&id)
                .is_some_and(|r| r.local_on(node) != Some(local))
            {
                self.group_records.invalidate(&id);
            }
            return Ok(id);
        }
        let id = self.map.group_for_local(node, local, org_id, name).await?;
        self.group_of
            .insert(Self::local_key(self.number(node), local), id);
        // The record gained this node's part.
        self.group_records.invalidate(&id);
        Ok(id)
    }

    /// The system group of cluster id `id`.
    pub async fn group(&self, id: i32) -> Result<Option<Arc<GroupIdentity>>, IdentityError> {
        cached_record(&self.group_records, id, self.map.group(id)).await
    }

    /// Forgets the system group of organization `org_id` called `name`
    /// (deleted from every node).
    pub async fn forget_group(&self, org_id: i32, name: &str) -> Result<(), IdentityError> {
        if let Some(record) = self.map.forget_group(org_id, name).await? {
            self.group_records.invalidate(&record.cluster_id);
            for p in &record.parts {
                self.group_of
                    .invalidate(&Self::local_key(self.number(&p.node), p.local_id));
            }
        }
        Ok(())
    }

    /// Drops the cached record of group `id` (it proved stale).
    pub fn invalidate_group(&self, id: i32) {
        self.group_records.invalidate(&id);
    }
}

/// Shared content the gateway caches: packages, errata, channels,
/// repositories, content filters and configuration channels, each kind in
/// its own
/// [`ContentCaches`] of [`CachedIdentity`].
pub trait CachedContent: SharedRecord + std::fmt::Debug + Send + Sync + 'static {
    /// This kind's caches.
    #[doc(hidden)]
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self>;
}

impl CachedContent for PackageIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.packages
    }
}

impl CachedContent for ErratumIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.errata
    }
}

impl CachedContent for ChannelIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.channels
    }
}

impl CachedContent for RepositoryIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.repositories
    }
}

impl CachedContent for ContentFilterIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.content_filters
    }
}

impl CachedContent for ConfigChannelIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.config_channels
    }
}

impl CachedContent for SourcePackageIdentity {
    fn caches(ids: &CachedIdentity) -> &ContentCaches<Self> {
        &ids.source_packages
    }
}

/// The caches of one kind of shared content numbered per node (packages,
/// errata): a node's id to the cluster id, and records by cluster id.
#[derive(Debug)]
pub struct ContentCaches<R: CachedContent> {
    of: moka::sync::Cache<u64, i32>,
    records: moka::sync::Cache<i32, Arc<R>>,
}

impl<R: CachedContent> ContentCaches<R> {
    fn new() -> Self {
        ContentCaches {
            of: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(CLUSTER_ID_TTL)
                .build(),
            records: moka::sync::Cache::builder()
                .max_capacity(GROUPS)
                .time_to_live(LOCATION_TTL)
                .build(),
        }
    }

    /// The cluster ids of `locals` of node `number`: cached, else what
    /// `read` finds in the map for the ids not cached (then cached).
    async fn known<F, Fut>(
        &self,
        number: u32,
        locals: &[i32],
        read: F,
    ) -> Result<Vec<Option<i32>>, IdentityError>
    where
        F: FnOnce(Vec<i32>) -> Fut,
        Fut: Future<Output = Result<Vec<Option<i32>>, IdentityError>>,
    {
        let key = |l: i32| CachedIdentity::local_key(number, l);
        let mut found: Vec<Option<i32>> = locals.iter().map(|l| self.of.get(&key(*l))).collect();
        let missing: Vec<i32> = locals
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(l, _)| *l)
            .collect();
        if missing.is_empty() {
            return Ok(found);
        }
        let read = read(missing.clone()).await?;
        let read: HashMap<i32, i32> = missing
            .iter()
            .zip(read)
            .filter_map(|(l, id)| Some((*l, id?)))
            .collect();
        for (local, slot) in locals.iter().zip(found.iter_mut()) {
            if slot.is_none()
                && let Some(&id) = read.get(local)
            {
                self.of.insert(key(*local), id);
                *slot = Some(id);
            }
        }
        Ok(found)
    }

    /// Caches what the map bound: `locals` of `node` (number `number`) are
    /// `ids`. A cached record whose part on `node` is not that id is
    /// dropped: it has gained one, or it was replaced
    /// ([`SharedRecord::ONE_PER_NODE`]).
    fn bound(&self, node: &str, number: u32, locals: impl Iterator<Item = i32>, ids: &[i32]) {
        for (local, id) in locals.zip(ids) {
            self.of
                .insert(CachedIdentity::local_key(number, local), *id);
            if self
                .records
                .get(id)
                .is_some_and(|r| r.local_on(node) != Some(local))
            {
                self.records.invalidate(id);
            }
        }
    }
}

/// Shared content ([`CachedContent`]: packages, errata, channels, ...):
/// one cluster id per content, each node's id for it a part of it
/// ([`IdentityMap::content_for_locals`]).
impl CachedIdentity {
    /// The cluster ids of the content `node` calls `locals`, where the map
    /// has seen it.
    pub async fn known_content_ids<R: CachedContent>(
        &self,
        node: &str,
        locals: &[i32],
    ) -> Result<Vec<Option<i32>>, IdentityError> {
        let read =
            |missing: Vec<i32>| async move { self.map.content_by_local::<R>(node, &missing).await };
        R::caches(self).known(self.number(node), locals, read).await
    }

    /// The cluster ids of the content `seen` on `node`, in order; the
    /// node's parts are recorded.
    pub async fn content_ids<R: CachedContent>(
        &self,
        node: &str,
        seen: &[SeenContent<'_, R::Content>],
    ) -> Result<Vec<i32>, IdentityError> {
        let ids = self.map.content_for_locals::<R>(node, seen).await?;
        let locals = seen.iter().map(|s| s.local_id);
        R::caches(self).bound(node, self.number(node), locals, &ids);
        Ok(ids)
    }

    /// The record of cluster id `id`.
    pub async fn content<R: CachedContent>(
        &self,
        id: i32,
    ) -> Result<Option<Arc<R>>, IdentityError> {
        cached_record(&R::caches(self).records, id, self.map.content::<R>(id)).await
    }

    /// Drops the cached record of `id` (it lacked a node's part).
    pub fn invalidate_content<R: CachedContent>(&self, id: i32) {
        R::caches(self).records.invalidate(&id);
    }

    /// Names the content of cluster id `id` anew
    /// ([`IdentityMap::rename_content`]): a node answered it under
    /// `content`. Other gateway replicas see the new name when their
    /// cached record expires.
    pub async fn rename_content<R: CachedContent>(
        &self,
        id: i32,
        content: &R::Content,
    ) -> Result<(), IdentityError> {
        self.map.rename_content::<R>(id, content).await?;
        R::caches(self).records.invalidate(&id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn equal_local_ids_on_two_nodes_get_two_cluster_ids() {
        let ids = CachedIdentity::new(Store::memory());
        let a = ids
            .system_id("n1", 1_000_010_000, None, None)
            .await
            .unwrap()
            .cluster_id();
        let b = ids
            .system_id("n2", 1_000_010_000, None, None)
            .await
            .unwrap()
            .cluster_id();
        assert_ne!(a, b);
        assert_eq!(
            ids.system_id("n1", 1_000_010_000, None, None)
                .await
                .unwrap(),
            Sighting::System(a)
        );
        assert_eq!(ids.cached_system_id("n2", 1_000_010_000), Some(b));
        let loc = ids.system_location(b).await.unwrap().unwrap();
        assert_eq!((&*loc.node, loc.local), ("n2", 1_000_010_000));
        assert_eq!(ids.system_location(12345).await.unwrap(), None);
        for kind in ObjectKind::ALL {
            let x = ids.object_id(kind, "n1", 1).await.unwrap();
            let y = ids.object_id(kind, "n2", 1).await.unwrap();
            assert_ne!(x, y);
            assert_eq!(
                ids.object_parts(kind, y).await.unwrap().unwrap()[0]
                    .node
                    .as_ref(),
                "n2"
            );
        }
    }

    #[tokio::test]
    async fn two_gateways_on_one_store_agree() {
        let store = Store::memory();
        let g1 = CachedIdentity::new(store.clone());
        let g2 = CachedIdentity::new(store);
        let (a, b) = tokio::join!(
            g1.system_id("n1", 7, None, None),
            g2.system_id("n1", 7, None, None)
        );
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[tokio::test]
    async fn a_copy_a_moved_system_left_is_known_from_memory_and_not_its_place() {
        let ids = CachedIdentity::new(Store::memory());
        let seen = |local_id, minion_id| SeenSystem {
            local_id,
            minion_id,
            machine_id: None,
        };
        let mut memo = IdMemo::default();
        let first = ids
            .system_ids("n1", &[seen(5, Some("m1")), seen(6, None)], &mut memo)
            .await
            .unwrap();
        let id = first[0].cluster_id();
        // The system shows up on n2 (no director placement: it follows).
        let moved = ids
            .system_ids("n2", &[seen(9, Some("m1"))], &mut IdMemo::default())
            .await
            .unwrap();
        assert_eq!(moved, [Sighting::System(id)]);
        for _ in 0..2 {
            let again = ids
                .system_ids(
                    "n1",
                    &[seen(5, None), seen(6, None)],
                    &mut IdMemo::default(),
                )
                .await
                .unwrap();
            assert_eq!(again, [Sighting::LeftBehind(id), first[1]]);
            let loc = ids.system_location(id).await.unwrap().unwrap();
            assert_eq!(
                (&*loc.node, loc.local),
                ("n2", 9),
                "the copy is not its place"
            );
        }
        assert_eq!(ids.cached_system_id("n1", 5), None);
        assert_eq!(
            ids.left_of
                .get(&CachedIdentity::local_key(ids.number("n1"), 5)),
            Some(id)
        );
    }
}
