//! Deterministic generation of a company: fixed entities, sites and groups, then
//! employees whose first records cover every case a sync must handle (future
//! hires, scheduled and past terminations, externals, missing data), then a
//! random but seeded fill.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map};

use crate::company::{Company, CompanySpec};
use crate::ids::opaque_id;
use crate::names::{FIRST_NAMES, GENDERS, LAST_NAMES, MARITAL_STATUSES, NATIONALITIES, SALARY_BANDS, STREETS};
use crate::records::{
    Address, BankAccount, DomesticBankRouting, Employee, Employment, EmploymentStatus, EmploymentType, Group, GroupType,
    LegalEntity, Location,
};
use crate::timestamp::midnight;

pub const EMAIL_DOMAIN: &str = "quillon.example";

struct EntitySeed {
    name: &'static str,
    country: &'static str,
    city: &'static str,
    state: Option<&'static str>,
    street: &'static str,
    zip: &'static str,
    timezone: &'static str,
    currency: &'static str,
    phone_prefix: &'static str,
    routing: (&'static str, &'static str),
}

const ENTITIES: &[EntitySeed] = &[
    EntitySeed {
        name: "Quillon GmbH",
        country: "DE",
        city: "Berlin",
        state: None,
        street: "Friedrichstrasse 68",
        zip: "10117",
        timezone: "Europe/Berlin",
        currency: "EUR",
        phone_prefix: "+49 151",
        routing: ("10010010", "DE_BANKLEITZAHL"),
    },
    EntitySeed {
        name: "Quillon SAS",
        country: "FR",
        city: "Paris",
        state: None,
        street: "12 Rue de Rivoli",
        zip: "75004",
        timezone: "Europe/Paris",
        currency: "EUR",
        phone_prefix: "+33 6",
        routing: ("30004", "FR_RIB"),
    },
    EntitySeed {
        name: "Quillon Inc.",
        country: "US",
        city: "New York",
        state: Some("NY"),
        street: "350 Fifth Avenue",
        zip: "10118",
        timezone: "America/New_York",
        currency: "USD",
        phone_prefix: "+1 212",
        routing: ("021000021", "US_ABA_ROUTING_TRANSIT_NUMBER"),
    },
    EntitySeed {
        name: "Quillon Ltd",
        country: "GB",
        city: "London",
        state: None,
        street: "1 Poultry",
        zip: "EC2R 8EJ",
        timezone: "Europe/London",
        currency: "GBP",
        phone_prefix: "+44 7700",
        routing: ("40-47-84", "GB_SORT_CODE"),
    },
];

/// Sites: name, kind, and the entity (index into ENTITIES) whose address it uses;
/// `None` marks the remote site, whose people belong to any entity.
const SITES: &[(&str, &str, Option<usize>)] = &[
    ("Berlin Office", "OFFICE", Some(0)),
    ("Paris Office", "OFFICE", Some(1)),
    ("New York Office", "OFFICE", Some(2)),
    ("London Office", "OFFICE", Some(3)),
    ("Remote", "REMOTE", None),
];

struct DepartmentSeed {
    name: &'static str,
    teams: &'static [&'static str],
    cost_center: usize,
    titles: &'static [&'static str],
}

const DEPARTMENTS: &[DepartmentSeed] = &[
    DepartmentSeed { name: "Executive", teams: &[], cost_center: 1, titles: &["Chief of Staff"] },
    DepartmentSeed {
        name: "Engineering",
        teams: &["Platform", "Mobile", "Data"],
        cost_center: 0,
        titles: &["Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer", "Data Engineer"],
    },
    DepartmentSeed {
        name: "Sales",
        teams: &["Field Sales", "Inside Sales"],
        cost_center: 2,
        titles: &["Account Executive", "Sales Representative", "Sales Engineer"],
    },
    DepartmentSeed {
        name: "Finance",
        teams: &["Accounting", "Payroll"],
        cost_center: 1,
        titles: &["Accountant", "Financial Analyst", "Payroll Specialist"],
    },
    DepartmentSeed { name: "People", teams: &["Talent Acquisition"], cost_center: 1, titles: &["People Partner", "Recruiter"] },
    DepartmentSeed {
        name: "IT",
        teams: &["Helpdesk"],
        cost_center: 1,
        titles: &["IT Support Specialist", "Systems Administrator"],
    },
    DepartmentSeed {
        name: "Marketing",
        teams: &["Brand"],
        cost_center: 2,
        titles: &["Marketing Manager", "Content Writer", "Designer"],
    },
];

