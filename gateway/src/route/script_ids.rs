//! Kickstart script ids ([`IdKind::KickstartScript`]), cluster-wide.
//!
//! A kickstart profile is made on every node, and so are its scripts
//! (`kickstart.profile.addScript` is a broadcast), but each node numbers
//! its scripts as it adds them: one script added on a single node, or one
//! undone broadcast, and the nodes' numbers part ways. Sent on as it is,
//! one node's id in `removeScript` would remove another script of the same
//! profile on a node whose numbering went another way.
//!
//! A script's cluster id is made from what the script is, not kept in the
//! identity map: a SHA-256 digest of its members [`IDENTITY`] (name,
//! contents, type, interpreter and its `chroot`, `template` and
//! `erroronfail` flags) and its rank among the scripts of its profile
//! alike in all of them, taken to a positive 31-bit integer
//! ([`cluster_id`]). Every gateway computes the same id for the same
//! script on every node with nothing to store or agree on, and a script
//! added on a node by hand before it joined the cluster has its copies'
//! id there. Every call naming a script also names its profile
//! (`ksLabel`), so an id is looked for among that profile's scripts only.
//!
//! - **Results.** The ids of `listScripts` are computed from the listing
//!   itself. The id `addScript` answers is looked up in the node's
//!   listing of the profile afterwards (one more call per node): a
//!   script the listing no longer shows, or a listing that fails (the
//!   script was added all the same), is answered as `0`, never as the
//!   node's id.
//! - **Parameters** are rewritten per node: each node a call goes to lists
//!   the profile once, and gets its own id for each cluster id. An id none
//!   of its scripts has is sent as [`translate::NO_LOCAL_ID`], which no
//!   node holds, so the node answers as the server does for a script it
//!   lacks (`InvalidKickstartScriptException` from `removeScript`), and
//!   so is every id of a call that names no profile. A node's fault from
//!   that listing (no such profile there) is the node's answer.
//! - **Faults.** `orderScripts` names a script left out of its lists by
//!   the node's id (`Kickstart Script ID missing: <id>`): given back with
//!   the cluster id.
//!
//! Not part of a script's id: its position and `beforeRegistration`,
//! which `orderScripts` changes. Two scripts alike in everything are told
//! apart by their rank in the order the node made them (its ids, which a
//! new order leaves alone); removing one renumbers the later ones, so a
//! client removing several copies by the ids of one listing removes the
//! last first. A node that held a copy already when a broadcast added one
//! ranks the new one apart from the other nodes: `addScript` answers the
//! first node's id, and the gateway logs the difference. A script edited
//! in the web UI gets a new id: a client
//! holding the old one gets the fault for a script the node lacks, as for
//! a removed one. Two different scripts of one profile with one id (a
//! digest collision; odds about n² in 2^32 for n scripts) make a call
//! naming that id a fault rather than a guess.

use std::borrow::Cow;

use sha2::{Digest, Sha256};
use spec::{IdKind, IdPlace};
use xmlrpc::{Fault, Struct, Value};

use super::{Ctx, shared_ids, translate};
use crate::error::GatewayError;

/// The call listing a profile's scripts, each with its node's `id`.
const LISTING: &str = "kickstart.profile.listScripts";

/// The parameter naming the profile, in every call naming a script.
const PROFILE: &str = "ksLabel";

/// For the error of a call without a session.
const WHAT: &str = "a kickstart script without a session";

/// The members of a listed script (`KickstartScriptSerializer`) that make
/// it what it is, in digest order.
pub(crate) const IDENTITY: &[&str] = &[
    "name",
    "contents",
    "script_type",
    "interpreter",
    "chroot",
    "template",
    "erroronfail",
];

/// The start of `orderScripts`'s fault for a script its lists leave out,
/// before the node's id of it.
const MISSING: &str = "Kickstart Script ID missing: ";

/// The id answered for a script the cluster cannot name: cluster ids
/// start at 1.
const NO_ID: i32 = 0;

/// What one member of a script adds to its digest: its type and text,
/// length-prefixed. A missing member and `<nil/>` count as an empty
/// string, as the server writes a script without an interpreter either
/// way.
fn member_bytes(value: Option<&Value>) -> (u8, Cow<'_, [u8]>) {
    let owned = |bytes: &[u8]| Cow::Owned(bytes.to_vec());
    match value {
        None | Some(Value::Nil) => (b's', Cow::Borrowed(&[])),
        Some(Value::String(s)) => (b's', Cow::Borrowed(s.as_bytes())),
        Some(Value::Bool(b)) => (b'b', owned(&[u8::from(*b)])),
        Some(Value::Int(n)) => (b'i', owned(&i64::from(*n).to_be_bytes())),
        Some(Value::I8(n)) => (b'i', owned(&n.to_be_bytes())),
        Some(Value::Base64(bytes)) => (b's', Cow::Borrowed(bytes.as_slice())),
        Some(Value::DateTime(t)) => (b'd', Cow::Borrowed(t.as_bytes())),
        Some(Value::Double(d)) => (b'f', owned(&d.to_be_bytes())),
        // Not a member a script has; counted by its kind alone.
        Some(Value::Struct(_)) => (b'S', Cow::Borrowed(&[])),
        Some(Value::Array(_)) => (b'A', Cow::Borrowed(&[])),
    }
}

