//! Organization ids, which the cluster does not map: each node numbers
//! its organizations itself, and a change by an id that names different
//! organizations on the nodes is refused before any node changes.

use super::*;

/// `org.create`'s arguments after the session key for `name`.
fn org_args(name: &str, admin: &str) -> Vec<Value> {
    vec![
        Value::string(name),
        Value::string(admin),
        Value::string("s3cret-admin-pw"),
        Value::string("Mr."),
        Value::string(name),
        Value::string("Admin"),
        Value::string(format!("{admin}@example.com")),
        Value::Bool(false),
    ]
}

/// The name of organization `id` on each of `sims`, asked directly.
async fn org_names(sims: &[Sim; 3], id: i32) -> Vec<String> {
    let mut names = Vec::new();
    for sim in sims {
        let org = Direct::on(sim)
            .await
            .call("org.getDetails", vec![Value::Int(id)])
            .await;
        names.push(member(&org, "name").as_str().unwrap().to_owned());
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_an_organization_id_the_nodes_number_apart_is_refused() {
    let (sims, gw) = synced_apart([1, 1, 1]).await;
    let key = login(&gw).await;
    // An organization made on node 2 alone: the nodes' numbers part.
    Direct::on(&sims[1])
        .await
        .call("org.create", org_args("Lab", "labadmin"))
        .await;
    let mut args = vec![key.clone()];
    args.extend(org_args("Sales", "salesadmin"));
    let made = call(&gw, "org.create", args).await.unwrap();
    assert_eq!(member(&made, "id"), &Value::Int(2));
    assert_eq!(org_names(&sims, 2).await, ["Sales", "Lab", "Sales"]);

    // Renaming or deleting organization 2 would change "Lab" on node 2:
    // refused, and no node changed.
    for (method, extra) in [
        ("org.updateName", vec![Value::string("Sales EU")]),
        ("org.delete", vec![]),
    ] {
        let mut params = vec![key.clone(), Value::Int(2)];
        params.extend(extra);
        let fault = call(&gw, method, params).await.unwrap_err();
        assert_eq!(fault.code, -1, "{method}: {fault:?}");
        assert!(
            fault
                .string
                .contains("organization id 2 names different organizations")
                && fault.string.contains("n2: \"Lab\"")
                && fault.string.contains("n1: \"Sales\""),
            "{method}: {fault:?}"
        );
        assert_eq!(org_names(&sims, 2).await, ["Sales", "Lab", "Sales"]);
    }
    // Within a multicall too.
    let multi = call(
        &gw,
        "system.multicall",
        vec![Value::Array(vec![Value::Struct(
            xmlrpc::Struct::new()
                .with("methodName", Value::string("org.delete"))
                .with("params", Value::Array(vec![key.clone(), Value::Int(2)])),
        )])],
    )
    .await
    .unwrap();
    let refused = &multi.as_array().unwrap()[0];
    assert!(
        member(refused, "faultString")
            .as_str()
            .unwrap()
            .contains("organization id 2 names different organizations"),
        "{refused:?}"
    );
    assert_eq!(org_names(&sims, 2).await, ["Sales", "Lab", "Sales"]);
    // A create every node refuses (the name is taken) does not echo the
    // admin's password.
    let mut args = vec![key.clone()];
    args.extend(org_args("Sales", "salesadmin2"));
    let taken = call(&gw, "org.create", args).await.unwrap_err();
    assert!(!taken.string.contains("s3cret"), "{taken:?}");

    // Each node's first organization is one, whatever each calls it.
    let first = org_names(&sims, 1).await;
    assert_ne!(first[0], first[2], "{first:?}");
    let renamed = call(
        &gw,
        "org.updateName",
        vec![key.clone(), Value::Int(1), Value::string("Example Corp")],
    )
    .await
    .unwrap();
    assert_eq!(member(&renamed, "id"), &Value::Int(1));
    assert_eq!(org_names(&sims, 1).await, ["Example Corp"; 3]);

    // An id that names one organization on every node passes.
    Direct::on(&sims[0])
        .await
        .call("org.create", org_args("Lab", "labadmin"))
        .await;
    Direct::on(&sims[2])
        .await
        .call("org.create", org_args("Lab", "labadmin"))
        .await;
    assert_eq!(org_names(&sims, 3).await, ["Lab", "Sales", "Lab"]);
    let mut args = vec![key.clone()];
    args.extend(org_args("Support", "supportadmin"));
    call(&gw, "org.create", args).await.unwrap();
    assert_eq!(org_names(&sims, 4).await, ["Support"; 3]);
    let renamed = call(
        &gw,
        "org.updateName",
        vec![key.clone(), Value::Int(4), Value::string("Support EU")],
    )
    .await
    .unwrap();
    assert_eq!(member(&renamed, "name").as_str(), Some("Support EU"));
    assert_eq!(org_names(&sims, 4).await, ["Support EU"; 3]);
    // A rename that reached one node only can be sent again.
    Direct::on(&sims[0])
        .await
        .call(
            "org.updateName",
            vec![Value::Int(4), Value::string("Support Europe")],
        )
        .await;
    call(
        &gw,
        "org.updateName",
        vec![key.clone(), Value::Int(4), Value::string("Support Europe")],
    )
    .await
    .unwrap();
    assert_eq!(org_names(&sims, 4).await, ["Support Europe"; 3]);
}
