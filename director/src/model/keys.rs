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
}

#[cfg(test)]
mod tests {
    use super::Keys;

    #[test]
    fn numeric_keys_sort_numerically() {
        assert!(Keys::system(9) < Keys::system(10));
        assert!(Keys::system_local("n1", 1_000_010_009) < Keys::system_local("n1", 1_000_010_010));
        assert!(Keys::move_record(99) < Keys::move_record(100));
    }
}
