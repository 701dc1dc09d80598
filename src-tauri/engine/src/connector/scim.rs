//! SCIM 2.0 (RFC 7643/7644): `/Groups` then `/Users` with the enterprise extension, index-paged.
//!
//! Start and end dates are not part of SCIM: they are read when the server puts `startDate` /
//! `endDate` (or `hireDate` / `terminationDate`) under the enterprise extension or a custom schema,
//! and are left empty otherwise. As with Kombo, only the brief's fields are taken from a payload.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};

use super::http::{self, Attempt, RetryPolicy, MAX_PAGES_PER_MODEL};
use super::{
    calendar_date, enum_value, id_from_name, Address, ConnectorError, Model, ReadRequest, Record, RemoteEmployee, RemoteGroup,
    RemoteSite, Sink,
};
use crate::group_ids;
use crate::model::{Field, FieldValues};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PAGE_SIZE: u32 = 100;

/// A SCIM source's settings; the bearer token lives in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimConfig {
    /// The service provider's base, e.g. `https://idp.example.com/scim/v2`.
    pub base_url: String,
}

pub struct ScimConnector {
    client: Client,
    config: ScimConfig,
    token: String,
    retry: RetryPolicy,
}

impl ScimConnector {
    pub fn new(config: ScimConfig, token: String, retry: RetryPolicy) -> Result<Self, ConnectorError> {
        http::require_tls(&config.base_url)?;
        let client = http::client(&retry)?;
        Ok(ScimConnector { client, config, token, retry })
    }

    /// Reads one user page: the token is checked the way every sync will use it.
    pub fn check(&self) -> Result<(), ConnectorError> {
        self.page::<ScimUser>(Model::Employees, 1, 1, None).map(drop)
    }

    /// Walks every page of `/Users` or `/Groups`, calling `each` with each page's resources.
    fn walk<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        updated_after: Option<DateTime<Utc>>,
        mut each: impl FnMut(u32, Vec<T>) -> Result<(), crate::Error>,
    ) -> Result<(), crate::Error> {
        let mut start_index: u64 = 1;
        let mut page = 1;
        loop {
            let body: ListResponse<T> = self.page(model, page, start_index, updated_after)?;
            // The next index counts the resources received, not the page size the server claims
            // (`itemsPerPage`), which a broken server may send as 0 or as anything at all.
            let received = body.resources.len() as u64;
            let total = body.total_results;
            each(page, body.resources)?;
            // RFC 7644 §3.4.2.4: the last page is the one that reaches totalResults. An empty page
            // also ends the walk, so a server that miscounts cannot loop forever.
            let Some(next) = start_index.checked_add(received).filter(|next| received > 0 && *next <= total) else {
                return Ok(());
            };
            // The pages still needed at this pace must fit the page limit: a server announcing
            // billions fails now, not after the limit's worth of pages.
            let pages_left = (total - next + 1).div_ceil(received);
            if pages_left.saturating_add(page.into()) > MAX_PAGES_PER_MODEL.into() {
                return Err(ConnectorError::TooManyPages { model, limit: MAX_PAGES_PER_MODEL }.into());
            }
            start_index = next;
            page += 1;
        }
    }

    fn page<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        page: u32,
        start_index: u64,
        updated_after: Option<DateTime<Utc>>,
    ) -> Result<ListResponse<T>, ConnectorError> {
        http::with_retries(&self.retry, || self.page_once(model, page, start_index, updated_after))
    }

    fn page_once<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        page: u32,
        start_index: u64,
        updated_after: Option<DateTime<Utc>>,
    ) -> Result<ListResponse<T>, Attempt> {
        let resource = if model == Model::Groups { "Groups" } else { "Users" };
        let url = format!("{}/{resource}", self.config.base_url.trim_end_matches('/'));
        let mut query = vec![("startIndex", start_index.to_string()), ("count", PAGE_SIZE.to_string())];
        if let Some(after) = updated_after {
            query.push(("filter", format!("meta.lastModified gt \"{}\"", after.to_rfc3339_opts(SecondsFormat::Millis, true))));
        }
        let sent = self
            .client
            .get(url)
            .query(&query)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/scim+json, application/json")
            .send();
        http::read_page(sent, model, page, final_error)
    }
}

