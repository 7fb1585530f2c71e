//! The fast path gives the value path's answer: for the same node answers,
//! scanning, translating, merging and writing from the nodes' bytes makes
//! the document that parsing, translating ([`translate::result_from_node`]),
//! [`merge_fanout`] and encoding make — byte for byte when the nodes wrote
//! the plain form, value for value otherwise.

use std::sync::Arc;

use bytes::Bytes;
use director::store::Store;
use spec::Entry;
use xmlrpc::{Limits, Struct, Value, encode_response, parse_response};

use super::*;
use crate::directory::{CachedIdentity, IdMemo};
use crate::route::list_scan::{self, ListShape, Scanned};
use crate::route::merge::{merge_fanout, order_of};
use crate::route::translate;

fn entry(method: &str) -> &'static Entry {
    let key = Value::string(format!("1x{}", "a".repeat(64)));
    spec::spec().resolve(method, &[key]).unwrap()
}

/// Both paths over the same identity map (the fast path allocates first,
/// the value path then finds the same ids); returns (fast, value path).
async fn both(method: &str, docs: &[Vec<u8>]) -> (Vec<u8>, Value) {
    both_over(&CachedIdentity::new(Store::memory()), method, docs).await
}

/// [`both`] over the identity map `ids`.
async fn both_over(ids: &CachedIdentity, method: &str, docs: &[Vec<u8>]) -> (Vec<u8>, Value) {
    let entry = entry(method);
    let shape = Arc::new(ListShape::of(entry).unwrap());
    let mut lists = Vec::new();
    for (n, doc) in docs.iter().enumerate() {
        let scanned = list_scan::scan(Bytes::from(doc.clone()), shape.clone())
            .await
            .unwrap()
            .unwrap();
        let Scanned::List(mut list) = scanned else {
            panic!("node {n}: not a list of structs");
        };
        let node = format!("n{n}");
        list_scan::translate(ids, &shape, &mut list, &node, &mut IdMemo::default())
            .await
            .unwrap();
        lists.push(list);
    }
    let order = merged_order(&lists, order_of(method));
    let chunks: Vec<Bytes> = ListWriter::new(lists, order).collect();
    assert!(chunks.iter().all(|c| c.len() <= CHUNK + 64 * 1024));
    let fast = chunks.concat();
    let mut values = Vec::new();
    for (n, doc) in docs.iter().enumerate() {
        let mut value = parse_response(doc, &Limits::RESPONSE).unwrap().unwrap();
        translate::result_from_node(ids, entry, &mut value, &format!("n{n}"))
            .await
            .unwrap();
        values.push(value);
    }
    (fast, merge_fanout(method, values))
}

/// Byte for byte, shown as text when not.
fn assert_same_text(fast: &[u8], value_path: &[u8]) {
    assert!(
        fast == value_path,
        "fast path:\n{}\nvalue path:\n{}",
        String::from_utf8_lossy(fast),
        String::from_utf8_lossy(value_path)
    );
}

fn system(id: i32, name: &str) -> Struct {
    Struct::new()
        .with("id", Value::Int(id))
        .with("name", Value::string(name))
        .with("last_checkin", Value::DateTime("20240101T10:00:00".into()))
}

fn doc(items: Vec<Struct>) -> Vec<u8> {
    encode_response(&Value::Array(
        items.into_iter().map(Value::Struct).collect(),
    ))
}

#[tokio::test]
async fn systems_merge_alike_with_escapes_unicode_gaps_and_nesting() {
    let n1 = doc(vec![
        system(5, "a & <b>"),
        system(1, "c"),
        system(9, "zz \u{1F600} ünï"),
        // Equal names across nodes: by cluster id.
        system(2, "dup"),
        Struct::new().with("id", Value::Int(3)),
        Struct::new().with("name", Value::string("no id")),
        system(6, "nested").with(
            "more",
            Value::Array(vec![Value::Struct(
                Struct::new()
                    .with("id", Value::Int(77))
                    .with("name", Value::string("inner")),
            )]),
        ),
        Struct::new()
            .with("name", Value::Int(4))
            .with("id", Value::Int(4)),
        Struct::new()
            .with("id", Value::string("7"))
            .with("name", Value::string("string id")),
        Struct::new()
            .with("id", Value::I8(1 << 40))
            .with("name", Value::string("huge id")),
        Struct::new()
            .with("id", Value::I8(8))
            .with("name", Value::string("small i8 id")),
    ]);
    let n2 = doc(vec![
        system(2, "b\r\nx"),
        system(4, "dup"),
        system(3, "dup"),
        system(3, "d"),
        Struct::new(),
    ]);
    let n3 = doc(vec![]);
    let (fast, merged) = both("system.listSystems", &[n1, n2, n3]).await;
    let parsed = parse_response(&fast, &Limits::RESPONSE).unwrap().unwrap();
    assert_eq!(parsed, merged);
    assert_same_text(&fast, &encode_response(&merged));
    let names: Vec<Option<&str>> = merged
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_struct().unwrap().get("name").and_then(Value::as_str))
        .collect();
    assert_eq!(names.len(), 16);
    assert_eq!(&names[..3], &[None, None, None]);
}

