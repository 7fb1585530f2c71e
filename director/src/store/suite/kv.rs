//! Plain reads and writes: get, put, delete, prefix scans, binary keys,
//! large values.

use crate::store::{Store, StoreError, Txn};

pub(super) async fn basics(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let key = k(b"basic");
    assert_eq!(store.get(&key).await.expect("get"), None, "fresh key");
    store.put(&key, b"one").await.expect("put");
    assert_eq!(
        store.get(&key).await.expect("get").as_deref(),
        Some(&b"one"[..])
    );
    store.put(&key, b"two").await.expect("overwrite");
    assert_eq!(
        store.get(&key).await.expect("get").as_deref(),
        Some(&b"two"[..])
    );
    assert!(matches!(
        store.put(&key, b"").await,
        Err(StoreError::EmptyValue { .. })
    ));
    assert_eq!(
        store.get(&key).await.expect("get").as_deref(),
        Some(&b"two"[..])
    );
    store.delete(&key).await.expect("delete");
    assert_eq!(store.get(&key).await.expect("get"), None, "deleted key");
    store
        .delete(&key)
        .await
        .expect("deleting a missing key is fine");
}

pub(super) async fn empty_keys(store: &Store) {
    assert!(matches!(store.get(b"").await, Err(StoreError::EmptyKey)));
    assert!(matches!(
        store.put(b"", b"x").await,
        Err(StoreError::EmptyKey)
    ));
    assert!(matches!(
        store.transact(Txn::new().put(b"", b"x")).await,
        Err(StoreError::EmptyKey)
    ));
}

pub(super) async fn prefix_scans(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    for key in ["a/2", "a/10", "a/1", "a0", "a", "a/", "b/1", "0"] {
        store.put(k(key.as_bytes()), key).await.expect("put");
    }
    let keys = |pairs: Vec<(Vec<u8>, Vec<u8>)>| -> Vec<Vec<u8>> {
        pairs
            .into_iter()
            .map(|(key, value)| {
                assert_eq!(key, k(&value), "value stored under its own key");
                key
            })
            .collect()
    };
    let all_a = keys(store.scan_prefix(k(b"a/"), usize::MAX).await.expect("scan"));
    let expected: Vec<_> = ["a/", "a/1", "a/10", "a/2"]
        .iter()
        .map(|s| k(s.as_bytes()))
        .collect();
    assert_eq!(all_a, expected, "prefix a/ in byte order, without a0 or a");
    let first_two = keys(store.scan_prefix(k(b"a/"), 2).await.expect("scan"));
    assert_eq!(first_two, expected[..2], "limit keeps the first keys");
    assert!(
        store
            .scan_prefix(k(b"a/"), 0)
            .await
            .expect("scan")
            .is_empty(),
        "limit 0"
    );
    let under_a = keys(store.scan_prefix(k(b"a"), usize::MAX).await.expect("scan"));
    assert_eq!(
        under_a.len(),
        6,
        "prefix a covers a, a/, a/1, a/10, a/2, a0"
    );
    assert!(
        store
            .scan_prefix(k(b"c/"), 10)
            .await
            .expect("scan")
            .is_empty(),
        "no match"
    );
    let whole = keys(store.scan_prefix(k(b""), usize::MAX).await.expect("scan"));
    assert_eq!(
        whole.first(),
        Some(&k(b"0")),
        "namespace scan starts at its smallest key"
    );
    assert!(whole.windows(2).all(|w| w[0] < w[1]), "ascending order");
}

pub(super) async fn binary_keys(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let inside = [
        &b"bin/\xff"[..],
        b"bin/\xff\x00",
        b"bin/\xff\xff\xff",
        b"bin/\xff\x01\x00",
    ];
    let outside = [&b"bin/\xfe\xff"[..], b"bin0", b"bin/"];
    for (i, key) in inside.iter().chain(&outside).enumerate() {
        store
            .put(k(key), [i as u8, 0, 255])
            .await
            .expect("put binary");
    }
    assert_eq!(
        store.get(k(b"bin/\xff\x00")).await.expect("get").as_deref(),
        Some(&[1u8, 0, 255][..])
    );
    let found: Vec<Vec<u8>> = store
        .scan_prefix(k(b"bin/\xff"), usize::MAX)
        .await
        .expect("scan")
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    let mut expected: Vec<Vec<u8>> = inside.iter().map(|key| k(key)).collect();
    expected.sort();
    assert_eq!(found, expected, "a prefix ending in 0xff");
}

pub(super) async fn large_values(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let big: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    store.put(k(b"big/put"), &big).await.expect("put 1 MiB");
    assert!(
        store.get(k(b"big/put")).await.expect("get").as_ref() == Some(&big),
        "1 MiB"
    );
    let txn = Txn::new()
        .check(k(b"big/txn"), None)
        .put(k(b"big/txn"), &big);
    assert_eq!(store.transact(txn).await.expect("txn 1 MiB"), Ok(()));
    let scanned = store.scan_prefix(k(b"big/"), 10).await.expect("scan");
    assert_eq!(scanned.len(), 2);
    assert!(
        scanned.iter().all(|(_, v)| *v == big),
        "1 MiB values through a scan"
    );
}