const COST_CENTERS: &[&str] = &["CC-100 Research & Development", "CC-200 General & Administrative", "CC-300 Go-to-market"];

enum StartRule {
    Drawn,
    On(NaiveDate),
    Missing,
}

enum EmailRule {
    Derived,
    Missing,
    Fixed(&'static str),
}

/// What decides one employee; everything else (sensitive data, pay, dates of
/// record) is drawn at random.
struct Draft {
    names: Option<(&'static str, &'static str)>,
    email: EmailRule,
    job_title: Option<&'static str>,
    department: usize,
    team: Option<usize>,
    status: EmploymentStatus,
    kind: Option<EmploymentType>,
    start: StartRule,
    termination: Option<NaiveDate>,
    head: bool,
}

impl Draft {
    fn new(department: usize, status: EmploymentStatus, kind: EmploymentType) -> Self {
        Draft {
            names: None,
            email: EmailRule::Derived,
            job_title: None,
            department,
            team: None,
            status,
            kind: Some(kind),
            start: StartRule::Drawn,
            termination: None,
            head: false,
        }
    }
}

struct Department {
    group_id: String,
    team_ids: Vec<String>,
    cost_center_id: String,
    head_id: Option<String>,
}

struct Generator {
    rng: ChaCha8Rng,
    today: NaiveDate,
    company: Company,
    departments: Vec<Department>,
    site_ids: Vec<String>,
    ceo_id: Option<String>,
    email_counts: HashMap<String, u32>,
    next_number: u32,
}

pub fn generate(spec: CompanySpec) -> Company {
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        today: spec.today,
        company: Company {
            spec,
            legal_entities: BTreeMap::new(),
            locations: BTreeMap::new(),
            groups: BTreeMap::new(),
            employees: BTreeMap::new(),
            employment_owner: BTreeMap::new(),
            entity_order: Vec::new(),
            // Replaced below by the generator's stream once generation is done.
            rng: ChaCha8Rng::seed_from_u64(spec.seed),
        },
        departments: Vec::new(),
        site_ids: Vec::new(),
        ceo_id: None,
        email_counts: HashMap::new(),
        next_number: 1000,
    };
    generator.structure();
    for draft in coverage_drafts(&mut generator).into_iter().take(spec.size) {
        generator.employee(draft);
    }
    while generator.company.employees.len() < spec.size {
        let draft = generator.random_draft();
        generator.employee(draft);
    }
    generator.company.rng = generator.rng;
    generator.company
}

