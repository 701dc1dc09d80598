//! Kombo's unified HRIS API: cursor-paginated reads of the four models Roster uses. Employments
//! are not read: what Roster keeps of a contract (start and end dates, employment type) comes with
//! the employee.
//!
//! Only the fields of the brief's list are declared in the payload types below; serde skips every
//! other field (social security numbers, bank accounts, pay...), so they never leave the parser.

use std::collections::HashSet;

use chrono::SecondsFormat;
use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};

use super::http::{self, transport, Attempt, RetryPolicy};
use super::{calendar_date, ConnectorError, Model, ReadRequest, Record, RemoteEmployee, RemoteGroup, RemoteSite, Sink};
use crate::group_ids;
use crate::model::{Field, FieldValues};

/// Kombo's API in the EU and in the US.
pub const EU_BASE_URL: &str = "https://api.kombo.dev/v1";
pub const US_BASE_URL: &str = "https://api.us.kombo.dev/v1";

/// The largest page Kombo serves: fewer round trips for a full read.
const PAGE_SIZE: u32 = 250;

/// A Kombo source's connection settings, as stored with the source. The API key is not here: it
/// lives in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KomboConfig {
    pub base_url: String,
    pub integration_id: String,
    /// The HR system behind the integration (Kombo's tool id, e.g. `personio`, `lucca`), for
    /// provider-specific advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

pub struct KomboConnector {
    client: Client,
    config: KomboConfig,
    api_key: String,
    retry: RetryPolicy,
}

impl KomboConnector {
    pub fn new(config: KomboConfig, api_key: String, retry: RetryPolicy) -> Result<Self, ConnectorError> {
        http::require_tls(&config.base_url)?;
        let client = http::client(&retry)?;
        Ok(KomboConnector { client, config, api_key, retry })
    }

    /// Checks the API key, as Kombo recommends when a source is connected.
    pub fn check_api_key(&self) -> Result<(), ConnectorError> {
        let url = format!("{}/check-api-key", self.config.base_url.trim_end_matches('/'));
        let response = self.client.get(url).bearer_auth(&self.api_key).send().map_err(|e| transport(Model::Employees, 0, &e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(final_error(Model::Employees, 0, response))
        }
    }

    /// Kombo Connect, step 1: a link where the customer picks and authorises their HR system.
    /// Only the API key is needed (the integration does not exist yet).
    pub fn create_connect_link(&self, end_user_email: &str, organization: &str) -> Result<String, ConnectorError> {
        #[derive(Serialize)]
        struct Body<'a> {
            end_user_email: &'a str,
            end_user_organization_name: &'a str,
            integration_category: &'a str,
            link_type: &'a str,
        }
        #[derive(Deserialize)]
        struct Created {
            data: CreatedLink,
        }
        #[derive(Deserialize)]
        struct CreatedLink {
            link: String,
        }
        let url = format!("{}/connect/create-link", self.config.base_url.trim_end_matches('/'));
        let body = Body {
            end_user_email,
            end_user_organization_name: organization,
            integration_category: "HRIS",
            link_type: "EMBEDDED",
        };
        let response = self
            .client
            .post(url)
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .map_err(|e| transport(Model::Employees, 0, &e))?;
        if !response.status().is_success() {
            return Err(final_error(Model::Employees, 0, response));
        }
        let created: Created =
            response.json().map_err(|e| ConnectorError::Malformed { model: Model::Employees, page: 0, detail: e.to_string() })?;
        safe_link(created.data.link)
    }

    /// Kombo Connect, step 2: the activation token the finished flow hands back, resolved into the
    /// new integration's id and tool.
    pub fn integration_by_token(&self, token: &str) -> Result<(String, String), ConnectorError> {
        #[derive(Deserialize)]
        struct Resolved {
            data: Integration,
        }
        #[derive(Deserialize)]
        struct Integration {
            id: String,
            tool: String,
        }
        let url = self.endpoint(&["connect", "integration-by-token", token.trim()])?;
        let response = self.client.get(url).bearer_auth(&self.api_key).send().map_err(|e| transport(Model::Employees, 0, &e))?;
        if !response.status().is_success() {
            // The token is a credential for the new integration: the server's text may echo it.
            return Err(match final_error(Model::Employees, 0, response) {
                ConnectorError::Status { model, page, status, message } => {
                    ConnectorError::Status { model, page, status, message: message.replace(token.trim(), "[activation token]") }
                }
                other => other,
            });
        }
        let resolved: Resolved =
            response.json().map_err(|e| ConnectorError::Malformed { model: Model::Employees, page: 0, detail: e.to_string() })?;
        Ok((resolved.data.id, resolved.data.tool))
    }

    /// The HR system behind the integration, as Kombo names it.
    pub fn integration_tool(&self) -> Result<Option<String>, ConnectorError> {
        let url = self.endpoint(&["integrations", &self.config.integration_id])?;
        let response = self.client.get(url).bearer_auth(&self.api_key).send().map_err(|e| transport(Model::Employees, 0, &e))?;
        if !response.status().is_success() {
            return Err(final_error(Model::Employees, 0, response));
        }
        #[derive(Deserialize)]
        struct Integration {
            data: IntegrationData,
        }
        #[derive(Deserialize)]
        struct IntegrationData {
            tool: Option<Tool>,
        }
        #[derive(Deserialize)]
        struct Tool {
            id: String,
        }
        let body: Integration =
            response.json().map_err(|e| ConnectorError::Malformed { model: Model::Employees, page: 0, detail: e.to_string() })?;
        Ok(body.data.tool.map(|t| t.id))
    }

