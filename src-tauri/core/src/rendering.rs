//! How the app's web view should render. WebKitGTK on a machine without a GPU (a VM, a remote
//! desktop) falls back from accelerated compositing to software GL, which made a Gantt's first
//! render 47 times slower; without compositing it is fast. So Relman detects software
//! rendering and starts in the fast mode, unless the user's setting says otherwise.

use serde::Serialize;
use ts_rs::TS;

text_enum!(
    /// The user's choice in Settings (or `RELMAN_RENDERING`): auto detects.
    RenderingMode {
        Auto = "auto",
        Fast = "fast",
        Accelerated = "accelerated",
    }
);

/// What the machine looks like, gathered by the app shell.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// A DRM render node (`/dev/dri/renderD*`) exists.
    pub render_node: bool,
    /// `LIBGL_ALWAYS_SOFTWARE` is set to something other than 0.
    pub software_gl_forced: bool,
    /// `WEBKIT_DISABLE_COMPOSITING_MODE` is already set by whoever started Relman.
    pub compositing_disabled: bool,
}

/// The decision and why, shown in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Rendering {
    pub mode: RenderingMode,
    /// True when compositing is turned off (the fast mode for software rendering).
    pub fast: bool,
    pub reason: String,
}

pub fn decide(mode: RenderingMode, machine: &Machine) -> Rendering {
    let (fast, reason) = match mode {
        RenderingMode::Fast => (true, "chosen in Settings or RELMAN_RENDERING".to_string()),
        RenderingMode::Accelerated if machine.compositing_disabled => (
            true,
            "WEBKIT_DISABLE_COMPOSITING_MODE is set in the environment".to_string(),
        ),
        RenderingMode::Accelerated => (false, "chosen in Settings or RELMAN_RENDERING".to_string()),
        RenderingMode::Auto => {
            if machine.compositing_disabled {
                (
                    true,
                    "WEBKIT_DISABLE_COMPOSITING_MODE is set in the environment".into(),
                )
            } else if machine.software_gl_forced {
                (
                    true,
                    "LIBGL_ALWAYS_SOFTWARE is set: rendering is in software".into(),
                )
            } else if !machine.render_node {
                (
                    true,
                    "no GPU render node (/dev/dri/renderD*): rendering would be in software".into(),
                )
            } else {
                (false, "a GPU is available".into())
            }
        }
    };
    Rendering { mode, fast, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_rendering_starts_the_fast_mode_unless_the_user_chose_otherwise() {
        let vm = Machine::default();
        let gpu = Machine {
            render_node: true,
            ..Machine::default()
        };
        let forced = Machine {
            render_node: true,
            software_gl_forced: true,
            ..Machine::default()
        };
        assert!(decide(RenderingMode::Auto, &vm).fast);
        assert!(decide(RenderingMode::Auto, &forced).fast);
        assert!(!decide(RenderingMode::Auto, &gpu).fast);
        assert!(decide(RenderingMode::Fast, &gpu).fast);
        assert!(!decide(RenderingMode::Accelerated, &vm).fast);
        assert!(
            decide(RenderingMode::Auto, &vm)
                .reason
                .contains("render node")
        );
    }
}