/// The first records, one per case a sync has to get right, so that even a
/// small company exercises all of them.
fn coverage_drafts(generator: &mut Generator) -> Vec<Draft> {
    use EmploymentStatus::{Active, Inactive, Leave, Pending};
    use EmploymentType::{Contract, Freelance, FullTime, Internship, PartTime};
    let today = generator.today;
    let rng = &mut generator.rng;
    let mut drafts = Vec::new();

    let mut ceo = Draft::new(0, Active, FullTime);
    ceo.job_title = Some("Chief Executive Officer");
    ceo.head = true;
    drafts.push(ceo);
    for (department, seed) in DEPARTMENTS.iter().enumerate().skip(1) {
        let mut head = Draft::new(department, Active, FullTime);
        head.job_title = Some(match seed.name {
            "Engineering" => "Head of Engineering",
            "Sales" => "Head of Sales",
            "Finance" => "Head of Finance",
            "People" => "Head of People",
            "IT" => "Head of IT",
            _ => "Head of Marketing",
        });
        head.head = true;
        drafts.push(head);
    }

    let mut part_time = Draft::new(2, Active, PartTime);
    part_time.team = Some(1);
    drafts.push(part_time);

    let mut consultant = Draft::new(5, Active, Contract);
    consultant.job_title = Some("External consultant");
    drafts.push(consultant);

    let mut accountant = Draft::new(3, Active, Freelance);
    accountant.job_title = Some("External accountant");
    drafts.push(accountant);

    let mut intern = Draft::new(6, Active, Internship);
    intern.job_title = Some("Marketing Intern");
    intern.team = Some(0);
    drafts.push(intern);

    let mut future_hire = Draft::new(1, Pending, FullTime);
    future_hire.team = Some(0);
    future_hire.start = StartRule::On(today + Duration::days(rng.gen_range(1..=45)));
    drafts.push(future_hire);

    // Signed but no start date entered yet: the sync must not invent one.
    let mut undated_hire = Draft::new(2, Pending, FullTime);
    undated_hire.team = Some(0);
    undated_hire.start = StartRule::Missing;
    drafts.push(undated_hire);

    let mut leaving = Draft::new(1, Active, FullTime);
    leaving.team = Some(1);
    leaving.termination = Some(today + Duration::days(rng.gen_range(1..=30)));
    drafts.push(leaving);

    let mut recently_left = Draft::new(3, Inactive, FullTime);
    recently_left.termination = Some(today - Duration::days(rng.gen_range(1..=90)));
    drafts.push(recently_left);

    let mut long_gone = Draft::new(2, Inactive, FullTime);
    long_gone.termination = Some(today - Duration::days(rng.gen_range(200..=900)));
    drafts.push(long_gone);

    let mut service_account = Draft::new(4, Active, FullTime);
    service_account.names = Some(("HR", "Administrator"));
    service_account.email = EmailRule::Fixed("hr-admin@quillon.example");
    service_account.job_title = Some("HR administrator");
    service_account.kind = None;
    drafts.push(service_account);

    let mut no_email = Draft::new(2, Active, FullTime);
    no_email.team = Some(0);
    no_email.email = EmailRule::Missing;
    drafts.push(no_email);

    let mut no_start = Draft::new(1, Active, FullTime);
    no_start.team = Some(2);
    no_start.start = StartRule::Missing;
    drafts.push(no_start);

    let mut on_leave = Draft::new(4, Leave, FullTime);
    on_leave.team = Some(0);
    drafts.push(on_leave);

    drafts
}

impl Generator {
    fn structure(&mut self) {
        let created = self.instant_before_today(400..=900);
        for seed in ENTITIES {
            let id = opaque_id(&mut self.rng);
            let mut remote_data = Map::new();
            remote_data.insert("timezone".into(), json!(seed.timezone));
            let entity = LegalEntity {
                id: id.clone(),
                remote_id: Some(format!("le-{}", seed.country.to_lowercase())),
                name: Some(seed.name.into()),
                address: Some(entity_address(seed)),
                changed_at: created,
                remote_deleted_at: None,
                remote_data: Some(remote_data),
            };
            self.company.entity_order.push(id.clone());
            self.company.legal_entities.insert(id, entity);
        }
        for (index, (name, kind, entity)) in SITES.iter().enumerate() {
            let id = opaque_id(&mut self.rng);
            let address = entity.map(|entity| entity_address(&ENTITIES[entity]));
            let location = Location {
                id: id.clone(),
                remote_id: Some(format!("loc-{}", index + 1)),
                name: Some((*name).into()),
                address,
                kind: Some((*kind).into()),
                changed_at: created,
                remote_deleted_at: None,
                remote_data: None,
            };
            self.site_ids.push(id.clone());
            self.company.locations.insert(id, location);
        }
        let cost_centers: Vec<String> = COST_CENTERS
            .iter()
            .enumerate()
            .map(|(index, name)| self.group(name, GroupType::CostCenter, None, format!("cc-{}", index + 1)))
            .collect();
        for (index, seed) in DEPARTMENTS.iter().enumerate() {
            let group_id = self.group(seed.name, GroupType::Department, None, format!("dep-{}", index + 1));
            let team_ids = seed
                .teams
                .iter()
                .enumerate()
                .map(|(team, name)| {
                    self.group(name, GroupType::Team, Some(group_id.clone()), format!("team-{}-{}", index + 1, team + 1))
                })
                .collect();
            self.departments.push(Department {
                group_id,
                team_ids,
                cost_center_id: cost_centers[seed.cost_center].clone(),
                head_id: None,
            });
        }
    }