#[tokio::test]
async fn copies_moved_systems_left_are_left_out_alike() {
    let ids = CachedIdentity::new(Store::memory());
    // m1 was system 5 of n0 and registered on n1 as 7 (no director
    // placement: it follows); n0 still holds its copy.
    let id = ids.system_id("n0", 5, Some("m1"), None).await.unwrap();
    let moved = ids.system_id("n1", 7, Some("m1"), None).await.unwrap();
    assert_eq!(moved, id);
    let n0 = doc(vec![system(1, "a"), system(5, "m1"), system(9, "z")]);
    let n1 = doc(vec![system(7, "m1"), system(8, "b")]);
    let (fast, merged) = both_over(&ids, "system.listSystems", &[n0.clone(), n1]).await;
    assert_same_text(&fast, &encode_response(&merged));
    let listed: Vec<i32> = merged
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_struct().unwrap().get("id").unwrap().as_i64().unwrap() as i32)
        .collect();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(
        listed.iter().filter(|l| **l == id.cluster_id()).count(),
        1,
        "the system once, from its new node"
    );
    // One node's list written whole (as a listing from one node is)
    // leaves it out too.
    let shape = Arc::new(ListShape::of(entry("system.listSystems")).unwrap());
    let Scanned::List(mut list) = list_scan::scan(Bytes::from(n0), shape.clone())
        .await
        .unwrap()
        .unwrap()
    else {
        panic!("a list");
    };
    list_scan::translate(&ids, &shape, &mut list, "n0", &mut IdMemo::default())
        .await
        .unwrap();
    let one = parse_response(&list.into_document(), &Limits::RESPONSE)
        .unwrap()
        .unwrap();
    let names: Vec<&str> = one
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_struct()
                .unwrap()
                .get("name")
                .unwrap()
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["a", "z"]);
}

#[tokio::test]
async fn every_listing_about_systems_leaves_copies_out() {
    let ids = CachedIdentity::new(Store::memory());
    ids.system_id("n0", 5, Some("m1"), None).await.unwrap();
    ids.system_id("n1", 7, Some("m1"), None).await.unwrap();
    // A member other than `id` names the system.
    let score = |sid: i32| {
        Struct::new()
            .with("sid", Value::Int(sid))
            .with("score", Value::Int(3))
    };
    let n0 = doc(vec![score(5), score(6)]);
    let n1 = doc(vec![score(7)]);
    let (fast, merged) = both_over(&ids, "system.getSystemCurrencyScores", &[n0, n1]).await;
    assert_same_text(&fast, &encode_response(&merged));
    assert_eq!(merged.as_array().unwrap().len(), 2, "{merged:?}");
    // Nested entries: the copy is not offered as a duplicate of the
    // system (deleting it would delete the system).
    let duplicates = entry("system.listDuplicatesByHostname");
    let system = |sid: i32| Value::Struct(Struct::new().with("systemId", Value::Int(sid)));
    let mut answer = Value::Array(vec![Value::Struct(
        Struct::new()
            .with("hostname", Value::string("web"))
            .with("systems", Value::Array(vec![system(5), system(6)])),
    )]);
    translate::result_from_node(&ids, duplicates, &mut answer, "n0")
        .await
        .unwrap();
    let group = answer.as_array().unwrap()[0].as_struct().unwrap();
    let systems = group.get("systems").unwrap().as_array().unwrap();
    assert_eq!(systems.len(), 1, "{answer:?}");
    let six = ids.cached_system_id("n0", 6).unwrap();
    assert_eq!(systems[0], system(six));
    // Objects of their own that name a system exist on the old node: kept.
    assert!(!translate::hides_left(entry(
        "subscriptionmatching.pinnedsubscription.list"
    )));
    for method in [
        "system.listSystems",
        "system.listSystemGroupsForSystemsWithEntitlement",
    ] {
        let e = spec::spec()
            .entries()
            .iter()
            .find(|e| e.full_name() == method)
            .unwrap();
        assert!(translate::hides_left(e), "{method}");
    }
}

