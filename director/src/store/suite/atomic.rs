//! Atomic operations: compare-and-swap, transactions, and counters and
//! allocations raced by many tasks.

use std::collections::BTreeSet;

use super::json::Node;
use crate::store::{Store, Txn};

/// How many tasks race in the concurrency checks.
const TASKS: u64 = 32;
/// How many counter values each of them allocates.
const PER_TASK: u64 = 8;

pub(super) async fn compare_and_swap(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let key = k(b"cas");
    let cas = |expected: Option<&'static [u8]>, new: Option<&'static [u8]>| {
        let key = key.clone();
        async move {
            store
                .compare_and_swap(&key, expected, new)
                .await
                .expect("cas")
        }
    };
    assert_eq!(
        cas(Some(b"x"), Some(b"y")).await,
        Err(None),
        "expected a value, found none"
    );
    assert_eq!(cas(None, Some(b"v1")).await, Ok(()), "create when absent");
    assert_eq!(
        cas(None, Some(b"v9")).await,
        Err(Some(b"v1".to_vec())),
        "create twice"
    );
    assert_eq!(
        cas(Some(b"v0"), Some(b"v9")).await,
        Err(Some(b"v1".to_vec())),
        "stale"
    );
    assert_eq!(cas(Some(b"v1"), Some(b"v2")).await, Ok(()), "swap");
    assert_eq!(store.get(&key).await.expect("get"), Some(b"v2".to_vec()));
    assert_eq!(
        cas(Some(b"v1"), None).await,
        Err(Some(b"v2".to_vec())),
        "stale delete"
    );
    assert_eq!(cas(Some(b"v2"), None).await, Ok(()), "delete");
    assert_eq!(store.get(&key).await.expect("get"), None, "deleted by cas");
    assert_eq!(cas(None, None).await, Ok(()), "absent stays absent");
}

pub(super) async fn transactions(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let (rec, idx, old) = (k(b"txn/rec"), k(b"txn/idx"), k(b"txn/old"));
    store.put(&old, b"stale").await.expect("put");
    let txn = Txn::new()
        .check(&rec, None)
        .check(&old, Some(b"stale".to_vec()))
        .put(&rec, b"record")
        .put(&idx, b"rec")
        .delete(&old);
    assert_eq!(store.transact(txn).await.expect("txn"), Ok(()));
    assert_eq!(
        store.get(&rec).await.expect("get"),
        Some(b"record".to_vec())
    );
    assert_eq!(store.get(&idx).await.expect("get"), Some(b"rec".to_vec()));
    assert_eq!(store.get(&old).await.expect("get"), None);

    let failing = Txn::new()
        .check(&idx, Some(b"rec".to_vec()))
        .check(&rec, None)
        .put(&idx, b"other")
        .put(k(b"txn/new"), b"x");
    let conflict = store
        .transact(failing)
        .await
        .expect("txn")
        .expect_err("check fails");
    assert_eq!(
        (conflict.key, conflict.current),
        (rec.clone(), Some(b"record".to_vec()))
    );
    assert_eq!(
        store.get(&idx).await.expect("get"),
        Some(b"rec".to_vec()),
        "nothing written"
    );
    assert_eq!(
        store.get(k(b"txn/new")).await.expect("get"),
        None,
        "nothing written"
    );

    let last_wins = Txn::new().put(&rec, b"first").put(&rec, b"second");
    assert_eq!(store.transact(last_wins).await.expect("txn"), Ok(()));
    assert_eq!(
        store.get(&rec).await.expect("get"),
        Some(b"second".to_vec())
    );
}

pub(super) async fn concurrent_counter(store: &Store, key: &[u8]) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (store, key) = (store.clone(), key.to_vec());
        tasks.spawn(async move {
            let mut got = Vec::new();
            for _ in 0..PER_TASK {
                got.push(
                    store
                        .allocate_counter(&key)
                        .await
                        .expect("allocate_counter"),
                );
            }
            got
        });
    }
    let mut values = BTreeSet::new();
    while let Some(got) = tasks.join_next().await {
        for value in got.expect("counter task") {
            assert!(values.insert(value), "value {value} handed out twice");
        }
    }
    let expected: BTreeSet<u64> = (1..=TASKS * PER_TASK).collect();
    assert_eq!(values, expected, "every value from 1 to N exactly once");
    let stored: u64 = store
        .get_json(key)
        .await
        .expect("get")
        .expect("counter exists");
    assert_eq!(stored, TASKS * PER_TASK);
}

pub(super) async fn concurrent_allocation(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let counter = k(b"alloc/next");
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (store, counter) = (store.clone(), counter.clone());
        let name_key = k(format!("alloc/by-name/n{task}").as_bytes());
        let record_prefix = k(b"alloc/node/");
        tasks.spawn(async move {
            store
                .allocate_with(&counter, |id| {
                    let record = [record_prefix.as_slice(), format!("{id:08}").as_bytes()].concat();
                    Txn::new()
                        .check(&name_key, None)
                        .put(&name_key, id.to_string())
                        .put_json(
                            &record,
                            &Node {
                                name: format!("n{task}"),
                                systems: 0,
                            },
                        )
                })
                .await
                .expect("allocate_with")
                .expect("names are unique")
        });
    }
    let mut ids = BTreeSet::new();
    while let Some(id) = tasks.join_next().await {
        assert!(
            ids.insert(id.expect("allocation task")),
            "id handed out twice"
        );
    }
    assert_eq!(ids, (1..=TASKS).collect::<BTreeSet<u64>>());
    let records = store
        .scan_prefix_json::<Node>(k(b"alloc/node/"), usize::MAX)
        .await
        .expect("scan");
    assert_eq!(records.len() as u64, TASKS, "one record per allocated id");
    for (key, node) in records {
        let id = store
            .get(k(format!("alloc/by-name/{}", node.name).as_bytes()))
            .await
            .expect("get");
        let id = String::from_utf8(id.expect("index entry")).expect("utf-8");
        assert!(key.ends_with(format!("{:08}", id.parse::<u64>().expect("id")).as_bytes()));
    }

    let taken = k(b"alloc/by-name/n0");
    let conflict = store
        .allocate_with(&counter, |_| {
            Ok(Txn::new().check(&taken, None).put(&taken, "x"))
        })
        .await
        .expect("allocate_with")
        .expect_err("the name is taken");
    assert_eq!(conflict.key, taken);
    let counter_now: u64 = store
        .get_json(&counter)
        .await
        .expect("get")
        .expect("counter");
    assert_eq!(
        counter_now, TASKS,
        "a refused allocation leaves the counter alone"
    );
}
