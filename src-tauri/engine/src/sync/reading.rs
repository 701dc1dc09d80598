//! Reading on one thread while writing on another: the connector fetches and parses the next
//! pages while the sync stores the records of the last ones.

use std::collections::HashSet;
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

use super::stop::Stop;
use super::{OnProgress, Phase, Progress};
use crate::connector::{Connector, ConnectorError, Model, ReadRequest, Record};
use crate::error::{Error, Result};

/// How often progress is reported while reading.
const PROGRESS_EVERY: u64 = 500;

/// Records parsed ahead of the writer: a few pages (about a MB). Where the writer is the slower
/// side (a first sync's people), the reader gets that far ahead and waits: more would only hold
/// more of the company in memory.
const READ_AHEAD: usize = 1024;

/// How soon a cancel or the deadline is noticed while the reader is waiting on the network.
const POLL: Duration = Duration::from_millis(50);

/// What receives the records, on the thread that called [`read`].
pub(super) trait RecordWriter {
    fn write(&mut self, record: Record) -> Result<()>;

    /// Called whenever no record is waiting: work that can wait may be done now. Says whether
    /// there was any.
    fn idle(&mut self) -> Result<bool> {
        Ok(false)
    }
}

/// Reads `request` on a second thread and hands each record to `writer` on this one, in the
/// connector's order. The first error, the writer's or the reader's, ends both; so does `stop`.
/// The writer never waits for a stuck reader: a reader left behind ends at its next record
/// (nobody receives it) or when its request times out.
pub(super) fn read(
    connector: Arc<dyn Connector>,
    request: &ReadRequest,
    stop: &Stop,
    progress: &mut OnProgress<'_>,
    writer: &mut impl RecordWriter,
) -> Result<()> {
    let (send, receive) = mpsc::sync_channel::<Record>(READ_AHEAD);
    let request = request.clone();
    let reading = std::thread::spawn(move || {
        // The writer hangs up only when it failed or stopped: its error is the one reported.
        connector.read(&request, &mut |record| send.send(record).map_err(|_| Error::Invalid("the writer stopped".into())))
    });
    let mut read = 0u64;
    loop {
        stop.check()?;
        let record = match receive.try_recv() {
            Ok(record) => record,
            Err(TryRecvError::Empty) if writer.idle()? => continue,
            Err(TryRecvError::Empty) => match receive.recv_timeout(stop.wait(POLL)) {
                Ok(record) => record,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            },
            Err(TryRecvError::Disconnected) => break,
        };
        read += 1;
        if read.is_multiple_of(PROGRESS_EVERY) {
            progress(Progress { phase: Phase::Reading, done: read, total: None });
        }
        writer.write(record)?;
    }
    progress(Progress { phase: Phase::Reading, done: read, total: None });
    // The channel closed: the reader has returned (or panicked), so this join is immediate.
    reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The ids read so far, per model: the same id twice in one read is an error, never a silent
/// overwrite.
#[derive(Default)]
pub(super) struct SeenIds(HashSet<(Model, String)>);

impl SeenIds {
    pub(super) fn first_time(&mut self, record: &Record) -> Result<()> {
        let (model, id) = record.key();
        if self.0.insert((model, id.to_owned())) {
            Ok(())
        } else {
            Err(Error::Connector(ConnectorError::DuplicateId { model, id: id.to_owned() }))
        }
    }
}
