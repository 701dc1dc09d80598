//! People the filters exclude are no longer managed: out of every view, count and workflow,
//! except a device they still hold; widening the filters brings them back.

use chrono::Duration;

use roster_engine::model::View;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::sync::Outcome;
use roster_engine::FilterInput;
use roster_simulator::{Employee, EmploymentStatus};

use crate::harness::{email, now, today, World, SOURCE};

fn active(e: &Employee) -> bool {
    e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
}

/// Syncs at `at`, approving the plan if the mass-change guard held it.
fn sync_approved(world: &mut World, at: chrono::DateTime<chrono::Utc>) {
    let report = world.sync_at(at);
    if report.outcome == Outcome::Held {
        world.engine.approve(report.run_id.expect("a held run has an id"), at).unwrap();
    }
}

fn set_legal_entities(world: &mut World, names: Vec<String>) {
    let filters = world.engine.resolve_filters(SOURCE, &FilterInput { legal_entities: names, ..FilterInput::default() }).unwrap();
    world.engine.set_filters(SOURCE, &filters, now()).unwrap();
}

#[test]
fn out_of_scope_people_leave_views_counts_and_workflows_until_the_filters_take_them_back() {
    let mut world = World::new(51, 60);
    world.sync();
    let excluded = world.remote(active);
    let entity = excluded.legal_entity_id.clone().expect("the simulated person has a legal entity");
    let holder = world.remote(|e| active(e) && e.id != excluded.id && e.legal_entity_id.as_ref() == Some(&entity));
    let entities = world.sim.legal_entities();
    let entity_name = entities.iter().find(|le| le.id == entity).and_then(|le| le.name.clone()).unwrap();
    let kept: Vec<String> = entities.iter().filter(|le| le.id != entity).filter_map(|le| le.name.clone()).collect();
    world
        .engine
        .add_device(&NewDevice { kind: "laptop".into(), model: "ThinkPad X1".into(), serial_number: "SN-9".into() }, now())
        .unwrap();
    world.engine.assign_device("SN-9", &email(&holder), today(), now()).unwrap();
    let active_before = world.engine.status(now()).unwrap().active;

    set_legal_entities(&mut world, kept);
    let later = now() + Duration::hours(1);
    sync_approved(&mut world, later);

    for view in [View::Active, View::Onboardings, View::Offboardings, View::Departed, View::All] {
        assert!(
            !world.emails(view, true).contains(&email(&excluded)),
            "someone the filters exclude is in no {view:?} list by default, hidden people included"
        );
    }
    let status = world.engine.status(later).unwrap();
    assert!(status.active < active_before, "out-of-scope people no longer count as active ({active_before} → {})", status.active);
    let query = EmployeeQuery { view: View::Active, include_out_of_scope: true, limit: 100_000, ..EmployeeQuery::default() };
    let listed = world.engine.employees(&query, later).unwrap();
    let row = listed.iter().find(|e| e.work_email == excluded.work_email).expect("the toggle lists out-of-scope people");
    let reason = row.out_of_scope.as_deref().expect("an out-of-scope row carries its reason, for the badge");
    assert!(reason.contains(&entity_name), "the reason names the excluded value: {reason}");
    assert!(
        listed.iter().filter(|e| e.out_of_scope.is_none()).count() as u32 == status.active,
        "the toggle adds only out-of-scope people to the list"
    );
    // The counts are read in one pass over the views' index, the lists each on their own.
    for (view, counted) in [(View::Onboardings, status.onboardings), (View::Offboardings, status.offboardings)] {
        assert_eq!(
            world.list_at(view, false, later).len() as u32,
            counted,
            "{view:?} counts the people its list holds: out-of-scope people left out, a device's holder kept"
        );
    }

    let offboardings = world.list_at(View::Offboardings, false, later);
    let kept_row = offboardings.iter().find(|e| e.work_email == holder.work_email);
    assert!(
        kept_row.is_some_and(|e| e.devices == 1 && e.out_of_scope.is_some()),
        "an out-of-scope person who still holds a device stays in Offboardings, to recover it"
    );

    let profile = world.engine.profile(&email(&excluded), later).unwrap();
    let scope = profile.out_of_scope.expect("the profile says the person is out of scope");
    assert!(
        scope.reasons.contains(SOURCE) && scope.reasons.contains("legal entity") && scope.reasons.contains(&entity_name),
        "the profile names the source, the filter and the value: {}",
        scope.reasons
    );
    assert_eq!(scope.since.as_deref(), Some(later.to_rfc3339().as_str()), "the profile says since when");

    // Widening the filters brings them back at the next sync, and the history says so.
    world.engine.set_filters(SOURCE, &Default::default(), now()).unwrap();
    let again = later + Duration::hours(1);
    sync_approved(&mut world, again);
    assert!(world.emails(View::Active, false).contains(&email(&excluded)), "back in scope, they are managed again");
    assert_eq!(world.engine.status(again).unwrap().active, active_before, "and counted again");
    let profile = world.engine.profile(&email(&excluded), again).unwrap();
    assert!(profile.out_of_scope.is_none(), "the profile no longer says out of scope");
    assert_eq!(
        profile.history.iter().map(|h| h.action.as_str()).take(2).collect::<Vec<_>>(),
        ["restored", "out_of_scope"],
        "the history shows when they left the scope and when they came back"
    );
}