/// The digest of what `script` is ([`IDENTITY`]).
fn content_digest(script: &Struct) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for member in IDENTITY {
        let (kind, bytes) = member_bytes(script.get(member));
        hasher.update(member.as_bytes());
        hasher.update([0, kind]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(&bytes);
    }
    hasher.finalize().into()
}

/// The cluster id of the script of `digest` that is the `rank`-th (from
/// 0) of its profile alike in all of it: 1 to `i32::MAX`.
fn cluster_id(digest: &[u8; 32], rank: u32) -> i32 {
    let mut hasher = Sha256::new();
    hasher.update(digest);
    hasher.update(rank.to_be_bytes());
    let out = hasher.finalize();
    let n = u32::from_be_bytes([out[0], out[1], out[2], out[3]]);
    // `i32::MAX` values, 1 to i32::MAX; the cast cannot overflow.
    (n % (i32::MAX as u32)) as i32 + 1
}

/// The cluster ids of `items`, a node's listing of one profile's scripts;
/// `None` for an item that is no struct. Scripts alike in all of
/// [`IDENTITY`] rank by the node's id of them (the order it made them),
/// then by where they are listed.
fn listed_ids(items: &[Value]) -> Vec<Option<i32>> {
    let shown: Vec<Option<([u8; 32], Option<i32>)>> = items
        .iter()
        .map(|item| {
            let script = item.as_struct()?;
            let local = script.get("id").and_then(translate::local_id);
            Some((content_digest(script), local))
        })
        .collect();
    // A script without an id ranks after those with one.
    let order = |local: Option<i32>, at: usize| (local.is_none(), local, at);
    shown
        .iter()
        .enumerate()
        .map(|(at, this)| {
            let (digest, local) = this.as_ref()?;
            let before = shown
                .iter()
                .enumerate()
                .filter(|(other_at, other)| {
                    matches!(other, Some((d, l)) if d == digest
                        && order(*l, *other_at) < order(*local, at))
                })
                .count();
            let rank = u32::try_from(before).unwrap_or(u32::MAX);
            Some(cluster_id(digest, rank))
        })
        .collect()
}

/// A node's scripts of one profile: cluster id and the node's id, in the
/// order it lists them.
struct Scripts(Vec<(i32, i32)>);

impl Scripts {
    /// The scripts of `listing`, a node's answer to [`LISTING`].
    fn of(listing: &Value) -> Scripts {
        let items = listing.as_array().unwrap_or_default();
        let pairs = listed_ids(items)
            .into_iter()
            .zip(items)
            .filter_map(|(id, item)| {
                let local = item.as_struct()?.get("id").and_then(translate::local_id)?;
                Some((id?, local))
            })
            .collect();
        Scripts(pairs)
    }

    /// The node's id of the script of cluster id `id`; `None` when no
    /// script of the profile has it there.
    fn local(&self, id: i64, profile: &str) -> Result<Option<i32>, GatewayError> {
        let mut found = self.0.iter().filter(|(c, _)| i64::from(*c) == id);
        match (found.next(), found.next()) {
            (Some((_, local)), None) => Ok(Some(*local)),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(GatewayError::Fault(Fault::new(
                -1,
                format!(
                    "kickstart script id {id} stands for two different scripts of profile \
                     {profile} on one node of the cluster; remove one of them on that node, \
                     or list the scripts again"
                ),
            ))),
        }
    }

    /// The cluster id of the node's script `local`.
    fn cluster(&self, local: i32) -> Option<i32> {
        self.0.iter().find(|(_, l)| *l == local).map(|(c, _)| *c)
    }
}

/// The profile `ctx`'s call names (`ksLabel`), as the client sent it.
fn profile<'c>(ctx: &'c Ctx<'_>) -> Option<&'c str> {
    let at = ctx.entry.params.iter().position(|p| p.name == PROFILE)?;
    ctx.call.params.get(at)?.as_str()
}

/// `node`'s scripts of `profile`, listed in `ctx`'s session. The node's
/// fault (no such profile there, no permission) is the answer.
async fn listed(ctx: &Ctx<'_>, node: &str, profile: &str) -> Result<Scripts, GatewayError> {
    let args = vec![Value::string(profile)];
    let listing = shared_ids::ask(ctx, node, WHAT, LISTING, args).await?;
    Ok(Scripts::of(&listing))
}

