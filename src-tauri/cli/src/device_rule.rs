//! `roster device rule`: the rules that suggest equipment for new people.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use roster_engine::store::device_rules::{DeviceRule, NewDeviceRule};
use roster_engine::Engine;

use crate::{print, print_list, CsvFlag, FilterArgs};

#[derive(Subcommand)]
pub enum RuleCommand {
    /// Every rule: its condition and the device it suggests.
    List {
        #[command(flatten)]
        csv: CsvFlag,
    },
    /// Suggest a device for the people the lists include (none: everyone), e.g.
    /// `--team Sales --kind laptop --model "MacBook Air 13"`.
    Add {
        /// laptop, phone, keyboard... as in the inventory.
        #[arg(long)]
        kind: String,
        /// The model or a description, as in the inventory: "MacBook Air 13", "DE layout".
        #[arg(long)]
        model: String,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Remove a rule by its id (`roster device rule list` shows them).
    Remove { id: i64 },
}

pub fn run(engine: &mut Engine, command: RuleCommand, json: bool, now: DateTime<Utc>) -> anyhow::Result<()> {
    match command {
        RuleCommand::List { csv } => {
            let rules = engine.device_rules()?;
            print_list(json, csv, &rules, || rules_text(&rules))
        }
        RuleCommand::Add { kind, model, filters } => {
            let rule = engine.add_device_rule(&NewDeviceRule { filters: filters.into_filters(), kind, model }, now)?;
            print(json, &rule, || format!("added rule {}: {} → {}: {}", rule.id, rule.condition, rule.kind, rule.model))
        }
        RuleCommand::Remove { id } => {
            engine.remove_device_rule(id, now)?;
            print(json, &serde_json::json!({ "removed": id }), || format!("removed rule {id}"))
        }
    }
}

fn rules_text(rules: &[DeviceRule]) -> String {
    if rules.is_empty() {
        return "no device rules".into();
    }
    rules.iter().map(|r| format!("{}\t{} → {}: {}", r.id, r.condition, r.kind, r.model)).collect::<Vec<_>>().join("\n")
}
