//! Building store keys (see the schema in the module above).

/// Store key builders.
#[derive(Debug, Clone, Copy)]
pub struct Keys;

fn padded(n: impl Into<i64>) -> String {
    format!("{:010}", n.into())
}

impl Keys {
    /// `zone/<name>`.
    pub fn zone(name: &str) -> String {
        format!("zone/{name}")
    }
    /// `node/<id>`.
    pub fn node(id: &str) -> String {
        format!("node/{id}")
    }
    /// `node-misses/<id>`: how many changes of shared data the node missed
    /// while it followed them (staged or failed), counted by the gateways.
    pub fn node_misses(id: &str) -> String {
        format!("node-misses/{id}")
    }
    /// `node-missed-calls/<id>`: the calls of those changes, by method
    /// ([`super::MissedCalls`]), for the administrator.
    pub fn node_missed_calls(id: &str) -> String {
        format!("node-missed-calls/{id}")
    }
    /// `node-follows/<id>/<gateway>`: one gateway process's count of the
    /// changes it queued for the node while it followed them, and of those
    /// it settled ([`super::FollowCount`]).
    pub fn node_follows(id: &str, gateway: &str) -> String {
        format!("node-follows/{id}/{gateway}")
    }
    /// `node-follows/<id>/`: the prefix of the node's follow records.
    pub fn node_follows_of(id: &str) -> String {
        format!("node-follows/{id}/")
    }
    /// `node-number/<n>`.
    pub fn node_number(n: u32) -> String {
        format!("node-number/{}", padded(n))
    }
    /// `client/<minion id>`.
    pub fn client(minion_id: &str) -> String {
        format!("client/{minion_id}")
    }
    /// `client-fp/<fingerprint>`.
    pub fn client_fingerprint(fp: &str) -> String {
        format!("client-fp/{fp}")
    }
    /// `sys/<cluster id>`.
    pub fn system(cluster_id: i32) -> String {
        format!("sys/{}", padded(cluster_id))
    }
    /// `sys-local/<node>/<local id>`.
    pub fn system_local(node: &str, local_id: i32) -> String {
        format!("sys-local/{node}/{}", padded(local_id))
    }
    /// `sys-left/<node>/<local id>`: a copy a system left on a node it
    /// moved away from.
    pub fn system_left(node: &str, local_id: i32) -> String {
        format!("sys-left/{node}/{}", padded(local_id))
    }
    /// `sys-minion/<minion id>`.
    pub fn system_minion(minion_id: &str) -> String {
        format!("sys-minion/{minion_id}")
    }
    /// `act/<cluster id>`.
    pub fn action(cluster_id: i32) -> String {
        format!("act/{}", padded(cluster_id))
    }
    /// `act-local/<node>/<local id>`.
    pub fn action_local(node: &str, local_id: i32) -> String {
        format!("act-local/{node}/{}", padded(local_id))
    }
    /// `sched/<cluster id>`.
    pub fn schedule(cluster_id: i32) -> String {
        format!("sched/{}", padded(cluster_id))
    }
    /// `sched-local/<node>/<local id>`.
    pub fn schedule_local(node: &str, local_id: i32) -> String {
        format!("sched-local/{node}/{}", padded(local_id))
    }
    /// `obj/<kind>/<cluster id>`: the node-numbered objects other than
    /// actions and schedules (images, snapshots, ...).
    pub fn object(kind: &str, cluster_id: i32) -> String {
        format!("obj/{kind}/{}", padded(cluster_id))
    }
    /// `obj-local/<kind>/<node>/<local id>`.
    pub fn object_local(kind: &str, node: &str, local_id: i32) -> String {
        format!("obj-local/{kind}/{node}/{}", padded(local_id))
    }
    /// `grp/<cluster id>`.
    pub fn group(cluster_id: i32) -> String {
        format!("grp/{}", padded(cluster_id))
    }
    /// `grp-local/<node>/<local id>`.
    pub fn group_local(node: &str, local_id: i32) -> String {
        format!("grp-local/{node}/{}", padded(local_id))
    }
    /// `grp-name/<org id>/<name>`.
    pub fn group_name(org_id: i32, name: &str) -> String {
        format!("grp-name/{}/{name}", padded(org_id))
    }
    /// `pkg/<cluster id>`.
    pub fn package(cluster_id: i32) -> String {
        format!("pkg/{}", padded(cluster_id))
    }
    /// `pkg-local/<node>/<local id>`.
    pub fn package_local(node: &str, local_id: i32) -> String {
        format!("pkg-local/{node}/{}", padded(local_id))
    }
    /// `pkg-name/<name-[epoch:]version-release.arch>`.
    pub fn package_name(nevra: &str) -> String {
        format!("pkg-name/{nevra}")
    }
    /// `erratum/<cluster id>`.
    pub fn erratum(cluster_id: i32) -> String {
        format!("erratum/{}", padded(cluster_id))
    }
    /// `erratum-local/<node>/<local id>`.
    pub fn erratum_local(node: &str, local_id: i32) -> String {
        format!("erratum-local/{node}/{}", padded(local_id))
    }
    /// `erratum-name/<advisory name>`.
    pub fn erratum_name(advisory: &str) -> String {
        format!("erratum-name/{advisory}")
    }
    /// `channel/<cluster id>`.
    pub fn channel(cluster_id: i32) -> String {
        format!("channel/{}", padded(cluster_id))
    }
    /// `channel-local/<node>/<local id>`.
    pub fn channel_local(node: &str, local_id: i32) -> String {
        format!("channel-local/{node}/{}", padded(local_id))
    }
    /// `channel-label/<label>`.
    pub fn channel_label(label: &str) -> String {
        format!("channel-label/{label}")
    }
    /// `repo/<cluster id>`.
    pub fn repository(cluster_id: i32) -> String {
        format!("repo/{}", padded(cluster_id))
    }
    /// `repo-local/<node>/<local id>`.
    pub fn repository_local(node: &str, local_id: i32) -> String {
        format!("repo-local/{node}/{}", padded(local_id))
    }
    /// `repo-label/<label>`.
    pub fn repository_label(label: &str) -> String {
        format!("repo-label/{label}")
    }
    /// `cfilter/<cluster id>`.
    pub fn content_filter(cluster_id: i32) -> String {
        format!("cfilter/{}", padded(cluster_id))
    }
    /// `cfilter-local/<node>/<local id>`.
    pub fn content_filter_local(node: &str, local_id: i32) -> String {
        format!("cfilter-local/{node}/{}", padded(local_id))
    }
    /// `cfilter-name/<name>`.
    pub fn content_filter_name(name: &str) -> String {
        format!("cfilter-name/{name}")
    }
    /// `config-channel/<cluster id>`.
    pub fn config_channel(cluster_id: i32) -> String {
        format!("config-channel/{}", padded(cluster_id))
    }
    /// `config-channel-local/<node>/<local id>`.
    pub fn config_channel_local(node: &str, local_id: i32) -> String {
        format!("config-channel-local/{node}/{}", padded(local_id))
    }
    /// `config-channel-label/<label>`.
    pub fn config_channel_label(label: &str) -> String {
        format!("config-channel-label/{label}")
    }
    /// `source-pkg/<cluster id>`.
    pub fn source_package(cluster_id: i32) -> String {
        format!("source-pkg/{}", padded(cluster_id))
    }
    /// `source-pkg-local/<node>/<local id>`.
    pub fn source_package_local(node: &str, local_id: i32) -> String {
        format!("source-pkg-local/{node}/{}", padded(local_id))
    }
    /// `source-pkg-name/<name>`.
    pub fn source_package_name(name: &str) -> String {
        format!("source-pkg-name/{name}")
    }
    /// `session/<id>`.
    pub fn session(id: u64) -> String {
        format!("session/{id}")
    }
    /// `move/<id>`.
    pub fn move_record(id: u64) -> String {
        format!("move/{}", padded(id as i64))
    }
    /// `op/<id>`.
    pub fn operation(id: u64) -> String {
        format!("op/{}", padded(id as i64))
    }
    /// `counter/<name>`.
    pub fn counter(name: &str) -> String {
        format!("counter/{name}")
    }
    /// `counter/<space>-id`: the cluster id counter of an id space
    /// ([`ID_SPACES`]).
    pub fn id_counter(space: &str) -> String {
        format!("counter/{space}-id")
    }
}

