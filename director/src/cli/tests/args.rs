//! The command line, parsed the way the `director` binary parses it: the
//! global flags flattened beside the admin subcommands.

use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::cli::{
    ClientCommand, Command, DEFAULT_DIRECTOR_URL, GlobalArgs, NodeCommand, OutputFormat,
    RebalanceCommand, ZoneCommand,
};
use crate::model::NodeState;

/// What `bin/director.rs` builds around [`GlobalArgs`] and [`Command`].
#[derive(Debug, Parser)]
#[command(name = "director")]
struct TestCli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

fn parse(line: &str) -> Result<TestCli, clap::Error> {
    TestCli::try_parse_from(line.split_whitespace())
}

#[test]
fn the_command_tree_is_consistent() {
    TestCli::command().debug_assert();
}

#[test]
fn global_flags_go_before_or_after_the_subcommand() {
    for line in [
        "director --output json --url https://d:8443 status",
        "director status --output json --url https://d:8443",
    ] {
        let cli = parse(line).unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json, "{line}");
        assert_eq!(cli.global.url, "https://d:8443", "{line}");
        assert!(matches!(cli.command, Command::Status));
    }
}

#[test]
fn defaults_are_table_output_and_the_local_director() {
    let cli = parse("director status").unwrap();
    assert_eq!(cli.global.output, OutputFormat::Table);
    if std::env::var_os("DIRECTOR_URL").is_none() {
        assert_eq!(cli.global.url, DEFAULT_DIRECTOR_URL);
    }
    assert!(parse("director status --output yaml").is_err());
}

#[test]
fn the_token_value_is_hidden_from_help() {
    let command = TestCli::command();
    let token = command
        .get_arguments()
        .find(|a| a.get_id() == "token")
        .unwrap();
    assert!(token.is_hide_env_values_set());
    let cli = parse("director status --token s3cret").unwrap();
    assert!(!format!("{cli:?}").contains("s3cret"));
}

#[test]
fn node_drain_takes_a_human_deadline_and_wait() {
    let cli = parse("director node drain n1 --deadline 1h30m --wait").unwrap();
    match cli.command {
        Command::Node(NodeCommand::Drain { id, deadline, wait }) => {
            assert_eq!(id, "n1");
            assert_eq!(deadline, Some(Duration::from_secs(5400)));
            assert!(wait);
        }
        other => panic!("{other:?}"),
    }
    let err = parse("director node drain n1 --deadline 30").unwrap_err();
    assert!(err.to_string().contains("missing unit"), "{err}");
}

#[test]
fn node_add_and_set_check_their_values() {
    let cli = parse(
        "director node add n1 --zone eu --api-url https://suma1/rpc/api --weight 2 --state staged",
    )
    .unwrap();
    match cli.command {
        Command::Node(NodeCommand::Add {
            id,
            zone,
            weight,
            state,
            master,
            ..
        }) => {
            assert_eq!((id.as_str(), zone.as_str()), ("n1", "eu"));
            assert_eq!(weight, Some(2.0));
            assert_eq!(state, Some(NodeState::Staged));
            assert_eq!(master, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        parse("director node add n1 --zone eu").is_err(),
        "--api-url is required"
    );
    assert!(parse("director node add n1 --zone eu --api-url u --state draining").is_err());

    let cli = parse("director node set n1 --state offline --weight 0.5").unwrap();
    match cli.command {
        Command::Node(NodeCommand::Set { id, change, .. }) => {
            assert_eq!(id, "n1");
            assert_eq!(change.state, Some(NodeState::Offline));
            assert_eq!(change.weight, Some(0.5));
        }
        other => panic!("{other:?}"),
    }
    assert!(parse("director node set n1").is_err(), "nothing to change");
    assert!(
        parse("director node set n1 --unseeded").is_err(),
        "--unseeded changes nothing by itself"
    );
    match parse("director node set n1 --state active --unseeded")
        .unwrap()
        .command
    {
        Command::Node(NodeCommand::Set { unseeded, .. }) => assert!(unseeded.unseeded),
        other => panic!("{other:?}"),
    }
    match parse("director node add n2 --zone eu --api-url https://suma2/rpc/api")
        .unwrap()
        .command
    {
        Command::Node(NodeCommand::Add { unseeded, .. }) => assert!(!unseeded.unseeded),
        other => panic!("{other:?}"),
    }
    assert!(parse("director node set n1 --weight 0").is_err());
}

#[test]
fn zone_add_collects_labels() {
    let cli =
        parse("director zone add eu --description Frankfurt --label a=1 --label b=2").unwrap();
    match cli.command {
        Command::Zone(ZoneCommand::Add {
            name,
            description,
            labels,
        }) => {
            assert_eq!(name, "eu");
            assert_eq!(description, "Frankfurt");
            assert_eq!(labels, [("a".into(), "1".into()), ("b".into(), "2".into())]);
        }
        other => panic!("{other:?}"),
    }
    assert!(parse("director zone add eu --label nope").is_err());
}

#[test]
fn client_rebalance_placement_and_operation_parse() {
    let cli = parse("director client list --zone eu --node n1 --limit 50").unwrap();
    assert!(matches!(
        cli.command,
        Command::Client(ClientCommand::List {
            zone: Some(_),
            node: Some(_),
            after: None,
            limit: Some(50)
        })
    ));
    let cli = parse("director rebalance apply --yes --no-wait").unwrap();
    assert!(matches!(
        cli.command,
        Command::Rebalance(RebalanceCommand::Apply {
            yes: true,
            no_wait: true
        })
    ));
    assert!(parse("director placement system 1000001").is_ok());
    assert!(
        parse("director placement system web-1").is_err(),
        "a cluster id is a number"
    );
    assert!(parse("director placement minion web-1").is_ok());
    assert!(parse("director operation show 7 --wait").is_ok());
    assert!(parse("director rebalance").is_err(), "plan or apply");
}