impl super::Connector for ScimConnector {
    fn read(&self, request: &ReadRequest, sink: &mut Sink<'_>) -> Result<(), crate::Error> {
        // Groups are always read whole: membership lives on the group, and a changed user's
        // groups must be complete even in a delta.
        let mut memberships: HashMap<String, Vec<String>> = HashMap::new();
        self.walk(Model::Groups, None, |page, groups: Vec<ScimGroup>| {
            groups.into_iter().try_for_each(|group| {
                let remote_id = group.id.ok_or(ConnectorError::MissingId { model: Model::Groups, page })?;
                for member in group.members {
                    if member.r#type.as_deref().is_none_or(|t| t == "User") {
                        memberships.entry(member.value).or_default().push(remote_id.clone());
                    }
                }
                sink(Record::Group(RemoteGroup {
                    remote_id,
                    name: group.display_name,
                    kind: Some("TEAM".into()),
                    deleted: false,
                }))
            })
        })?;
        // Legal entities and departments exist only as names on users: each is handed over the
        // first time a user names it, before that user.
        let mut seen: HashSet<String> = HashSet::new();
        self.walk(Model::Employees, request.updated_after, |page, users: Vec<ScimUser>| {
            users.into_iter().try_for_each(|user| {
                let (employee, organization, department) = user.into_employee(page, &memberships, &request.disabled_fields)?;
                if let Some(name) = organization.filter(|n| seen.insert(format!("org\n{n}"))) {
                    sink(Record::LegalEntity(RemoteSite {
                        remote_id: name.clone(),
                        name: Some(name),
                        address: None,
                        country: None,
                        deleted: false,
                    }))?;
                }
                if let Some(name) = department.filter(|n| seen.insert(format!("dept\n{n}"))) {
                    sink(Record::Group(RemoteGroup {
                        remote_id: id_from_name("department", &name),
                        name: Some(name),
                        kind: Some("DEPARTMENT".into()),
                        deleted: false,
                    }))?;
                }
                sink(Record::Employee(employee))
            })
        })
    }
}