    fn group(&mut self, name: &str, kind: GroupType, parent_id: Option<String>, remote_id: String) -> String {
        let id = opaque_id(&mut self.rng);
        let changed_at = self.instant_before_today(30..=600);
        self.company.groups.insert(
            id.clone(),
            Group {
                id: id.clone(),
                remote_id,
                name: Some(name.into()),
                changed_at,
                remote_deleted_at: None,
                kind,
                parent_id,
                remote_data: None,
            },
        );
        id
    }

    fn random_draft(&mut self) -> Draft {
        use EmploymentStatus::{Active, Inactive, Leave, Pending};
        use EmploymentType::{Contract, Freelance, FullTime, Internship, PartTime, WorkingStudent};
        // Executive (0) only holds the CEO; everyone else joins a real department.
        let department = self.rng.gen_range(1..DEPARTMENTS.len());
        let kind = match self.rng.gen_range(0..100) {
            0..=79 => FullTime,
            80..=89 => PartTime,
            90..=93 => Contract,
            94..=96 => Internship,
            97..=98 => Freelance,
            _ => WorkingStudent,
        };
        let mut draft = Draft::new(department, Active, kind);
        let teams = DEPARTMENTS[department].teams.len();
        if teams > 0 && self.rng.gen_bool(0.85) {
            draft.team = Some(self.rng.gen_range(0..teams));
        }
        match self.rng.gen_range(0..100) {
            0..=3 => {
                draft.status = Pending;
                draft.start = StartRule::On(self.today + Duration::days(self.rng.gen_range(1..=45)));
            }
            4..=8 => {
                draft.status = Inactive;
                let days_ago = if self.rng.gen_bool(0.7) { self.rng.gen_range(1..=90) } else { self.rng.gen_range(91..=1500) };
                draft.termination = Some(self.today - Duration::days(days_ago));
            }
            9..=11 => {
                draft.termination = Some(self.today + Duration::days(self.rng.gen_range(1..=30)));
            }
            12..=13 => draft.status = Leave,
            _ => {}
        }
        if matches!(kind, Contract | Freelance) && self.rng.gen_bool(0.5) {
            draft.job_title = Some(if department == 3 { "External accountant" } else { "External consultant" });
        }
        if self.rng.gen_range(0..100) == 0 {
            draft.email = EmailRule::Missing;
        }
        draft
    }