/// The id spaces cluster ids are allocated from, besides each
/// [`super::ObjectKind`] and [`super::ContentKind`]: systems and system
/// groups.
const ID_SPACES: [&str; 2] = ["system", "group"];

/// Whether `name` (a key less `counter/`) is the counter of an id space.
fn is_id_counter(name: &[u8]) -> bool {
    let Some(space) = name.strip_suffix(b"-id".as_slice()) else {
        return false;
    };
    ID_SPACES
        .into_iter()
        .chain(super::ObjectKind::ALL.map(super::ObjectKind::slug))
        .chain(super::ContentKind::ALL.map(super::ContentKind::slug))
        .any(|s| s.as_bytes() == space)
}

/// How far the gateway token reaches into a key (the `/gateway/v1/store`
/// API): a gateway shares sessions and the identity map with the director
/// and reads the node list and the clients' placement (to tell the copy a
/// moved system left on its old node from the system itself); moves,
/// operations, zones and the node numbering are none of its business, and
/// it writes no client. (It records seed-node runs on node records through
/// `/gateway/v1/nodes/{id}/seeded`, not the store.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GatewayReach {
    /// Neither read nor written.
    None,
    /// Read and scanned only.
    Read,
    /// Read, scanned and written.
    ReadWrite,
}

/// Prefixes a gateway reads but never writes: the node list and the
/// clients (where the director places each).
const GATEWAY_READS: &[&str] = &["node/", "client/"];

