//! Devices: the inventory, and handing them to and taking them back from employees.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Action, Engine};
use crate::error::Result;
use crate::store;
use crate::store::devices::{self, Device, Holding, NewDevice};

impl Engine {
    pub fn add_device(&mut self, device: &NewDevice, now: DateTime<Utc>) -> Result<Device> {
        self.acting(Action::AddDevices, |engine| devices::add(engine.store.conn(), device, &now.to_rfc3339()))
    }

    /// Every device, or those `who` holds.
    pub fn devices(&self, who: Option<&str>) -> Result<Vec<Device>> {
        let holder = who.map(|w| self.find_employee(w)).transpose()?;
        devices::list(self.store.conn(), holder)
    }

    /// A device (by id or serial number) and who held it, newest first.
    pub fn device_history(&self, device: &str) -> Result<(Device, Vec<Holding>)> {
        let device = devices::find(self.store.conn(), device)?;
        let history = devices::history(self.store.conn(), device.id)?;
        Ok((device, history))
    }

    /// Assigns a device (by id or serial number) to a person from `on`. Of two admins handing one
    /// device over at once, one wins; the other is told to whom and by whom it went.
    pub fn assign_device(&mut self, device: &str, who: &str, on: NaiveDate, now: DateTime<Utc>) -> Result<Device> {
        self.acting(Action::HandOverDevices, |engine| {
            let employee_id = engine.find_employee(who)?;
            let assigned: Result<Device> = (|| {
                // The write lock first: the device's holder is checked, then changed. (PostgreSQL locks
                // no device: of two hand-overs at once, the index of open hand-overs makes the second
                // wait for the first's commit, then refuses it.)
                let tx = store::begin_write(engine.store.conn_mut())?;
                let found = devices::find(&tx, device)?;
                let assigned = devices::assign(&tx, found.id, employee_id, on, &now.to_rfc3339())?;
                tx.commit()?;
                Ok(assigned)
            })();
            match assigned {
                // The transaction is rolled back by now: the winner's hand-over can be read.
                Err(e) if e.is_unique_violation("device_assignments") => {
                    let conn = engine.store.conn();
                    Err(devices::taken(conn, &devices::find(conn, device)?)?)
                }
                other => other,
            }
        })
    }

    /// Reserves a device (by id or serial number) for a person until it is handed to them.
    pub fn reserve_device(&mut self, device: &str, who: &str, now: DateTime<Utc>) -> Result<Device> {
        self.acting(Action::ReserveDevices, |engine| {
            let employee_id = engine.find_employee(who)?;
            // The write lock first: the device's holder and reservation are checked, then changed.
            let tx = store::begin_write(engine.store.conn_mut())?;
            let device = devices::find(&tx, device)?;
            let device = devices::reserve(&tx, device.id, employee_id, &now.to_rfc3339())?;
            tx.commit()?;
            Ok(device)
        })
    }

    /// Cancels a device's reservation.
    pub fn unreserve_device(&mut self, device: &str, now: DateTime<Utc>) -> Result<Device> {
        self.acting(Action::ReserveDevices, |engine| {
            let tx = store::begin_write(engine.store.conn_mut())?;
            let device = devices::find(&tx, device)?;
            let device = devices::unreserve(&tx, device.id, &now.to_rfc3339())?;
            tx.commit()?;
            Ok(device)
        })
    }

    pub fn take_back_device(&mut self, device: &str, on: NaiveDate, now: DateTime<Utc>) -> Result<Device> {
        self.acting(Action::TakeBackDevices, |engine| {
            // The write lock first: the device's holder is checked, then changed.
            let tx = store::begin_write(engine.store.conn_mut())?;
            let device = devices::find(&tx, device)?;
            let device = devices::take_back(&tx, device.id, on, &now.to_rfc3339())?;
            tx.commit()?;
            Ok(device)
        })
    }
}