#[tokio::test]
async fn many_items_over_many_chunks() {
    let docs: Vec<Vec<u8>> = (0..3)
        .map(|n| {
            doc((0..4000)
                .map(|i| {
                    system(
                        1_000_010_000 + i,
                        &format!("host-{:05}-{n}", (i * 7) % 4000),
                    )
                })
                .collect())
        })
        .collect();
    let (fast, merged) = both("system.listSystems", &docs).await;
    assert_eq!(merged.as_array().unwrap().len(), 12_000);
    assert_same_text(&fast, &encode_response(&merged));
}

#[tokio::test]
async fn actions_merge_by_id() {
    let action = |id: i32| {
        Struct::new()
            .with("id", Value::Int(id))
            .with("name", Value::string(format!("action {id}")))
    };
    let n1 = doc(vec![action(3), action(1), action(2)]);
    let n2 = doc(vec![action(1), action(5)]);
    let (fast, merged) = both("schedule.listInProgressActions", &[n1, n2]).await;
    assert_same_text(&fast, &encode_response(&merged));
    // An item without an id: node order, as the value path keeps it.
    let n3 = doc(vec![
        action(9),
        Struct::new().with("name", Value::string("x")),
    ]);
    let (fast, merged) = both(
        "schedule.listInProgressActions",
        &[n3, doc(vec![action(1)])],
    )
    .await;
    assert_same_text(&fast, &encode_response(&merged));
}

#[tokio::test]
async fn other_wire_forms_merge_to_the_same_values() {
    let n1 = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n\
        <value><struct>\n<member>\n<name>name</name>\n<value>  b  </value>\n</member>\n\
        <member><name>id</name><value><int> 12 </int></value></member>\n</struct></value>\n\
        <!-- a comment --><value><struct><member><name>name</name><value><string><![CDATA[<a>]]></string></value></member>\
        <member><name>id</name><value><i4>11</i4></value></member>\
        <member><name>note</name><value><string>1&#13;2\r\n3</string></value></member></struct></value>\n\
        </data></array></value>\n</param>\n</params>\n</methodResponse>\n";
    let n2 = doc(vec![system(10, "a")]);
    let (fast, merged) = both("system.listSystems", &[n1.as_bytes().to_vec(), n2]).await;
    let parsed = parse_response(&fast, &Limits::RESPONSE).unwrap().unwrap();
    assert_eq!(parsed, merged);
}

#[tokio::test]
async fn lists_that_are_not_structs_take_the_value_path() {
    let shape = Arc::new(ListShape::of(entry("system.listSystems")).unwrap());
    for value in [
        Value::Array(vec![Value::Int(1)]),
        Value::Array(vec![Value::Struct(system(1, "a")), Value::string("x")]),
        Value::Int(3),
    ] {
        let body = Bytes::from(encode_response(&value));
        let scanned = list_scan::scan(body, shape.clone()).await.unwrap().unwrap();
        assert!(matches!(scanned, Scanned::Other(_)), "{value:?}");
    }
    // A struct is scanned as one (a routed call's answer); a fan-out takes
    // the value path for it.
    let body = Bytes::from(encode_response(&Value::Struct(system(1, "a"))));
    let scanned = list_scan::scan(body, shape.clone()).await.unwrap().unwrap();
    assert!(matches!(&scanned, Scanned::Struct(l) if l.items.len() == 1));
    let fault = Bytes::from(xmlrpc::encode_fault(&xmlrpc::Fault::new(-1, "no")));
    assert!(
        list_scan::scan(fault, shape.clone())
            .await
            .unwrap()
            .is_err()
    );
    let broken = Bytes::from_static(b"<methodResponse><params>");
    assert!(list_scan::scan(broken, shape).await.is_err());
}

#[test]
fn sent_chunks_give_their_buffers_back() {
    let pool = ChunkPool::default();
    let mut buf = pool.take();
    assert!(buf.capacity() >= CHUNK);
    buf.extend_from_slice(b"<value>x</value>");
    let at = buf.as_ptr();
    let chunk = pool.chunk(buf);
    assert_eq!(&chunk[..], b"<value>x</value>");
    // A chunk still being sent keeps its buffer: the next one is new.
    let other = pool.take();
    assert_ne!(other.as_ptr(), at);
    drop(chunk);
    let again = pool.take();
    assert_eq!(again.as_ptr(), at, "the sent chunk's buffer is reused");
    assert!(again.is_empty());
    // A buffer that grew past the pool's size is not kept.
    drop(pool.chunk(Vec::with_capacity(8)));
    assert!(pool.0.free.lock().unwrap().is_empty());
    // The pool keeps at most POOLED buffers.
    let chunks: Vec<Bytes> = (0..POOLED + 3).map(|_| pool.chunk(pool.take())).collect();
    drop(chunks);
    assert_eq!(pool.0.free.lock().unwrap().len(), POOLED);
}
