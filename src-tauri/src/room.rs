//! The CAB room on two screens. The presenter's window (the main one) drives the meeting and
//! sends each new view here; the shell keeps the last one and shows it in the audience window,
//! full screen on the other monitor. The audience window is in no capability, so it can call
//! nothing: it is read-only by construction, and gets each view by the shell running
//! `window.relmanRoom(view)` in it, the whole view again whenever it (re)loads.

use std::sync::Mutex;

use relman_core::Error;
use relman_core::cab::{AudienceShown, RoomView};
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager, PhysicalPosition, State, WebviewUrl, WebviewWindow};

use crate::commands::CommandError;

pub const AUDIENCE: &str = "audience";

/// The view the room sees, as the presenter last sent it.
#[derive(Default)]
pub struct Room(Mutex<Option<RoomView>>);

impl Room {
    fn current(&self) -> Option<RoomView> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

fn push(window: &WebviewWindow, view: &RoomView) {
    match serde_json::to_string(view) {
        Ok(json) => {
            if let Err(e) = window.eval(format!("window.relmanRoom && window.relmanRoom({json})")) {
                log::warn!("the audience window did not take the view: {e}");
            }
        }
        Err(e) => log::warn!("the room's view does not serialize: {e}"),
    }
}

fn fail(what: &str) -> impl Fn(tauri::Error) -> CommandError + '_ {
    move |e| Error::Internal(format!("{what}: {e}")).into()
}

/// Opens the audience window full screen on a monitor other than the presenter's. With one
/// monitor nothing opens and CAB mode stays on the one screen.
#[tauri::command]
pub async fn open_audience(
    app: AppHandle,
    window: tauri::Window,
) -> Result<AudienceShown, CommandError> {
    let monitors = window
        .available_monitors()
        .map_err(fail("cannot list the monitors"))?;
    let here = window
        .current_monitor()
        .map_err(fail("cannot tell the window's monitor"))?
        .map(|m| *m.position());
    log::info!(
        "CAB room on {:?}: {} monitor(s) at {:?}; the presenter's is at {here:?}",
        std::env::var("DISPLAY").ok(),
        monitors.len(),
        monitors.iter().map(|m| *m.position()).collect::<Vec<_>>()
    );
    let Some(target) = monitors.into_iter().find(|m| Some(*m.position()) != here) else {
        return Ok(AudienceShown {
            shown: false,
            monitor: None,
        });
    };
    let at = *target.position();
    let audience = match app.get_webview_window(AUDIENCE) {
        Some(audience) => audience,
        None => {
            let handle = app.clone();
            let scale = target.scale_factor();
            tauri::WebviewWindowBuilder::new(
                &app,
                AUDIENCE,
                WebviewUrl::App("audience.html".into()),
            )
            .title("Relman — CAB")
            .position(f64::from(at.x) / scale, f64::from(at.y) / scale)
            .inner_size(
                f64::from(target.size().width) / scale,
                f64::from(target.size().height) / scale,
            )
            .on_page_load(move |audience, payload| {
                if payload.event() == PageLoadEvent::Finished
                    && let Some(view) = handle.state::<Room>().current()
                {
                    push(&audience, &view);
                }
            })
            .build()
            .map_err(fail("cannot open the audience window"))?
        }
    };
    // The room sees no menu either: the File menu is the presenter's.
    audience
        .hide_menu()
        .map_err(fail("cannot hide the audience window's menu"))?;
    audience
        .set_fullscreen_on_monitor(PhysicalPosition::new(f64::from(at.x), f64::from(at.y)))
        .map_err(fail("cannot put the audience window on the projector"))?;
    // The call succeeds even when no monitor matched: ask where the window really is.
    let landed = audience
        .current_monitor()
        .map_err(fail("cannot tell the audience window's monitor"))?;
    let monitor = landed.filter(|m| *m.position() == at).map(|m| {
        m.name()
            .cloned()
            .unwrap_or_else(|| format!("{},{}", at.x, at.y))
    });
    log::info!("CAB room: the audience window is on {monitor:?}");
    if monitor.is_none() {
        log::warn!(
            "the audience window is not on the monitor at {},{}",
            at.x,
            at.y
        );
    }
    Ok(AudienceShown {
        shown: true,
        monitor,
    })
}

/// The presenter's next view: kept, and shown in the audience window when it is open.
#[tauri::command]
pub fn show_room(app: AppHandle, room: State<'_, Room>, view: RoomView) {
    if let Some(audience) = app.get_webview_window(AUDIENCE) {
        push(&audience, &view);
    }
    *room
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(view);
}

/// The meeting is left: the audience window closes and the room forgets its view.
#[tauri::command]
pub fn close_audience(app: AppHandle, room: State<'_, Room>) -> Result<(), CommandError> {
    *room
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    if let Some(audience) = app.get_webview_window(AUDIENCE) {
        audience
            .close()
            .map_err(fail("cannot close the audience window"))?;
    }
    Ok(())
}