/// Prefixes a gateway reads and writes: sessions, the identity map and
/// the counts of changes each following node was sent and missed.
const GATEWAY_WRITES: &[&str] = &[
    "node-misses/",
    "node-missed-calls/",
    "node-follows/",
    "session/",
    "sys/",
    "sys-local/",
    "sys-minion/",
    "sys-left/",
    "act/",
    "act-local/",
    "sched/",
    "sched-local/",
    "obj/",
    "obj-local/",
    "grp/",
    "grp-local/",
    "grp-name/",
    "pkg/",
    "pkg-local/",
    "pkg-name/",
    "erratum/",
    "erratum-local/",
    "erratum-name/",
    "channel/",
    "channel-local/",
    "channel-label/",
    "repo/",
    "repo-local/",
    "repo-label/",
    "cfilter/",
    "cfilter-local/",
    "cfilter-name/",
    "config-channel/",
    "config-channel-local/",
    "config-channel-label/",
    "source-pkg/",
    "source-pkg-local/",
    "source-pkg-name/",
];

impl GatewayReach {
    /// How far the gateway token reaches into `key`. Besides the prefixes
    /// above, it allocates session ids (`counter/session`) and cluster ids
    /// (`counter/<space>-id` of each id space), but not node numbers,
    /// moves or operations.
    pub fn of(key: &[u8]) -> GatewayReach {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| key.starts_with(p.as_bytes()));
        if starts(GATEWAY_WRITES) {
            return GatewayReach::ReadWrite;
        }
        if starts(GATEWAY_READS) {
            return GatewayReach::Read;
        }
        match key.strip_prefix(b"counter/".as_slice()) {
            Some(b"session") => GatewayReach::ReadWrite,
            Some(name) if is_id_counter(name) => GatewayReach::ReadWrite,
            _ => GatewayReach::None,
        }
    }

    /// The first key of a transaction beyond the gateway token's reach,
    /// with the reach it needs: its checks read, its writes write.
    pub fn first_refused<'k>(
        checks: impl IntoIterator<Item = &'k [u8]>,
        writes: impl IntoIterator<Item = &'k [u8]>,
    ) -> Option<(&'k [u8], GatewayReach)> {
        let checks = checks.into_iter().map(|k| (k, GatewayReach::Read));
        let writes = writes.into_iter().map(|k| (k, GatewayReach::ReadWrite));
        checks
            .chain(writes)
            .find(|(key, need)| GatewayReach::of(key) < *need)
    }

    /// Whether the gateway token may scan the keys under `prefix`: only
    /// within one of the prefixes it reads (never the whole store).
    pub fn may_scan(prefix: &[u8]) -> bool {
        GATEWAY_READS
            .iter()
            .chain(GATEWAY_WRITES)
            .any(|p| prefix.starts_with(p.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::{GatewayReach, Keys};

    #[test]
    fn numeric_keys_sort_numerically() {
        assert!(Keys::system(9) < Keys::system(10));
        assert!(Keys::system_local("n1", 1_000_010_009) < Keys::system_local("n1", 1_000_010_010));
        assert!(Keys::move_record(99) < Keys::move_record(100));
    }

    #[test]
    fn the_gateway_reaches_sessions_and_identities_and_reads_nodes_and_clients() {
        let writes = [
            Keys::node_misses("n1"),
            Keys::node_missed_calls("n1"),
            Keys::node_follows("n1", "gw"),
            Keys::session(7),
            Keys::system(1),
            Keys::system_local("n1", 1),
            Keys::system_minion("m"),
            Keys::system_left("n1", 1),
            Keys::action(1),
            Keys::action_local("n1", 1),
            Keys::schedule(1),
            Keys::schedule_local("n1", 1),
            Keys::object("image", 1),
            Keys::object_local("image", "n1", 1),
            Keys::group(1),
            Keys::group_local("n1", 1),
            Keys::group_name(1, "g"),
            Keys::package(1),
            Keys::package_local("n1", 1),
            Keys::package_name("p-1-1.x86_64"),
            Keys::erratum(1),
            Keys::erratum_local("n1", 1),
            Keys::erratum_name("SUSE-1"),
            Keys::channel(1),
            Keys::channel_local("n1", 1),
            Keys::channel_label("c"),
            Keys::repository(1),
            Keys::repository_local("n1", 1),
            Keys::repository_label("r"),
            Keys::content_filter(1),
            Keys::content_filter_local("n1", 1),
            Keys::content_filter_name("f"),
            Keys::config_channel(1),
            Keys::config_channel_local("n1", 1),
            Keys::config_channel_label("c"),
            Keys::source_package(1),
            Keys::source_package_local("n1", 1),
            Keys::source_package_name("bash-5.1-1.src.rpm"),
            Keys::counter("session"),
            Keys::counter("system-id"),
            Keys::counter("image-id"),
            Keys::counter("config-channel-id"),
        ];
        let id_counters = crate::model::ObjectKind::ALL
            .map(|k| Keys::id_counter(k.slug()))
            .into_iter()
            .chain(crate::model::ContentKind::ALL.map(|k| Keys::id_counter(k.slug())));
        for key in writes.into_iter().chain(id_counters) {
            assert_eq!(
                GatewayReach::of(key.as_bytes()),
                GatewayReach::ReadWrite,
                "{key}"
            );
        }
        for key in [Keys::node("n1"), Keys::client("m")] {
            assert_eq!(
                GatewayReach::of(key.as_bytes()),
                GatewayReach::Read,
                "{key}"
            );
        }
        let none = [
            Keys::zone("z"),
            Keys::node_number(1),
            Keys::client_fingerprint("f"),
            Keys::move_record(1),
            Keys::operation(1),
            Keys::counter("node-number"),
            Keys::counter("move"),
            Keys::counter("op"),
            Keys::counter("x/y-id"),
            Keys::counter("made-up-id"),
            Keys::counter("node-number-id"),
            "counter/".to_owned(),
            "nodes".to_owned(),
            "unknown/1".to_owned(),
        ];
        for key in none {
            assert_eq!(
                GatewayReach::of(key.as_bytes()),
                GatewayReach::None,
                "{key}"
            );
        }
    }

    #[test]
    fn the_gateway_scans_only_within_its_prefixes() {
        assert!(GatewayReach::may_scan(b"node/"));
        assert!(GatewayReach::may_scan(b"sys-local/n1/"));
        assert!(GatewayReach::may_scan(b"session/"));
        assert!(GatewayReach::may_scan(b"client/"));
        for prefix in [
            &b""[..],
            b"s",
            b"sys",
            b"node",
            b"client",
            b"counter/",
            b"op/",
        ] {
            assert!(!GatewayReach::may_scan(prefix), "{}", prefix.escape_ascii());
        }
    }
}
