//! Long work — an inventory of 50,000 VMs, a whole database — says how far it got and stops
//! when the person asks. It runs in one transaction, so stopping writes nothing.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// How far long work got, as the window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct WorkProgress {
    #[ts(type = "number")]
    pub done: usize,
    #[ts(type = "number")]
    pub total: usize,
}

/// What long work reports to, and the flag that stops it. `Work::quiet()` for neither.
#[derive(Clone, Copy)]
pub struct Work<'a> {
    progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    stop: Option<&'a AtomicBool>,
}

impl<'a> Work<'a> {
    pub fn quiet() -> Work<'static> {
        Work {
            progress: None,
            stop: None,
        }
    }

    /// `progress(done, total)` is called at each step; once `stop` is set, the next step
    /// fails with [`Error::Cancelled`].
    pub fn new(progress: &'a (dyn Fn(usize, usize) + Sync), stop: &'a AtomicBool) -> Work<'a> {
        Work {
            progress: Some(progress),
            stop: Some(stop),
        }
    }

    /// One step of `total` done: reported, unless the person asked to stop.
    pub fn step(&self, done: usize, total: usize) -> Result<()> {
        if self.stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled);
        }
        if let Some(progress) = self.progress {
            progress(done, total);
        }
        Ok(())
    }
}
