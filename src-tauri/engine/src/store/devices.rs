//! The device inventory and who holds what: Roster's own data, never touched by a sync.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::change_log::{self, Actor, Entry};
use crate::store::db::{params, Db, Row};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewDevice {
    /// laptop, phone, monitor...
    pub kind: String,
    pub model: String,
    pub serial_number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Device {
    pub id: i64,
    pub kind: String,
    pub model: String,
    pub serial_number: String,
    /// in_stock, assigned, repair or retired.
    pub status: String,
    pub holder_id: Option<i64>,
    pub holder: Option<String>,
    pub assigned_on: Option<String>,
    /// The person the device is kept for until it is handed to them.
    pub reserved_for_id: Option<i64>,
    pub reserved_for: Option<String>,
}

const DEVICE_SELECT: &str = "SELECT d.id, d.kind, d.model, d.serial_number, d.status, a.employee_id,
        CASE WHEN a.employee_id IS NOT NULL THEN trim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')) END,
        a.assigned_on, d.reserved_for,
        CASE WHEN r.id IS NOT NULL THEN trim(coalesce(r.first_name, '') || ' ' || coalesce(r.last_name, '')) END
     FROM devices d
     LEFT JOIN device_assignments a ON a.device_id = d.id AND a.returned_on IS NULL
     LEFT JOIN employees e ON e.id = a.employee_id
     LEFT JOIN employees r ON r.id = d.reserved_for";

fn device(r: &Row<'_>) -> Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        kind: r.get(1)?,
        model: r.get(2)?,
        serial_number: r.get(3)?,
        status: r.get(4)?,
        holder_id: r.get(5)?,
        holder: r.get(6)?,
        assigned_on: r.get(7)?,
        reserved_for_id: r.get(8)?,
        reserved_for: r.get(9)?,
    })
}

pub fn add(conn: &Db, new: &NewDevice, now: &str) -> Result<Device> {
    let (kind, model, serial) = (new.kind.trim(), new.model.trim(), new.serial_number.trim());
    if kind.is_empty() || model.is_empty() || serial.is_empty() {
        return Err(Error::Invalid("a device needs a kind, a model and a serial number".into()));
    }
    let taken: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM devices WHERE serial_number = ?1)", [serial], |r| r.get(0))?;
    if taken {
        return Err(Error::Invalid(format!("a device with serial number {serial} is already in the inventory")));
    }
    let id = conn.query_row(
        "INSERT INTO devices (kind, model, serial_number, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![kind, model, serial, now],
        |r| r.get(0),
    )?;
    get(conn, id)
}

pub fn get(conn: &Db, id: i64) -> Result<Device> {
    conn.query_opt(&format!("{DEVICE_SELECT} WHERE d.id = ?1"), [id], device)?
        .ok_or_else(|| Error::Invalid(format!("no device {id}")))
}

/// A device by id or serial number.
pub fn find(conn: &Db, key: &str) -> Result<Device> {
    let id: Option<i64> =
        conn.query_opt("SELECT id FROM devices WHERE serial_number = ?1 OR CAST(id AS TEXT) = ?1", [key.trim()], |r| r.get(0))?;
    get(conn, id.ok_or_else(|| Error::Invalid(format!("no device with id or serial number \"{key}\"")))?)
}

pub fn list(conn: &Db, holder: Option<i64>) -> Result<Vec<Device>> {
    // PostgreSQL types a parameter from each place it is used: `?1 IS NULL` alone says nothing, so it is cast.
    conn.query_map(
        &format!(
            "{DEVICE_SELECT} WHERE CAST(?1 AS BIGINT) IS NULL OR a.employee_id = ?1 ORDER BY d.kind, d.model, d.serial_number"
        ),
        [holder],
        device,
    )
}

/// One hand-over in a device's history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Holding {
    /// `None` for a former employee: retention erased them, the hand-over stays in the device's history.
    pub holder_id: Option<i64>,
    pub holder: Option<String>,
    pub assigned_on: String,
    pub returned_on: Option<String>,
    /// Who handed it over and who took it back, by display name or database role (a team's
    /// directory in PostgreSQL; `None` on SQLite).
    pub assigned_by: Option<String>,
    pub returned_by: Option<String>,
}

/// Who held the device, newest first.
pub fn history(conn: &Db, device_id: i64) -> Result<Vec<Holding>> {
    conn.query_map(
        "SELECT a.employee_id, CASE WHEN e.id IS NOT NULL THEN trim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')) END,
                a.assigned_on, a.returned_on, coalesce(ta.display_name, a.assigned_by), coalesce(tr.display_name, a.returned_by)
         FROM device_assignments a LEFT JOIN employees e ON e.id = a.employee_id
         LEFT JOIN team_members ta ON ta.role_name = a.assigned_by LEFT JOIN team_members tr ON tr.role_name = a.returned_by
         WHERE a.device_id = ?1 ORDER BY a.assigned_on DESC, a.id DESC",
        [device_id],
        |r| {
            Ok(Holding {
                holder_id: r.get(0)?,
                holder: r.get(1)?,
                assigned_on: r.get(2)?,
                returned_on: r.get(3)?,
                assigned_by: r.get(4)?,
                returned_by: r.get(5)?,
            })
        },
    )
}