#[test]
fn filters_named_before_a_first_sync_are_looked_up_in_the_hr_system_without_reading_its_people() {
    let mut world = World::new(52, 300);
    // The team names a person would type, as the preview shows them (it reads everything).
    let rows = world.engine.preview(SOURCE, None, now()).unwrap();
    let team = rows.iter().flat_map(|r| r.teams.iter()).next().expect("the company has teams").clone();
    let members: std::collections::BTreeSet<String> =
        rows.iter().filter(|r| r.teams.contains(&team)).filter_map(|r| r.work_email.clone()).collect();
    assert!(members.len() < rows.len(), "the team is part of the company");

    let asked_before = world.sim.requests().len();
    let input = FilterInput { teams: vec![team.to_uppercase()], ..FilterInput::default() };
    let view = world.engine.set_filters_by_name(SOURCE, &input, now()).expect("a team HR has is found before any sync");
    assert_eq!(view.teams[0].name, team, "the filter is named as HR names the team");
    let asked: Vec<String> = world.sim.requests()[asked_before..].iter().map(|r| r.path.clone()).collect();
    assert!(
        asked.iter().filter(|p| p.ends_with("/hris/employees")).count() <= 1,
        "the lookup stops at the first page of people: {asked:?}"
    );
    let missing =
        world.engine.resolve_filters(SOURCE, &FilterInput { teams: vec!["No such team".into()], ..FilterInput::default() });
    let message = missing.unwrap_err().to_string();
    assert!(message.contains("has no team \"No such team\"") && message.contains(&team), "the error lists HR's teams: {message}");

    world.sync();
    let all = EmployeeQuery {
        view: View::All,
        include_hidden: true,
        include_out_of_scope: true,
        limit: 100_000,
        ..EmployeeQuery::default()
    };
    let synced: std::collections::BTreeSet<String> =
        world.engine.employees(&all, now()).unwrap().into_iter().filter_map(|e| e.work_email).collect();
    assert_eq!(synced, members, "the first sync brings exactly the team's people");
}

#[test]
fn a_team_whose_id_holds_a_comma_filters_and_stores_exactly_its_own_members() {
    use roster_engine::sync::SyncRequest;
    use roster_simulator::Change;

    let mut world = World::new(52, 30);
    let people: Vec<Employee> = world.sim.employees().into_iter().filter(active).take(3).collect();
    let [in_eng, in_eng_ops, in_ops] = [&people[0], &people[1], &people[2]].map(|e| e.clone());
    // Kombo's ids are opaque: nothing keeps a comma out of them.
    for (id, name, member) in [("eng", "Eng", &in_eng), ("eng,ops", "Eng and Ops", &in_eng_ops), ("ops", "Ops", &in_ops)] {
        let change = Change::AddTeam { id: id.into(), name: name.into(), members: vec![member.id.clone()] };
        world.sim.apply(change);
    }
    world.sync();

    let stored = |person: &Employee| -> std::collections::BTreeSet<String> {
        let conn = world.engine.store().conn();
        let sql = "SELECT g.remote_id FROM group_memberships gm JOIN groups g ON g.id = gm.group_id
                   JOIN employees e ON e.id = gm.employee_id WHERE e.work_email = ?1";
        conn.query_map(sql, [email(person)], |r| r.get(0)).unwrap().into_iter().collect()
    };
    let remote = world.sim.employees().into_iter().find(|e| e.id == in_eng_ops.id).unwrap();
    let expected: std::collections::BTreeSet<String> = remote.groups.iter().map(|g| g.id.clone()).collect();
    assert!(expected.contains("eng,ops"), "the simulated person is in the team with a comma");
    assert_eq!(stored(&in_eng_ops), expected, "memberships are stored as the source sends them, not split at the comma");

    let again = world.engine.sync(SOURCE, now(), SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert_eq!(again.counts.updated, 0, "a second read of unchanged groups, commas included, changes no one");

    let included = |world: &mut World, team: &str| -> Vec<String> {
        let filters =
            world.engine.resolve_filters(SOURCE, &FilterInput { teams: vec![team.into()], ..FilterInput::default() }).unwrap();
        let rows = world.engine.preview(SOURCE, Some(filters), now()).unwrap();
        let mut emails: Vec<String> = rows.into_iter().filter(|r| r.included).filter_map(|r| r.work_email).collect();
        emails.retain(|e| [&in_eng, &in_eng_ops, &in_ops].iter().any(|p| email(p) == *e));
        emails
    };
    assert_eq!(
        included(&mut world, "Eng"),
        [email(&in_eng)],
        "the team \"eng\" includes its member only, not the \"eng,ops\" one"
    );
    assert_eq!(included(&mut world, "Ops"), [email(&in_ops)], "the team \"ops\" includes its member only");
    assert_eq!(included(&mut world, "Eng and Ops"), [email(&in_eng_ops)], "the team \"eng,ops\" includes its member");

    let filters = world
        .engine
        .resolve_filters(SOURCE, &FilterInput { teams: vec!["Eng and Ops".into()], ..FilterInput::default() })
        .unwrap();
    world.engine.set_filters(SOURCE, &filters, now()).unwrap();
    sync_approved(&mut world, now() + Duration::hours(1));
    let managed = world.emails(View::All, true);
    assert!(managed.contains(&email(&in_eng_ops)), "the sync keeps the member of the filtered team");
    assert!(
        !managed.contains(&email(&in_eng)) && !managed.contains(&email(&in_ops)),
        "the sync excludes the members of \"eng\" and \"ops\", whose ids are parts of \"eng,ops\""
    );
}
