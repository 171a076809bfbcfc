//! The TypeScript declarations of every type that crosses the IPC boundary. They are
//! committed in `ui/src/bindings/`; a test in `tests/` fails when the two drift apart.

use ts_rs::{Config, TS};

use crate::AppStatus;
use crate::error::{ErrorKind, ErrorReport, FieldError};
use crate::release::{Release, ReleaseDraft, ReleaseType, Risk, Stage};
use crate::store::ReleaseFilter;

/// `(file name, contents)` for each exported type.
pub fn typescript() -> Vec<(String, String)> {
    let cfg = Config::new();
    let mut files = Vec::new();
    macro_rules! export {
        ($($t:ty),+) => {$(
            files.push((
                format!("{}.ts", <$t as TS>::ident(&cfg)),
                <$t as TS>::export_to_string(&cfg).expect("ts-rs export"),
            ));
        )+};
    }
    export!(
        AppStatus,
        ErrorKind,
        ErrorReport,
        FieldError,
        Release,
        ReleaseDraft,
        ReleaseFilter,
        ReleaseType,
        Risk,
        Stage
    );
    files.sort();
    files
}