/// The refusal of a hand-over of a device someone holds: to whom, by whom and since when it was
/// handed over. Read afresh, after a concurrent hand-over's transaction has committed.
pub fn taken(conn: &Db, device: &Device) -> Result<Error> {
    let Some(holding) = history(conn, device.id)?.into_iter().find(|h| h.returned_on.is_none()) else {
        return Err(Error::Stored(format!("device {} has no open hand-over", device.id)));
    };
    Ok(Error::DeviceTaken {
        device: format!("{} {} ({})", device.kind, device.model, device.serial_number),
        holder: holding.holder.unwrap_or_else(|| "a former employee".into()),
        by: holding.assigned_by,
        on: holding.assigned_on,
    })
}

/// Refuses a device someone holds or that is retired: it can be neither handed over nor reserved.
fn available(conn: &Db, device: &Device) -> Result<()> {
    if device.holder_id.is_some() {
        return Err(taken(conn, device)?);
    }
    if device.status == "retired" {
        return Err(Error::Invalid(format!("{} {} is retired", device.model, device.serial_number)));
    }
    Ok(())
}

/// Refuses a device reserved for someone other than `employee_id`.
fn not_promised_elsewhere(device: &Device, employee_id: i64) -> Result<()> {
    match (&device.reserved_for_id, &device.reserved_for) {
        (Some(id), Some(name)) if *id != employee_id => Err(Error::Invalid(format!(
            "{} {} is reserved for {name}; cancel the reservation first",
            device.model, device.serial_number
        ))),
        _ => Ok(()),
    }
}

/// Hands a device to an employee from `on`. A device is held by one person at a time; handing it
/// to the person it is reserved for ends the reservation.
pub fn assign(conn: &Db, device_id: i64, employee_id: i64, on: NaiveDate, now: &str) -> Result<Device> {
    let current = get(conn, device_id)?;
    available(conn, &current)?;
    not_promised_elsewhere(&current, employee_id)?;
    conn.execute(
        "INSERT INTO device_assignments (device_id, employee_id, assigned_on) VALUES (?1, ?2, ?3)",
        params![device_id, employee_id, on.to_string()],
    )?;
    conn.execute("UPDATE devices SET status = 'assigned', reserved_for = NULL WHERE id = ?1", [device_id])?;
    log(conn, employee_id, "device_assigned", &current, now)?;
    get(conn, device_id)
}

/// Takes a device back on `on`; it returns to stock.
pub fn take_back(conn: &Db, device_id: i64, on: NaiveDate, now: &str) -> Result<Device> {
    let current = get(conn, device_id)?;
    let Some(holder) = current.holder_id else {
        return Err(Error::Invalid(format!("{} {} is not assigned to anyone", current.model, current.serial_number)));
    };
    conn.execute(
        "UPDATE device_assignments SET returned_on = ?2 WHERE device_id = ?1 AND returned_on IS NULL",
        params![device_id, on.to_string()],
    )?;
    conn.execute("UPDATE devices SET status = 'in_stock' WHERE id = ?1", [device_id])?;
    log(conn, holder, "device_returned", &current, now)?;
    get(conn, device_id)
}

/// Keeps a device for a person until it is handed to them: suggestions to others skip it.
/// Reserving it again for the same person changes nothing.
pub fn reserve(conn: &Db, device_id: i64, employee_id: i64, now: &str) -> Result<Device> {
    let current = get(conn, device_id)?;
    available(conn, &current)?;
    not_promised_elsewhere(&current, employee_id)?;
    if current.reserved_for_id == Some(employee_id) {
        return Ok(current);
    }
    conn.execute("UPDATE devices SET reserved_for = ?2 WHERE id = ?1", params![device_id, employee_id])?;
    log(conn, employee_id, "device_reserved", &current, now)?;
    get(conn, device_id)
}

/// Cancels a device's reservation: it is free for anyone again.
pub fn unreserve(conn: &Db, device_id: i64, now: &str) -> Result<Device> {
    let current = get(conn, device_id)?;
    let Some(person) = current.reserved_for_id else {
        return Err(Error::Invalid(format!("{} {} is not reserved for anyone", current.model, current.serial_number)));
    };
    conn.execute("UPDATE devices SET reserved_for = NULL WHERE id = ?1", [device_id])?;
    log(conn, person, "device_unreserved", &current, now)?;
    get(conn, device_id)
}

fn log(conn: &Db, employee_id: i64, action: &str, device: &Device, now: &str) -> Result<()> {
    let what = format!("{} {} ({})", device.kind, device.model, device.serial_number);
    change_log::record(
        conn,
        &Entry { at: now, employee_id, actor: Actor::User, action, field: None, old: None, new: Some(&what) },
    )
}