/// Rewrites the kickstart script ids among `params` to `node`'s ids: one
/// listing of the profile on `node` for all of them.
pub(crate) async fn params_to_node(
    ctx: &Ctx<'_>,
    node: &str,
    params: &mut [Value],
) -> Result<(), GatewayError> {
    let slots = shared_ids::param_slots(ctx.entry, IdKind::KickstartScript, params);
    if slots.iter().all(|slot| slot.as_i64().is_none()) {
        return Ok(());
    }
    // Without the profile no script is known: the node answers for ids
    // it does not hold.
    let Some(profile) = profile(ctx) else {
        for slot in slots {
            if slot.as_i64().is_some() {
                translate::replace_id(slot, translate::NO_LOCAL_ID);
            }
        }
        return Ok(());
    };
    let scripts = listed(ctx, node, profile).await?;
    for slot in slots {
        let Some(id) = slot.as_i64() else {
            continue;
        };
        let local = scripts
            .local(id, profile)?
            .unwrap_or(translate::NO_LOCAL_ID);
        translate::replace_id(slot, local);
    }
    Ok(())
}

/// Rewrites the kickstart script ids `node` answered in `value` to their
/// cluster ids.
pub(crate) async fn result_from_node(
    ctx: &Ctx<'_>,
    node: &str,
    value: &mut Value,
) -> Result<(), GatewayError> {
    let places = ctx
        .entry
        .ids
        .result
        .iter()
        .filter(|r| r.kind == IdKind::KickstartScript);
    for result in places {
        match &result.place {
            // A listing: the ids are its own scripts'.
            IdPlace::Field(field) => {
                let Value::Array(items) = value else {
                    continue;
                };
                let ids = listed_ids(items);
                for (item, id) in items.iter_mut().zip(ids) {
                    if let (Value::Struct(s), Some(id)) = (item, id)
                        && let Some(v) = s.get_mut(field)
                    {
                        *v = Value::Int(id);
                    }
                }
            }
            // The script a call added: found in the node's listing.
            IdPlace::Whole => {
                let Some(local) = translate::local_id(value) else {
                    continue;
                };
                // The script was added: a failed listing makes its id
                // unknown, not the call failed.
                let id = match profile(ctx) {
                    Some(profile) => match listed(ctx, node, profile).await {
                        Ok(scripts) => scripts.cluster(local),
                        Err(e) => {
                            tracing::warn!(node, local, error = %e, "the kickstart script a node added could not be listed; answered as 0");
                            None
                        }
                    },
                    None => None,
                };
                *value = Value::Int(id.unwrap_or(NO_ID));
            }
            IdPlace::Nested(_) => {}
        }
    }
    Ok(())
}

