//! Long work's progress on stderr, when stderr is a terminal: a script reading the output sees
//! nothing of it.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Progress {
    what: &'static str,
    /// When the line was last written; `None` until it first is.
    shown: Mutex<Option<Instant>>,
    terminal: bool,
}

impl Progress {
    pub fn on_terminal(what: &'static str) -> Progress {
        Progress {
            what,
            shown: Mutex::new(None),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Rewrites the line at most ten times a second, and at the end.
    pub fn report(&self, done: usize, total: usize) {
        if !self.terminal {
            return;
        }
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let due = shown.is_none_or(|at| at.elapsed() >= Duration::from_millis(100));
        if due || done == total {
            let percent = (done * 100).checked_div(total).unwrap_or(100);
            eprint!("\r{}: {done} of {total} ({percent}%)", self.what);
            let _ = std::io::stderr().flush();
            *shown = Some(Instant::now());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.terminal && self.shown.get_mut().is_ok_and(|s| s.is_some()) {
            eprintln!();
        }
    }
}
