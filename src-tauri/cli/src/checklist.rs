//! `roster checklist`: the onboarding and offboarding steps, ticked from the command line, and
//! their templates.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use roster_engine::model::View;
use roster_engine::store::checklists::{ChecklistQuery, ChecklistStep, Template, TemplateStep};
use roster_engine::store::device_rules;
use roster_engine::Engine;

use crate::{print, print_list, CsvFlag, FilterArgs, ViewArg};

#[derive(Subcommand)]
pub enum ChecklistCommand {
    /// The steps of everyone in Onboardings and Offboardings (done ones too), soonest due first.
    List {
        /// onboardings or offboardings (default: both).
        #[arg(long, value_enum)]
        view: Option<ViewArg>,
        /// Only open steps due before this date (YYYY-MM-DD).
        #[arg(long)]
        due_before: Option<NaiveDate>,
        #[command(flatten)]
        csv: CsvFlag,
    },
    /// Tick a person's step (its title or id).
    Done { who: String, step: String },
    /// Un-tick a person's step.
    Undo { who: String, step: String },
    /// Assign a person's step to an admin; leave out the name to unassign.
    Assign { who: String, step: String, admin: Option<String> },
    /// Comment a person's step; leave out the text to clear the comment.
    Comment { who: String, step: String, text: Option<String> },
    /// The templates every onboarding and offboarding gets its steps from.
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Subcommand)]
pub enum TemplateCommand {
    List,
    /// Add a template; the people it applies to get its steps at once.
    Add {
        name: String,
        /// onboardings (steps due from the start date) or offboardings (from the end date).
        #[arg(long, value_enum)]
        view: ViewArg,
        /// A step as TITLE:OFFSET, the offset in days from the date (e.g. "Order a keyboard:-10"); repeat for more.
        #[arg(long = "step", required = true)]
        steps: Vec<String>,
        /// Only the people these lists include (legal entity and team names; none: everyone).
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Remove a template; its open steps are closed ("template removed"), not deleted.
    Remove {
        name: String,
    },
}

pub fn run(engine: &mut Engine, command: ChecklistCommand, json: bool, now: DateTime<Utc>) -> anyhow::Result<()> {
    match command {
        ChecklistCommand::List { view, due_before, csv } => {
            let query = ChecklistQuery { view: view.map(View::from), due_before, ..ChecklistQuery::default() };
            let steps = engine.checklist(&query, now)?;
            print_list(json, csv, &steps, || steps_text(&steps))
        }
        ChecklistCommand::Done { who, step } => {
            let step = engine.tick_step(&who, &step, true, now)?;
            print(json, &step, || format!("done: {} for {}", step.title, step.person))
        }
        ChecklistCommand::Undo { who, step } => {
            let step = engine.tick_step(&who, &step, false, now)?;
            print(json, &step, || format!("open again: {} for {}, due {}", step.title, step.person, step.due_date))
        }
        ChecklistCommand::Assign { who, step, admin } => {
            let id = engine.find_step(&who, &step)?;
            let step = engine.assign_step(id, admin, now)?;
            let to = step.assignee.clone().unwrap_or_else(|| "no one".into());
            print(json, &step, || format!("{} for {} is assigned to {to}", step.title, step.person))
        }
        ChecklistCommand::Comment { who, step, text } => {
            let id = engine.find_step(&who, &step)?;
            let step = engine.comment_step(id, text, now)?;
            print(json, &step, || {
                format!("{} for {}: {}", step.title, step.person, step.comment.as_deref().unwrap_or("(no comment)"))
            })
        }
        ChecklistCommand::Template(TemplateCommand::List) => {
            let templates = engine.checklist_templates()?;
            print(json, &templates, || templates_text(&templates))
        }
        ChecklistCommand::Template(TemplateCommand::Add { name, view, steps, filters }) => {
            let steps = steps.iter().map(|s| parse_step(s)).collect::<anyhow::Result<_>>()?;
            let template = Template { name, view: view.into(), filters: filters.into_filters(), steps };
            let changes = engine.add_checklist_template(&template, now)?;
            print(json, &changes, || {
                format!("added template {}: {} step(s) created for people it applies to", template.name, changes.created)
            })
        }
        ChecklistCommand::Template(TemplateCommand::Remove { name }) => {
            let changes = engine.remove_checklist_template(&name, now)?;
            print(json, &changes, || format!("removed template {name}: {} open step(s) closed", changes.closed))
        }
    }
}

/// "TITLE:OFFSET": the last colon separates the offset, so a title may hold colons.
fn parse_step(text: &str) -> anyhow::Result<TemplateStep> {
    let (title, offset) = text
        .rsplit_once(':')
        .with_context(|| format!("step \"{text}\" lacks its offset: TITLE:DAYS, e.g. \"Order equipment:-14\""))?;
    let offset_days =
        offset.trim().parse().with_context(|| format!("\"{offset}\" in step \"{text}\" is not a number of days"))?;
    let title = title.trim();
    anyhow::ensure!(!title.is_empty(), "step \"{text}\" has no title");
    Ok(TemplateStep { title: title.to_owned(), offset_days })
}

fn steps_text(steps: &[ChecklistStep]) -> String {
    if steps.is_empty() {
        return "no checklist steps".into();
    }
    steps
        .iter()
        .map(|s| {
            // Shouted at a terminal, where an overdue step must not be missed.
            let state = if s.overdue { "OVERDUE" } else { s.state() };
            let assignee = s.assignee.as_deref().map(|a| format!("\t→ {a}")).unwrap_or_default();
            let comment = s.comment.as_deref().map(|c| format!("\t({c})")).unwrap_or_default();
            format!("{}\t{}\t{}\t{state}{assignee}{comment}", s.due_date, s.person, s.title)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn templates_text(templates: &[Template]) -> String {
    templates
        .iter()
        .map(|t| {
            let scope = device_rules::describe(&t.filters);
            let view = if t.view == View::Onboardings { "start" } else { "end" };
            let steps: String =
                t.steps.iter().map(|s| format!("\n  {:+} days from the {view}: {}", s.offset_days, s.title)).collect();
            format!("{} ({scope}){steps}", t.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