    /// The base URL with `segments` appended, each percent-encoded: a token or id holding `../` or
    /// `?` must not reach another endpoint with the key.
    fn endpoint(&self, segments: &[&str]) -> Result<reqwest::Url, ConnectorError> {
        let invalid = |detail: String| ConnectorError::Transport { model: Model::Employees, page: 0, detail };
        let mut url = reqwest::Url::parse(self.config.base_url.trim_end_matches('/'))
            .map_err(|e| invalid(format!("the base URL is not a URL: {e}")))?;
        url.path_segments_mut().map_err(|()| invalid("the base URL cannot take a path".to_owned()))?.extend(segments);
        Ok(url)
    }

    /// Walks every page of one model, calling `each` with the parsed results of each page.
    fn walk<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        request: &ReadRequest,
        mut each: impl FnMut(u32, Vec<T>) -> Result<(), crate::Error>,
    ) -> Result<(), crate::Error> {
        let mut cursor: Option<String> = None;
        // Kombo has been seen answering `results: []` with the same `next` forever: a cursor seen
        // before means the walk would never end.
        let mut seen = HashSet::new();
        let mut page = 1;
        loop {
            let body: PageEnvelope<T> = self.page(model, page, cursor.as_deref(), request)?;
            each(page, body.data.results)?;
            match body.data.next {
                Some(next) if !seen.insert(next.clone()) => return Err(ConnectorError::RepeatedCursor { model, page }.into()),
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
            page += 1;
        }
    }

    fn page<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        page: u32,
        cursor: Option<&str>,
        request: &ReadRequest,
    ) -> Result<PageEnvelope<T>, ConnectorError> {
        http::with_retries(&self.retry, || self.page_once(model, page, cursor, request))
    }

    fn page_once<T: for<'de> Deserialize<'de>>(
        &self,
        model: Model,
        page: u32,
        cursor: Option<&str>,
        request: &ReadRequest,
    ) -> Result<PageEnvelope<T>, Attempt> {
        let url = format!("{}/hris/{}", self.config.base_url.trim_end_matches('/'), model.path());
        let mut query: Vec<(&str, String)> = vec![("page_size", PAGE_SIZE.to_string())];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        if let Some(after) = request.updated_after {
            query.push(("updated_after", after.to_rfc3339_opts(SecondsFormat::Millis, true)));
            // Deltas must also say who was deleted, or a deletion would go unnoticed until the next full read.
            query.push(("include_deleted", "true".to_owned()));
        }
        let sent = self
            .client
            .get(url)
            .query(&query)
            .bearer_auth(&self.api_key)
            .header("X-Integration-Id", &self.config.integration_id)
            .send();
        http::read_page(sent, model, page, final_error)
    }
}

impl super::Connector for KomboConnector {
    fn read(&self, request: &ReadRequest, sink: &mut Sink<'_>) -> Result<(), crate::Error> {
        self.walk(Model::LegalEntities, request, |page, rows: Vec<KomboSite>| {
            rows.into_iter().try_for_each(|row| sink(Record::LegalEntity(row.into_site(Model::LegalEntities, page)?)))
        })?;
        self.walk(Model::Locations, request, |page, rows: Vec<KomboSite>| {
            rows.into_iter().try_for_each(|row| sink(Record::WorkLocation(row.into_site(Model::Locations, page)?)))
        })?;
        self.walk(Model::Groups, request, |page, rows: Vec<KomboGroup>| {
            rows.into_iter().try_for_each(|row| {
                let remote_id = row.id.ok_or(ConnectorError::MissingId { model: Model::Groups, page })?;
                sink(Record::Group(RemoteGroup {
                    remote_id,
                    name: row.name,
                    kind: row.r#type,
                    deleted: row.remote_deleted_at.is_some(),
                }))
            })
        })?;
        self.walk(Model::Employees, request, |page, rows: Vec<KomboEmployee>| {
            rows.into_iter().try_for_each(|row| sink(Record::Employee(row.into_employee(page, &request.disabled_fields)?)))
        })
    }
}

/// Maps Kombo's error envelope onto errors a person can act on.
/// The Connect link is opened by the OS (the shell's opener skips the capability scope), so a
/// spoofed endpoint answering `file://`, `smb://` or a protocol handler could make the OS run
/// something. Only https passes, and http to this computer for the local simulator (the demo).
fn safe_link(link: String) -> Result<String, ConnectorError> {
    let url = reqwest::Url::parse(&link).map_err(|e| ConnectorError::Malformed {
        model: Model::Employees,
        page: 0,
        detail: format!("the Connect link is not a URL: {e}"),
    })?;
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(link),
        "http" if loopback => Ok(link),
        scheme => Err(ConnectorError::UnsafeConnectLink { scheme: scheme.to_owned() }),
    }
}