    fn employee(&mut self, draft: Draft) {
        let id = opaque_id(&mut self.rng);
        let employment_id = opaque_id(&mut self.rng);
        let (first, last) = draft.names.unwrap_or_else(|| {
            (
                FIRST_NAMES.choose(&mut self.rng).copied().unwrap_or("Alex"),
                LAST_NAMES.choose(&mut self.rng).copied().unwrap_or("Doe"),
            )
        });
        let work_email = match draft.email {
            EmailRule::Derived => Some(self.unique_email(first, last)),
            EmailRule::Missing => None,
            EmailRule::Fixed(email) => Some(email.to_owned()),
        };
        let site = self.rng.gen_range(0..SITES.len());
        let entity = SITES[site].2.unwrap_or_else(|| self.rng.gen_range(0..ENTITIES.len()));
        let entity_seed = &ENTITIES[entity];
        let entity_id = self.company.entity_order[entity].clone();

        // People who left started well before leaving; the rest started any time
        // in the last ten years.
        let start = match draft.start {
            StartRule::On(date) => Some(date),
            StartRule::Missing => None,
            StartRule::Drawn => {
                let end = draft.termination.unwrap_or(self.today).min(self.today);
                let min_tenure = if draft.head { 365 } else { 1 };
                Some(end - Duration::days(self.rng.gen_range(min_tenure..=3650)))
            }
        };
        let changed_at = self.instant_before_today(1..=60);
        let created_at = changed_at - Duration::days(self.rng.gen_range(0..=700));

        let department = &self.departments[draft.department];
        let manager_id = if draft.head { self.ceo_id.clone() } else { department.head_id.clone() };
        let mut groups = vec![self.company.groups[&department.group_id].embedded()];
        let mut teams = Vec::new();
        if let Some(team) = draft.team {
            let team = self.company.groups[&department.team_ids[team]].embedded();
            teams.push(team.clone());
            groups.push(team);
        }
        groups.push(self.company.groups[&department.cost_center_id].embedded());

        let job_title = draft
            .job_title
            .map(str::to_owned)
            .or_else(|| DEPARTMENTS[draft.department].titles.choose(&mut self.rng).map(|title| (*title).to_owned()));
        let (pay_rate, pay_period, weekly_hours) = match draft.kind {
            Some(EmploymentType::PartTime) => (self.rng.gen_range(20_000..=60_000), "YEAR", Some(20.0)),
            Some(EmploymentType::Internship | EmploymentType::WorkingStudent) => {
                (self.rng.gen_range(1_000..=1_800), "MONTH", Some(20.0))
            }
            Some(EmploymentType::Contract | EmploymentType::Freelance) => (self.rng.gen_range(60..=150), "HOUR", None),
            _ => (self.rng.gen_range(45_000..=140_000), "YEAR", Some(40.0)),
        };
        let display_name = format!("{first} {last}");
        let number = self.next_number;
        self.next_number += 1;

        let employment = Employment {
            id: employment_id,
            remote_id: Some(format!("contract-{number}")),
            employee_id: id.clone(),
            job_title: job_title.clone(),
            pay_rate: Some(f64::from(pay_rate)),
            pay_period: Some(pay_period.into()),
            pay_frequency: Some("MONTHLY".into()),
            employment_type: draft.kind,
            pay_currency: Some(entity_seed.currency.into()),
            effective_date: start.map(midnight),
            changed_at,
            remote_deleted_at: None,
            remote_data: None,
            custom_fields: None,
            integration_fields: Vec::new(),
        };
        let mut custom_fields = Map::new();
        custom_fields.insert("shoe_size".into(), json!(self.rng.gen_range(36..=47)));
        custom_fields.insert("salary_band".into(), json!(SALARY_BANDS.choose(&mut self.rng).copied().unwrap_or("L1")));
        let age_days = self.rng.gen_range(20 * 365..=64 * 365);
        let employee = Employee {
            id: id.clone(),
            remote_id: number.to_string(),
            employee_number: Some(format!("E{number:05}")),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            nationality: NATIONALITIES.choose(&mut self.rng).map(|n| (*n).into()),
            display_full_name: Some(display_name.clone()),
            job_title,
            work_email,
            personal_email: Some(format!(
                "{}.{}{}@privatemail.example",
                first.to_lowercase(),
                last.to_lowercase(),
                self.rng.gen_range(10..100)
            )),
            mobile_phone_number: Some(format!("{} {:07}", entity_seed.phone_prefix, self.rng.gen_range(0..10_000_000))),
            ssn: Some(format!("SSN-{:09}", self.rng.gen_range(0..1_000_000_000u64))),
            tax_id: Some(format!("TAX-{:010}", self.rng.gen_range(0..10_000_000_000u64))),
            gender: GENDERS.choose(&mut self.rng).map(|g| (*g).into()),
            ethnicity: None,
            marital_status: MARITAL_STATUSES.choose(&mut self.rng).map(|m| (*m).into()),
            employment_status: Some(draft.status),
            employment_type: draft.kind,
            weekly_hours,
            avatar: None,
            work_location_id: Some(self.site_ids[site].clone()),
            legal_entity_id: Some(entity_id.clone()),
            manager_id: manager_id.clone(),
            home_address: Some(self.home_address(entity_seed)),
            bank_accounts: Some(vec![self.bank_account(entity_seed, &display_name)]),
            date_of_birth: Some(midnight(self.today - Duration::days(age_days))),
            start_date: start.map(midnight),
            termination_date: draft.termination.map(midnight),
            remote_created_at: Some(created_at),
            changed_at,
            remote_deleted_at: None,
            custom_fields: Some(custom_fields),
            integration_fields: Vec::new(),
            remote_data: None,
            employments: vec![employment],
            time_off_balances: Vec::new(),
            manager: manager_id.as_deref().and_then(|manager| self.company.employees.get(manager)).map(Employee::as_manager),
            groups,
            legal_entity: Some(self.company.legal_entities[&entity_id].embedded()),
            teams,
            work_location: Some(self.company.locations[&self.site_ids[site]].clone()),
        };
        if draft.head {
            if draft.department == 0 {
                self.ceo_id = Some(id.clone());
            } else {
                self.departments[draft.department].head_id = Some(id.clone());
            }
        }
        self.company.insert_employee(employee);
    }

