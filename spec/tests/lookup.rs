//! Lookup: snake_case aliases, release differences and the server's exact
//! faults (the table in `shared/uyuni-api/README.md`).

mod common;

use common::key;
use spec::{LookupError, Release, SessionArg, spec};
use xmlrpc::{Fault, Struct, Value};

fn fault(name: &str, args: &[Value]) -> Fault {
    spec().resolve(name, args).unwrap_err().fault()
}

#[test]
fn unknown_namespace() {
    let expected = Fault::new(-1, "The specified handler cannot be found");
    assert_eq!(fault("nosuch.listThings", &[key()]), expected);
    assert_eq!(fault("listSystems", &[key()]), expected);
    assert_eq!(fault("system.config.nosuch.listChannels", &[]), expected);
    assert_eq!(
        spec()
            .resolve_in(Release::V4_3, "access.listRoles", &[key()])
            .unwrap_err(),
        LookupError::UnknownNamespace
    );
}

#[test]
fn unknown_method_or_wrong_argument_count() {
    assert_eq!(
        fault("system.getDetails", &[key()]),
        Fault::new(
            -1,
            "redstone.xmlrpc.XmlRpcFault: Could not find method: getDetails in class: \
             com.redhat.rhn.frontend.xmlrpc.system.SystemHandler with params: \
             [com.redhat.rhn.domain.user.legacy.UserImpl]"
        )
    );
    assert_eq!(
        fault(
            "system.no_such_thing",
            &[key(), Value::Int(1), Value::string("x")]
        )
        .string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: noSuchThing in class: \
         com.redhat.rhn.frontend.xmlrpc.system.SystemHandler with params: \
         [com.redhat.rhn.domain.user.legacy.UserImpl, java.lang.Integer, java.lang.String]"
    );
    let all_kinds = [
        Value::string("not a key"),
        Value::I8(1),
        Value::Bool(true),
        Value::Double(1.0),
        Value::DateTime("20250101T00:00:00".into()),
        Value::Base64(vec![]),
        Value::Struct(Struct::new()),
        Value::Array(vec![]),
        Value::Nil,
    ];
    assert_eq!(
        fault("system.config.list_channels", &all_kinds).string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: listChannels in class: \
         com.redhat.rhn.frontend.xmlrpc.system.config.ServerConfigHandler with params: \
         [java.lang.String, java.lang.Long, java.lang.Boolean, java.lang.Double, \
         java.util.Date, [B, redstone.xmlrpc.XmlRpcStruct, redstone.xmlrpc.XmlRpcArray, \
         java.lang.String]"
    );
    assert_eq!(
        fault("api.getVersion", &[Value::Int(1)]).string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: getVersion in class: \
         com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: [java.lang.Integer]"
    );
}

#[test]
fn first_argument_not_a_session_key() {
    let expected = Fault::new(
        -1,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator \
         for class java.lang.String to interface com.redhat.rhn.domain.user.User",
    );
    assert_eq!(
        fault("system.listSystems", &[Value::string("admin")]),
        expected
    );
    let upper = format!("42x{}", "ABCDEF0123456789".repeat(4));
    assert_eq!(
        fault("system.listSystems", &[Value::string(upper)]),
        expected
    );
    assert_eq!(
        fault(
            "system.getDetails",
            &[Value::string("nokey"), Value::Int(1)]
        ),
        expected
    );
}

#[test]
fn wrong_argument_type() {
    assert_eq!(
        fault("system.getDetails", &[key(), Value::string("1000010000")]),
        Fault::new(
            -1,
            "com.redhat.rhn.common.translation.TranslationException: Could not find \
             translator for class java.lang.String to class java.lang.Integer"
        )
    );
    assert_eq!(
        fault("system.getDetails", &[key(), Value::Struct(Struct::new())]).string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find \
         translator for class redstone.xmlrpc.XmlRpcStruct to class java.lang.Integer"
    );
    assert_eq!(
        fault(
            "user.setReadOnly",
            &[key(), Value::string("bob"), Value::Int(1)]
        )
        .string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find \
         translator for class java.lang.Integer to class java.lang.Boolean"
    );
    assert_eq!(
        fault(
            "system.setDetails",
            &[key(), Value::Int(1), Value::Array(vec![])]
        )
        .string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find \
         translator for class redstone.xmlrpc.XmlRpcArray to interface java.util.Map"
    );
    assert_eq!(
        fault("api.getApiNamespaceCallList", &[key()]).string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find \
         translator for class com.redhat.rhn.domain.user.legacy.UserImpl to class \
         java.lang.String"
    );
}

#[test]
fn translator_conversions_resolve() {
    let resolves = |name: &str, args: &[Value]| spec().resolve(name, args).is_ok();
    assert!(resolves("user.getDetails", &[key(), Value::Int(42)]));
    assert!(resolves("system.getDetails", &[key(), Value::I8(42)]));
    assert!(resolves("user.getDetails", &[key(), Value::Bool(true)]));
    assert!(resolves("system.listSystems", &[Value::Int(1)]));
    let call = spec()
        .resolve_call(None, "system.listSystems", &[Value::Int(1)])
        .unwrap();
    assert_eq!(call.session, SessionArg::UserId(1));
    let call = spec()
        .resolve_call(None, "system.listSystems", &[key()])
        .unwrap();
    assert_eq!(call.session, SessionArg::Key);
}

#[test]
fn snake_case_aliases() {
    let camel = spec().resolve("system.listSystems", &[key()]).unwrap();
    let snake = spec().resolve("system.list_systems", &[key()]).unwrap();
    assert!(std::ptr::eq(camel, snake));
    let e = spec()
        .resolve(
            "channel.software.list_all_packages",
            &[key(), Value::string("sles15-pool")],
        )
        .unwrap();
    assert_eq!(e.method, "listAllPackages");
    let e = spec().resolve("api.get_version", &[]).unwrap();
    assert_eq!(e.method, "getVersion");
    assert_eq!(
        spec().overloads("system.schedule_apply_errata").len(),
        spec().overloads("system.scheduleApplyErrata").len()
    );
}

#[test]
fn session_keys_with_whitespace_and_key_taking_handlers() {
    let padded = Value::string(format!("{}\n", key().as_str().unwrap()));
    assert!(spec().resolve("system.listSystems", &[padded]).is_ok());
    assert!(spec().resolve("auth.logout", &[key()]).is_ok());
    assert!(
        spec()
            .resolve("packages.search.name", &[key(), Value::string("vim")])
            .is_ok()
    );
    assert_eq!(
        fault("packages.search.name", &[key()]).string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: name in class: \
         com.redhat.rhn.frontend.xmlrpc.packages.search.PackagesSearchHandler with params: \
         [java.lang.String]"
    );
}

#[test]
fn releases_differ() {
    let s = spec();
    assert!(
        s.resolve_in(Release::Master, "api.getApiNamespaces", &[])
            .is_ok()
    );
    assert!(
        s.resolve_in(Release::V4_3, "api.getApiNamespaces", &[key()])
            .is_ok()
    );
    assert_eq!(
        s.resolve_in(Release::Master, "api.getApiNamespaces", &[key()])
            .unwrap_err()
            .fault()
            .string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: getApiNamespaces in class: \
         com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: \
         [com.redhat.rhn.domain.user.legacy.UserImpl]"
    );
    assert!(
        s.resolve_in(Release::V5_0, "sync.master.getMasters", &[key()])
            .is_ok()
    );
    assert!(
        s.resolve_in(Release::V5_1, "sync.master.getMasters", &[key()])
            .is_err()
    );
}

#[test]
fn array_elements_break_ties_between_otherwise_equal_overloads() {
    let entry = |param: &str, ty: &str| {
        format!(
            r#"{{"namespace":"demo","method":"pick","params":[{{"name":"sessionKey","type":"string"}},{{"name":"{param}","type":"{ty}"}}],
            "returns":"int","returns_name":null,"result_fields":[],"session":true,"http":"POST","http_params":["{param}"],
            "releases":["master"],"route":{{"class":"broadcast","param":null}},"deprecated":false,"since":null,"ids":{{"params":[],"result":[]}}}}"#
        )
    };
    let json = format!(
        r#"{{"format":"suma-cluster-api-spec","version":1,"releases":[],
        "namespaces":[{{"name":"demo","handler":"com.example.demo.DemoHandler","releases":["master"]}}],
        "entries":[{},{}]}}"#,
        entry("ids", "array<int>"),
        entry("labels", "array<string>")
    );
    let demo = spec::Spec::from_json(&json).unwrap();
    let pick = |items: Vec<Value>| {
        let e = demo
            .resolve("demo.pick", &[key(), Value::Array(items)])
            .unwrap();
        e.params[1].name.clone()
    };
    assert_eq!(pick(vec![Value::string("a")]), "labels");
    assert_eq!(pick(vec![Value::Int(1)]), "ids");
    assert_eq!(pick(vec![]), "ids");
    assert_eq!(
        demo.resolve("demo.pick", &[key()])
            .unwrap_err()
            .fault()
            .string,
        "redstone.xmlrpc.XmlRpcFault: Could not find method: pick in class: \
         com.example.demo.DemoHandler with params: [com.redhat.rhn.domain.user.legacy.UserImpl]"
    );
}
