//! `contentmanagement`'s filter calls: `createFilter`, `listFilters`,
//! `lookupFilter`, `updateFilter`, `removeFilter`. Each node numbers its
//! filters from [`crate::sim::seed::first_custom_id`]; none are seeded.
//!
//! Follows the server's `ContentManagementHandler` and
//! `ContentFilterSerializer`. Simplified: one organization, no projects
//! (`attachFilter` is not modelled), criteria kept as sent; `listFilters`
//! is by id (unverified).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{ContentFilter, CustomContent, take_id};
use crate::sim::{Node, faults};

/// `EntityNotExistsFaultException`.
const ENTITY_NOT_EXISTS: i32 = 10101;
/// `EntityExistsFaultException`.
const ENTITY_EXISTS: i32 = 10100;

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "createFilter" => create(node, call),
        "listFilters" => Ok(Value::Array(
            node.read().custom.filters.values().map(details).collect(),
        )),
        "lookupFilter" => {
            let data = node.read();
            find(&data.custom, call).map(details)
        }
        "updateFilter" => update(node, call),
        "removeFilter" => remove(node, call),
        _ => return None,
    })
}

/// A filter as the server's `ContentFilterSerializer` shows it.
fn details(f: &ContentFilter) -> Value {
    Struct::with_capacity(6)
        .with("id", Value::Int(f.id))
        .with("name", Value::string(&f.name))
        .with("orgId", Value::Int(1))
        .with("entityType", Value::string(&f.entity_type))
        .with("rule", Value::string(&f.rule))
        .with("criteria", Value::Struct(f.criteria.clone()))
        .into()
}

/// The filter `filterId` names.
fn find<'d>(custom: &'d CustomContent, call: &Call<'_>) -> Result<&'d ContentFilter, Fault> {
    let id = call.int("filterId")?;
    i32::try_from(id)
        .ok()
        .and_then(|id| custom.filters.get(&id))
        .ok_or_else(|| faults::domain(ENTITY_NOT_EXISTS, &id.to_string()))
}

/// The filter name is another filter's.
fn name_in_use(custom: &CustomContent, name: &str, except: Option<i32>) -> Result<(), Fault> {
    if custom
        .filters
        .values()
        .any(|f| f.name == name && Some(f.id) != except)
    {
        return Err(faults::domain(ENTITY_EXISTS, name));
    }
    Ok(())
}

/// `allow` or `deny`, as the server's `ContentFilter.Rule` takes it (the
/// fault for another rule is the simulator's, unverified).
fn rule(call: &Call<'_>) -> Result<String, Fault> {
    let rule = call.str("rule")?.to_lowercase();
    if rule != "allow" && rule != "deny" {
        return Err(faults::invalid_parameter(&format!("Invalid rule: {rule}")));
    }
    Ok(rule)
}

fn criteria(call: &Call<'_>) -> Result<Struct, Fault> {
    call.arg("criteria")
        .and_then(Value::as_struct)
        .cloned()
        .ok_or_else(|| faults::internal("missing struct parameter criteria"))
}

fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let name = call.str("name")?.to_owned();
    let rule = rule(call)?;
    let entity_type = call.str("entityType")?.to_lowercase();
    let criteria = criteria(call)?;
    let mut data = node.write();
    let custom = &mut data.custom;
    name_in_use(custom, &name, None)?;
    let id = take_id(&mut custom.next_filter_id);
    let filter = ContentFilter {
        id,
        name,
        rule,
        entity_type,
        criteria,
    };
    let value = details(&filter);
    custom.filters.insert(id, filter);
    Ok(value)
}

/// `updateFilter(filterId, name, rule, criteria)`: empty arguments keep
/// what the filter had.
fn update(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let id = find(custom, call)?.id;
    let name = call.str("name")?.to_owned();
    if !name.is_empty() {
        name_in_use(custom, &name, Some(id))?;
    }
    let rule = match call.str("rule")? {
        "" => None,
        _ => Some(rule(call)?),
    };
    let criteria = criteria(call)?;
    let filter = custom.filters.get_mut(&id).expect("found above");
    if !name.is_empty() {
        filter.name = name;
    }
    if let Some(rule) = rule {
        filter.rule = rule;
    }
    if !criteria.is_empty() {
        filter.criteria = criteria;
    }
    Ok(details(filter))
}

fn remove(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let mut data = node.write();
    let id = find(&data.custom, call)?.id;
    data.custom.filters.remove(&id);
    Ok(Value::Int(1))
}