    fn unique_email(&mut self, first: &str, last: &str) -> String {
        let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let count = self.email_counts.entry(local.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            format!("{local}@{EMAIL_DOMAIN}")
        } else {
            format!("{local}{count}@{EMAIL_DOMAIN}")
        }
    }

    fn home_address(&mut self, entity: &EntitySeed) -> Address {
        let street =
            format!("{} {}", STREETS.choose(&mut self.rng).copied().unwrap_or("Main Street"), self.rng.gen_range(1..200));
        let street_2 = self.rng.gen_bool(0.2).then(|| format!("Apartment {}", self.rng.gen_range(1..60)));
        Address {
            raw: Some(format!("{street}, {} {}, {}", entity.zip, entity.city, entity.country)),
            city: Some(entity.city.into()),
            country: Some(entity.country.into()),
            state: entity.state.map(Into::into),
            street_1: Some(street),
            street_2,
            zip_code: Some(entity.zip.into()),
        }
    }

    fn bank_account(&mut self, entity: &EntitySeed, holder: &str) -> BankAccount {
        let account_number = format!("{:010}", self.rng.gen_range(0..10_000_000_000u64));
        BankAccount {
            iban: Some(format!(
                "{}{:02}QUIL{:014}",
                entity.country,
                self.rng.gen_range(10..100),
                self.rng.gen_range(0..100_000_000_000_000u64)
            )),
            bic: Some(format!("QUIL{}XX", entity.country)),
            account_number: Some(account_number),
            holder_name: Some(holder.into()),
            bank_name: Some("Quillon Test Bank".into()),
            domestic_bank_routing: Some(DomesticBankRouting { number: entity.routing.0.into(), kind: entity.routing.1.into() }),
        }
    }

    /// A time of day on a day in `days_ago` before today: records were last
    /// changed in the past, never "now", so the output depends only on the spec.
    fn instant_before_today(&mut self, days_ago: std::ops::RangeInclusive<i64>) -> DateTime<Utc> {
        midnight(self.today - Duration::days(self.rng.gen_range(days_ago)))
            + Duration::seconds(self.rng.gen_range(0..86_400))
            + Duration::milliseconds(self.rng.gen_range(0..1000))
    }
}

fn entity_address(seed: &EntitySeed) -> Address {
    Address {
        city: Some(seed.city.into()),
        country: Some(seed.country.into()),
        raw: Some(format!("{}, {} {}, {}", seed.street, seed.zip, seed.city, seed.country)),
        state: seed.state.map(Into::into),
        street_1: Some(seed.street.into()),
        street_2: None,
        zip_code: Some(seed.zip.into()),
    }
}