fn final_error(model: Model, page: u32, response: Response) -> ConnectorError {
    let status = response.status().as_u16();
    let envelope: Option<ErrorEnvelope> = response.json().ok();
    let (code, message) =
        envelope.map(|e| (e.error.code.unwrap_or_default(), e.error.message.unwrap_or_default())).unwrap_or_default();
    match code.as_str() {
        "PLATFORM.AUTHENTICATION_INVALID" => ConnectorError::AuthenticationInvalid,
        "INTEGRATION.PERMISSION_MISSING" => ConnectorError::PermissionMissing { model, message },
        "INTEGRATION.SETUP_SYNC_PENDING" => ConnectorError::SetupSyncPending,
        "PLATFORM.RATE_LIMIT_EXCEEDED" | "REMOTE.RATE_LIMIT_EXCEEDED" => ConnectorError::RateLimited { model, page },
        _ if status == 401 => ConnectorError::AuthenticationInvalid,
        _ => ConnectorError::Status {
            model,
            page,
            status,
            message: if message.is_empty() { "no details given".to_owned() } else { message },
        },
    }
}

#[derive(Deserialize)]
struct PageEnvelope<T> {
    data: PageData<T>,
}

#[derive(Deserialize)]
struct PageData<T> {
    next: Option<String>,
    results: Vec<T>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
struct KomboAddress {
    street_1: Option<String>,
    street_2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip_code: Option<String>,
    country: Option<String>,
    raw: Option<String>,
}

impl KomboAddress {
    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an address of strings always serialises")
    }
}

#[derive(Deserialize)]
struct KomboSite {
    id: Option<String>,
    name: Option<String>,
    address: Option<KomboAddress>,
    remote_deleted_at: Option<String>,
}

impl KomboSite {
    fn into_site(self, model: Model, page: u32) -> Result<RemoteSite, ConnectorError> {
        let remote_id = self.id.ok_or(ConnectorError::MissingId { model, page })?;
        Ok(RemoteSite {
            remote_id,
            name: self.name,
            country: self.address.as_ref().and_then(|a| a.country.clone()),
            address: self.address.as_ref().map(KomboAddress::to_json),
            deleted: self.remote_deleted_at.is_some(),
        })
    }
}

#[derive(Deserialize)]
struct KomboGroup {
    id: Option<String>,
    name: Option<String>,
    r#type: Option<String>,
    remote_deleted_at: Option<String>,
}

#[derive(Deserialize)]
struct KomboGroupRef {
    id: String,
}

#[derive(Deserialize)]
struct KomboEmployee {
    id: Option<String>,
    employee_number: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    job_title: Option<String>,
    work_email: Option<String>,
    personal_email: Option<String>,
    mobile_phone_number: Option<String>,
    employment_status: Option<String>,
    employment_type: Option<String>,
    work_location_id: Option<String>,
    legal_entity_id: Option<String>,
    manager_id: Option<String>,
    home_address: Option<KomboAddress>,
    start_date: Option<String>,
    termination_date: Option<String>,
    remote_deleted_at: Option<String>,
    #[serde(default)]
    groups: Vec<KomboGroupRef>,
}

impl KomboEmployee {
    fn into_employee(self, page: u32, disabled: &[Field]) -> Result<RemoteEmployee, ConnectorError> {
        let model = Model::Employees;
        let remote_id = self.id.ok_or(ConnectorError::MissingId { model, page })?;
        let date = |field: &'static str, value: Option<String>| -> Result<Option<String>, ConnectorError> {
            value
                .map(|v| {
                    calendar_date(&v).map(|d| d.to_string()).ok_or_else(|| ConnectorError::InvalidDate {
                        model,
                        id: remote_id.clone(),
                        field,
                        value: v,
                    })
                })
                .transpose()
        };
        let mut values = FieldValues::default();
        values.set(Field::StartDate, date("start_date", self.start_date)?);
        values.set(Field::EndDate, date("termination_date", self.termination_date)?);
        values.set(Field::EmployeeNumber, self.employee_number);
        values.set(Field::FirstName, self.first_name);
        values.set(Field::LastName, self.last_name);
        values.set(Field::JobTitle, self.job_title);
        values.set(Field::WorkEmail, self.work_email);
        values.set(Field::PersonalEmail, self.personal_email);
        values.set(Field::MobilePhone, self.mobile_phone_number);
        values.set(Field::EmploymentStatus, self.employment_status);
        values.set(Field::EmploymentType, self.employment_type);
        values.set(Field::WorkLocation, self.work_location_id);
        values.set(Field::LegalEntity, self.legal_entity_id);
        values.set(Field::Manager, self.manager_id);
        values.set(Field::HomeAddress, self.home_address.as_ref().map(KomboAddress::to_json));
        values.set(Field::Groups, Some(group_ids::join(self.groups.into_iter().map(|g| g.id))));
        for field in disabled {
            values.set(*field, None);
        }
        Ok(RemoteEmployee { remote_id, values, deleted: self.remote_deleted_at.is_some() })
    }
}
