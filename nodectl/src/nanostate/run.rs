//! Running a nanostate on hosts: each host gets one connection for all its
//! commands; hosts run in parallel, at most `parallel` at once; on a host,
//! groups, module calls and commands run in order and stop at the first
//! failure.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::report::output_text;
use super::runner::{Connection, Local};
use super::script::{program, steps};
use super::ssh::{self, SshOptions, Target};
use super::{
    CommandReport, GroupReport, HostReport, ModuleReport, NanoState, RunReport, StateError,
};
use crate::config::Config;

/// The host name that means "this machine, no SSH".
pub const LOCAL: &str = "local";

/// How a run works.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Exported to every command (secrets from sealed directives go here:
    /// fed on standard input, never on a command line).
    pub env: BTreeMap<String, String>,
    /// Hosts worked on at once (at least 1).
    pub parallel: usize,
    /// Longest a command may take.
    pub command_timeout: Duration,
    /// The `service` template (`systemctl {action} {name}`).
    pub init_command: String,
    /// The SSH runner's options.
    pub ssh: SshOptions,
}

impl RunOptions {
    /// Options from the configuration, with no environment.
    pub fn from_config(config: &Config) -> RunOptions {
        RunOptions {
            env: BTreeMap::new(),
            parallel: config.states.parallel,
            command_timeout: Duration::from_secs_f64(config.states.command_timeout_secs),
            init_command: config.states.init_command.clone(),
            ssh: SshOptions::from_config(&config.ssh, Some(config.state_dir.clone())),
        }
    }
}

/// Checks host names before anything runs.
pub fn check_hosts(hosts: &[String]) -> Result<(), StateError> {
    if hosts.is_empty() {
        return Err(StateError::Host {
            host: String::new(),
            reason: "name at least one host".into(),
        });
    }
    for host in hosts.iter().filter(|h| *h != LOCAL) {
        Target::parse(host)?;
    }
    Ok(())
}

/// Runs `state` on `hosts` and reports every command. Host names must pass
/// [`check_hosts`]; one that does not is reported failed.
pub async fn run_state(state: &NanoState, hosts: &[String], options: &RunOptions) -> RunReport {
    let started = Instant::now();
    // The futures made up front (not in a stream closure), so the whole
    // run stays `Send` for any lifetime of `state` and `options`.
    let jobs: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| async move { (i, run_host(state, host, options).await) })
        .collect();
    let mut reports: Vec<(usize, HostReport)> = futures::stream::iter(jobs)
        .buffer_unordered(options.parallel.max(1))
        .collect()
        .await;
    reports.sort_by_key(|(i, _)| *i);
    let hosts: Vec<HostReport> = reports.into_iter().map(|(_, r)| r).collect();
    RunReport {
        state: state.id.clone(),
        ok: hosts.iter().all(|h| h.ok),
        duration_ms: millis(started.elapsed()),
        hosts,
    }
}

async fn run_host(state: &NanoState, host: &str, options: &RunOptions) -> HostReport {
    let failed = |error: String| HostReport {
        host: host.to_owned(),
        ok: false,
        error: Some(error),
        groups: Vec::new(),
    };
    let mut connection: Box<dyn Connection> = if host == LOCAL {
        Box::new(Local)
    } else {
        let target = match Target::parse(host) {
            Ok(t) => t,
            Err(e) => return failed(e.to_string()),
        };
        match ssh::connect(&target, &options.ssh).await {
            Ok(c) => Box::new(c),
            Err(e) => {
                tracing::warn!(host, state = %state.id, cause = %e, "cannot connect");
                return failed(e);
            }
        }
    };
    let mut report = HostReport {
        host: host.to_owned(),
        ok: true,
        error: None,
        groups: Vec::new(),
    };
    'groups: for group in &state.state.0 {
        let mut group_report = GroupReport {
            name: group.name.clone(),
            ok: true,
            modules: Vec::new(),
        };
        for call in &group.calls {
            let mut module = ModuleReport {
                module: call.module().to_owned(),
                ok: true,
                commands: Vec::new(),
            };
            for step in steps(call, &options.init_command) {
                let command = run_step(connection.as_mut(), &step, options).await;
                let ok = command.ok;
                module.commands.push(command);
                if !ok {
                    module.ok = false;
                    group_report.ok = false;
                    report.ok = false;
                    group_report.modules.push(module);
                    report.groups.push(group_report);
                    break 'groups;
                }
            }
            group_report.modules.push(module);
        }
        report.groups.push(group_report);
    }
    connection.close().await;
    report
}

async fn run_step(
    connection: &mut dyn Connection,
    step: &super::script::Step,
    options: &RunOptions,
) -> CommandReport {
    let started = Instant::now();
    let outcome = connection
        .exec(
            &program(&options.env, &step.script),
            options.command_timeout,
        )
        .await;
    let duration_ms = millis(started.elapsed());
    match outcome {
        Ok(out) => CommandReport {
            name: step.name.clone(),
            command: step.display.clone(),
            ok: out.exit_code == Some(0),
            exit_code: out.exit_code,
            stdout: output_text(&out.stdout),
            stderr: output_text(&out.stderr),
            duration_ms,
        },
        Err(e) => CommandReport {
            name: step.name.clone(),
            command: step.display.clone(),
            ok: false,
            exit_code: None,
            stdout: String::new(),
            stderr: e,
            duration_ms,
        },
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
