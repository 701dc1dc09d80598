//! A person's device hand-overs, as their own data: the `device_assignments` table seen from the holder.

use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store::db::Db;

/// One device hand-over: who held which device, from when to when.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandOver {
    pub serial_number: String,
    pub kind: String,
    pub model: String,
    pub assigned_on: String,
    pub returned_on: Option<String>,
}

/// Every device the person held or holds, oldest first.
pub fn of(conn: &Db, employee_id: i64) -> Result<Vec<HandOver>> {
    conn.query_map(
        "SELECT d.serial_number, d.kind, d.model, a.assigned_on, a.returned_on FROM device_assignments a
         JOIN devices d ON d.id = a.device_id WHERE a.employee_id = ?1 ORDER BY a.assigned_on, a.id",
        [employee_id],
        |r| {
            Ok(HandOver {
                serial_number: r.get(0)?,
                kind: r.get(1)?,
                model: r.get(2)?,
                assigned_on: r.get(3)?,
                returned_on: r.get(4)?,
            })
        },
    )
}

/// True while the person holds a device.
pub fn holds_any(conn: &Db, employee_id: i64) -> Result<bool> {
    let holds: i64 = conn.query_row(
        "SELECT count(*) FROM device_assignments WHERE employee_id = ?1 AND returned_on IS NULL",
        [employee_id],
        |r| r.get(0),
    )?;
    Ok(holds > 0)
}
