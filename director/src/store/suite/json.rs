//! The typed JSON helpers.

use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Node {
    pub(super) name: String,
    pub(super) systems: u32,
}

pub(super) async fn json_records(store: &Store, k: &impl Fn(&[u8]) -> Vec<u8>) {
    let n1 = Node {
        name: "n1".into(),
        systems: 10,
    };
    let key = k(b"json/n1");
    store.put_json(&key, &n1).await.expect("put_json");
    assert_eq!(
        store.get_json::<Node>(&key).await.expect("get_json"),
        Some(n1.clone())
    );
    assert_eq!(
        store
            .get_json::<Node>(k(b"json/none"))
            .await
            .expect("get_json"),
        None
    );

    let n1b = Node {
        systems: 11,
        ..n1.clone()
    };
    assert_eq!(
        store
            .cas_json(&key, Some(&n1), Some(&n1b))
            .await
            .expect("cas_json"),
        Ok(())
    );
    let stale = store
        .cas_json(&key, Some(&n1), None)
        .await
        .expect("cas_json");
    assert_eq!(
        stale,
        Err(Some(n1b.clone())),
        "stale cas_json reports the current record"
    );

    let updated = store
        .update_json(&key, |n: Option<Node>| {
            n.map(|n| Node {
                systems: n.systems + 1,
                ..n
            })
        })
        .await
        .expect("update_json");
    assert_eq!(updated.map(|n| n.systems), Some(12));
    store
        .put_json(
            k(b"json/n2"),
            &Node {
                name: "n2".into(),
                systems: 0,
            },
        )
        .await
        .expect("put");
    let listed = store
        .scan_prefix_json::<Node>(k(b"json/"), 10)
        .await
        .expect("scan_json");
    let names: Vec<_> = listed.iter().map(|(_, n)| n.name.as_str()).collect();
    assert_eq!(names, ["n1", "n2"]);

    store
        .put(k(b"json/bad"), b"secret-not-json")
        .await
        .expect("put");
    let err = store
        .get_json::<Node>(k(b"json/bad"))
        .await
        .expect_err("not JSON");
    let text = err.to_string();
    assert!(matches!(err, StoreError::Codec { .. }), "{text}");
    assert!(
        text.contains("json/bad") && !text.contains("secret"),
        "names the key only: {text}"
    );
}