/// `fault`, `node`'s answer to a call naming kickstart scripts, with the
/// node's id of a script it names given back as the cluster id
/// (`orderScripts`: `Kickstart Script ID missing: <id>`), or left out
/// where the cluster cannot name it: a client must never get a node's id.
/// Any other fault is left as it is.
pub(crate) async fn fault_from_node(ctx: &Ctx<'_>, node: &str, fault: Fault) -> Fault {
    let names_scripts = ctx
        .entry
        .ids
        .params
        .iter()
        .any(|p| p.kind == IdKind::KickstartScript);
    let Some(at) = fault.string.find(MISSING).filter(|_| names_scripts) else {
        return fault;
    };
    let start = at + MISSING.len();
    let digits = fault.string[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(fault.string.len(), |end| start + end);
    let (Some(profile), Ok(local)) = (profile(ctx), fault.string[start..digits].parse::<i32>())
    else {
        return fault;
    };
    let named = match listed(ctx, node, profile).await {
        Ok(scripts) => scripts.cluster(local).map(|id| id.to_string()),
        Err(_) => None,
    };
    let named =
        named.unwrap_or_else(|| format!("(a script of node {node} the cluster cannot name)"));
    Fault::new(
        fault.code,
        format!(
            "{}{named}{}",
            &fault.string[..start],
            &fault.string[digits..]
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(name: &str, contents: &str, ty: &str) -> Value {
        Struct::with_capacity(9)
            .with("id", Value::Int(7))
            .with("name", Value::string(name))
            .with("contents", Value::string(contents))
            .with("script_type", Value::string(ty))
            .with("interpreter", Value::string(""))
            .with("chroot", Value::Bool(true))
            .with("erroronfail", Value::Bool(false))
            .with("template", Value::Bool(false))
            .with("beforeRegistration", Value::Bool(false))
            .into()
    }

    fn with(mut v: Value, member: &str, to: Value) -> Value {
        if let Value::Struct(s) = &mut v {
            *s.get_mut(member).expect("a script member") = to;
        }
        v
    }

    #[test]
    fn a_script_s_id_is_what_it_holds_not_where_it_stands() {
        let a = script("motd", "echo hi > /etc/motd", "post");
        let [id] = listed_ids(std::slice::from_ref(&a))[..] else {
            panic!("one id");
        };
        let id = id.expect("an id");
        assert!(id >= 1);
        // The node's id, its position and `beforeRegistration` are not
        // part of it.
        let moved = with(
            with(a.clone(), "id", Value::Int(99)),
            "beforeRegistration",
            Value::Bool(true),
        );
        assert_eq!(listed_ids(&[moved]), [Some(id)]);
        // A missing interpreter is written either way.
        assert_eq!(
            listed_ids(&[with(a.clone(), "interpreter", Value::Nil)]),
            [Some(id)]
        );
        let Value::Struct(s) = &a else { unreachable!() };
        let without: Struct = s
            .iter()
            .filter(|(k, _)| *k != "interpreter")
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
        assert_eq!(listed_ids(&[Value::Struct(without)]), [Some(id)]);
        // Every member that makes it what it is changes it.
        for (member, other) in [
            ("name", Value::string("motd2")),
            ("contents", Value::string("echo hi > /etc/issue")),
            ("script_type", Value::string("pre")),
            ("interpreter", Value::string("/bin/bash")),
            ("chroot", Value::Bool(false)),
            ("template", Value::Bool(true)),
            ("erroronfail", Value::Bool(true)),
        ] {
            let changed = with(a.clone(), member, other);
            assert_ne!(listed_ids(&[changed]), [Some(id)], "{member}");
        }
        // Text and a flag are told apart.
        assert_ne!(
            listed_ids(&[with(a.clone(), "chroot", Value::string("\u{1}"))]),
            [Some(id)]
        );
    }

    #[test]
    fn scripts_alike_are_told_apart_by_the_order_the_node_made_them() {
        let a = script("motd", "echo hi", "post");
        let older = with(a.clone(), "id", Value::Int(11));
        let newer = with(a.clone(), "id", Value::Int(12));
        let b = script("fstab", "echo /dev/sda1", "post");
        let lone = listed_ids(std::slice::from_ref(&a))[0];
        let ids = listed_ids(&[newer.clone(), b.clone(), older.clone()]);
        assert_eq!(ids.len(), 3);
        assert_ne!(ids[0], ids[2]);
        // The older copy has the id a lone copy has, wherever either is
        // listed: a new order renumbers none.
        assert_eq!(ids[2], lone);
        assert_eq!(
            listed_ids(&[older.clone(), newer.clone(), b.clone()]),
            [ids[2], ids[0], ids[1]]
        );
        assert_eq!(ids[1], listed_ids(&[b, a])[0]);
        // Without ids, the order listed.
        let plain = |v: &Value| {
            let Value::Struct(s) = v else { unreachable!() };
            Value::Struct(
                s.iter()
                    .filter(|(k, _)| *k != "id")
                    .map(|(k, v)| (k.to_owned(), v.clone()))
                    .collect(),
            )
        };
        let ids = listed_ids(&[plain(&newer), plain(&older)]);
        assert_eq!(ids[0], lone);
        assert_ne!(ids[1], lone);
    }

    #[test]
    fn a_listing_maps_ids_both_ways_and_refuses_an_id_of_two_scripts() {
        let a = with(script("a", "1", "pre"), "id", Value::Int(11));
        let b = with(script("b", "2", "post"), "id", Value::Int(12));
        let listing = Value::Array(vec![a, b, Value::string("not a script")]);
        let scripts = Scripts::of(&listing);
        let ids = listed_ids(listing.as_array().unwrap());
        let (ia, ib) = (ids[0].unwrap(), ids[1].unwrap());
        assert_eq!(ids[2], None);
        assert_eq!(scripts.local(i64::from(ia), "p").unwrap(), Some(11));
        assert_eq!(scripts.local(i64::from(ib), "p").unwrap(), Some(12));
        assert_eq!(scripts.cluster(12), Some(ib));
        assert_eq!(scripts.cluster(13), None);
        let unknown = (1..).find(|n| *n != ia && *n != ib).unwrap();
        assert_eq!(scripts.local(i64::from(unknown), "p").unwrap(), None);
        // Two scripts with one id: a fault, not a guess.
        let clash = Scripts(vec![(5, 11), (5, 12)]);
        let Err(GatewayError::Fault(fault)) = clash.local(5, "ks-sles") else {
            panic!("a fault");
        };
        assert!(fault.string.contains("ks-sles"), "{}", fault.string);
    }
}