/// Maps a SCIM error (RFC 7644 §3.12) onto errors a person can act on.
fn final_error(model: Model, page: u32, response: Response) -> ConnectorError {
    let status = response.status().as_u16();
    let detail = response.json::<ScimError>().ok().and_then(|e| e.detail).unwrap_or_else(|| "no details given".to_owned());
    match status {
        401 => ConnectorError::AuthenticationInvalid,
        403 => ConnectorError::PermissionMissing { model, message: detail },
        _ => ConnectorError::Status { model, page, status, message: detail },
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListResponse<T> {
    total_results: u64,
    #[serde(rename = "Resources", default = "Vec::new")]
    resources: Vec<T>,
}

#[derive(Deserialize)]
struct ScimError {
    detail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimGroup {
    id: Option<String>,
    display_name: Option<String>,
    #[serde(default)]
    members: Vec<ScimMember>,
}

#[derive(Deserialize)]
struct ScimMember {
    value: String,
    r#type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimUser {
    id: Option<String>,
    user_name: Option<String>,
    name: Option<ScimName>,
    title: Option<String>,
    user_type: Option<String>,
    active: Option<bool>,
    #[serde(default)]
    emails: Vec<ScimMulti>,
    #[serde(default)]
    phone_numbers: Vec<ScimMulti>,
    #[serde(default)]
    addresses: Vec<ScimAddress>,
    /// Schema extensions, by URN. Only the enterprise extension's fields and contract dates are
    /// taken from them; the rest is dropped with the parsed page.
    #[serde(flatten)]
    extensions: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimName {
    given_name: Option<String>,
    family_name: Option<String>,
}

#[derive(Deserialize)]
struct ScimMulti {
    value: Option<String>,
    r#type: Option<String>,
    #[serde(default)]
    primary: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimAddress {
    r#type: Option<String>,
    street_address: Option<String>,
    locality: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    formatted: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Enterprise {
    employee_number: Option<String>,
    organization: Option<String>,
    department: Option<String>,
    manager: Option<ScimManager>,
}

#[derive(Deserialize)]
struct ScimManager {
    value: Option<String>,
}

/// The first value of the given type in a SCIM multi-valued attribute.
fn of_type(values: &[ScimMulti], kind: &str) -> Option<String> {
    values.iter().find(|v| v.r#type.as_deref() == Some(kind)).and_then(|v| v.value.clone())
}

impl ScimUser {
    /// The employee, and the names of its organisation (legal entity) and department.
    fn into_employee(
        self,
        page: u32,
        memberships: &HashMap<String, Vec<String>>,
        disabled: &[Field],
    ) -> Result<(RemoteEmployee, Option<String>, Option<String>), ConnectorError> {
        let model = Model::Employees;
        let remote_id = self.id.ok_or(ConnectorError::MissingId { model, page })?;
        let enterprise: Enterprise = self
            .extensions
            .get(ENTERPRISE)
            .map(|v| serde_json::from_value(v.clone()))
            .transpose()
            .map_err(|e| ConnectorError::Malformed { model, page, detail: format!("user \"{remote_id}\": {e}") })?
            .unwrap_or_default();
        let date = |field: &'static str, names: [&str; 2]| -> Result<Option<String>, ConnectorError> {
            let raw = self
                .extensions
                .iter()
                .filter(|(urn, _)| urn.starts_with("urn:"))
                .find_map(|(_, ext)| names.iter().find_map(|n| ext.get(n)?.as_str()));
            raw.map(|v| {
                calendar_date(v).map(|d| d.to_string()).ok_or_else(|| ConnectorError::InvalidDate {
                    model,
                    id: remote_id.clone(),
                    field,
                    value: v.to_owned(),
                })
            })
            .transpose()
        };
        let mut values = FieldValues::default();
        values.set(Field::StartDate, date("startDate", ["startDate", "hireDate"])?);
        values.set(Field::EndDate, date("endDate", ["endDate", "terminationDate"])?);
        let work_email = of_type(&self.emails, "work")
            .or_else(|| self.emails.iter().find(|e| e.primary).and_then(|e| e.value.clone()))
            .or_else(|| self.user_name.clone().filter(|u| u.contains('@')));
        values.set(Field::WorkEmail, work_email);
        values.set(Field::PersonalEmail, of_type(&self.emails, "home"));
        values.set(Field::MobilePhone, of_type(&self.phone_numbers, "mobile"));
        values.set(Field::FirstName, self.name.as_ref().and_then(|n| n.given_name.clone()));
        values.set(Field::LastName, self.name.as_ref().and_then(|n| n.family_name.clone()));
        values.set(Field::JobTitle, self.title);
        values.set(Field::EmploymentStatus, self.active.map(|a| if a { "ACTIVE" } else { "INACTIVE" }.to_owned()));
        values.set(Field::EmploymentType, self.user_type.as_deref().map(enum_value));
        values.set(Field::EmployeeNumber, enterprise.employee_number);
        values.set(Field::LegalEntity, enterprise.organization.clone());
        values.set(Field::Manager, enterprise.manager.and_then(|m| m.value));
        let home = self.addresses.into_iter().find(|a| a.r#type.as_deref() == Some("home"));
        values.set(
            Field::HomeAddress,
            home.and_then(|a| {
                Address {
                    street_1: a.street_address,
                    street_2: None,
                    city: a.locality,
                    state: a.region,
                    zip_code: a.postal_code,
                    country: a.country,
                    raw: a.formatted,
                }
                .to_json()
            }),
        );
        let mut groups = memberships.get(&remote_id).cloned().unwrap_or_default();
        if let Some(department) = &enterprise.department {
            groups.push(id_from_name("department", department));
        }
        values.set(Field::Groups, Some(group_ids::join(groups)));
        for field in disabled {
            values.set(*field, None);
        }
        Ok((RemoteEmployee { remote_id, values, deleted: false }, enterprise.organization, enterprise.department))
    }
}
