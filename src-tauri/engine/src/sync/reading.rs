//! Reading on one thread while writing on another: the connector fetches and parses the next
//! pages while the sync stores the records of the last ones.

use std::sync::mpsc::{self, TryRecvError};

use super::{OnProgress, Phase, Progress};
use crate::connector::{Connector, ReadRequest, Record};
use crate::error::{Error, Result};

/// How often progress is reported while reading.
const PROGRESS_EVERY: u64 = 500;

/// Records parsed ahead of the writer: some thirty pages (a few MB). Where the writer is the
/// slower side (a first sync's people), the reader gets that far ahead, and reaches the pages
/// that cost the writer little (employments) sooner.
const READ_AHEAD: usize = 8192;

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
/// connector's order. The first error, the writer's or the reader's, ends both.
pub(super) fn read(
    connector: &dyn Connector,
    request: &ReadRequest,
    progress: &mut OnProgress<'_>,
    writer: &mut impl RecordWriter,
) -> Result<()> {
    let (send, receive) = mpsc::sync_channel::<Record>(READ_AHEAD);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            // The writer hangs up only when it failed: its error is the one reported.
            connector.read(request, &mut |record| send.send(record).map_err(|_| Error::Invalid("the writer stopped".into())))
        });
        // Returning drops the receiver, which stops a reader still running.
        let written = (|| {
            let mut read = 0u64;
            loop {
                let record = match receive.try_recv() {
                    Ok(record) => record,
                    Err(TryRecvError::Empty) if writer.idle()? => continue,
                    Err(TryRecvError::Empty) => match receive.recv() {
                        Ok(record) => record,
                        Err(_) => break,
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
            Ok(())
        })();
        drop(receive);
        let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.and(read)
    })
}
