//! `contentmanagement`'s filter and project calls: `createFilter`,
//! `listFilters`, `lookupFilter`, `updateFilter`, `removeFilter`;
//! `createProject`, `listProjects`, `lookupProject`, `removeProject`,
//! `attachFilter`, `detachFilter`, `listProjectFilters`. Each node numbers
//! its filters and projects from [`crate::sim::seed::first_custom_id`];
//! none are seeded.
//!
//! Follows the server's `ContentManagementHandler`, `ContentManager`,
//! `ContentFilterSerializer`, `ContentProjectSerializer` and
//! `ContentProjectFilterSerializer`. Simplified: one organization, no
//! environments or builds (a filter attached is `attached`; detached, it
//! is gone), criteria kept as sent; `listFilters` and `listProjects` are
//! by id (unverified), and the text of 10100/10101 for a project is its
//! label (unverified).

use xmlrpc::{Fault, MethodResponse, Struct, Value};

use super::{Answer, Call};
use crate::sim::model::{ContentFilter, ContentProject, CustomContent, take_id};
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
        "createProject" => create_project(node, call),
        "listProjects" => {
            let data = node.read();
            let mut projects: Vec<&ContentProject> = data.custom.projects.values().collect();
            projects.sort_by_key(|p| p.id);
            Ok(Value::Array(projects.into_iter().map(project).collect()))
        }
        "lookupProject" => {
            let data = node.read();
            find_project(&data.custom, call).map(project)
        }
        "removeProject" => remove_project(node, call),
        "attachFilter" | "detachFilter" => attach(node, call, method == "attachFilter"),
        "listProjectFilters" => project_filters(node, call),
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

/// A project as the server's `ContentProjectSerializer` shows it (no
/// environments, never built).
fn project(p: &ContentProject) -> Value {
    Struct::with_capacity(5)
        .with("id", Value::Int(p.id))
        .with("label", Value::string(&p.label))
        .with("name", Value::string(&p.name))
        .with("description", Value::string(&p.description))
        .with("orgId", Value::Int(1))
        .into()
}

/// The project `projectLabel` names.
fn find_project<'d>(
    custom: &'d CustomContent,
    call: &Call<'_>,
) -> Result<&'d ContentProject, Fault> {
    let label = call.str("projectLabel")?;
    custom
        .projects
        .get(label)
        .ok_or_else(|| faults::domain(ENTITY_NOT_EXISTS, label))
}

fn create_project(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let label = call.str("projectLabel")?.to_owned();
    let name = call.str("name")?.to_owned();
    let description = call.str("description")?.to_owned();
    if label.is_empty() || name.is_empty() {
        return Err(faults::invalid_parameter(
            "A project needs a label and a name.",
        ));
    }
    let mut data = node.write();
    let custom = &mut data.custom;
    if custom.projects.contains_key(&label) {
        return Err(faults::domain(ENTITY_EXISTS, &label));
    }
    let made = ContentProject {
        id: take_id(&mut custom.next_project_id),
        label: label.clone(),
        name,
        description,
        filters: Vec::new(),
    };
    let value = project(&made);
    custom.projects.insert(label, made);
    Ok(value)
}

/// `attachFilter(projectLabel, filterId)`: the filter, attached once;
/// `detachFilter`: 1, the filter no longer the project's.
fn attach(node: &Node, call: &Call<'_>, attach: bool) -> MethodResponse {
    call.user(node)?;
    let mut data = node.write();
    let custom = &mut data.custom;
    let label = find_project(custom, call)?.label.clone();
    let filter = find(custom, call)?;
    let (id, value) = (filter.id, details(filter));
    let filters = &mut custom
        .projects
        .get_mut(&label)
        .expect("found above")
        .filters;
    filters.retain(|(f, _)| *f != id);
    if attach {
        filters.push((id, "attached".to_owned()));
        Ok(value)
    } else {
        Ok(Value::Int(1))
    }
}

fn remove_project(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let mut data = node.write();
    let label = find_project(&data.custom, call)?.label.clone();
    data.custom.projects.remove(&label);
    Ok(Value::Int(1))
}

/// `listProjectFilters(projectLabel)`: each filter with its state.
fn project_filters(node: &Node, call: &Call<'_>) -> MethodResponse {
    call.user(node)?;
    let data = node.read();
    let p = find_project(&data.custom, call)?;
    Ok(Value::Array(
        p.filters
            .iter()
            .filter_map(|(id, state)| {
                let filter = data.custom.filters.get(id)?;
                Some(
                    Struct::with_capacity(2)
                        .with("state", Value::string(state))
                        .with("filter", details(filter))
                        .into(),
                )
            })
            .collect(),
    ))
}
