//! Drives the real Relman window: tauri-driver + WebKitWebDriver, the same binary `make run`
//! starts, each session on its own database file.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;
use thirtyfour::prelude::*;
use thirtyfour::{Capabilities, Key, TypingData};
use tokio::sync::{Mutex, MutexGuard};

/// The sidebar's pages (`#nav-…`), in its order.
pub const PAGES: &[&str] = &[
    "releases",
    "calendar",
    "environments",
    "models",
    "changes",
    "cis",
    "measures",
    "settings",
];

/// One window at a time: two cores do not run several WebKit processes well, and the
/// sessions would fight over focus.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// The app binary under test: `RELMAN_APP`, else the workspace's debug build.
pub fn app_binary() -> PathBuf {
    let binary = std::env::var_os("RELMAN_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target/debug/relman"));
    assert!(
        binary.exists(),
        "{} is missing: build the app first (`make test` does)",
        binary.display()
    );
    binary
}

pub struct App {
    pub driver: WebDriver,
    _tauri_driver: TauriDriver,
    /// The first window of a test holds the turn; a second one beside it does not need one.
    _turn: Option<MutexGuard<'static, ()>>,
    /// The web view's own storage (theme, language) for this session only, so one test's
    /// choices never leak into the next.
    _web_data: tempfile::TempDir,
}

/// The running tauri-driver; stopped when dropped, whichever way a test ends.
struct TauriDriver(Child);

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: tauri-driver then stops its WebKitWebDriver child too.
        let pid = Pid::from_raw(self.0.id() as i32);
        let _ = kill(pid, Signal::SIGTERM);
        let _ = self.0.wait();
    }
}

/// Two distinct free ports (both held while choosing, so they cannot be the same one).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

fn wait_for_port(port: u16, deadline: Instant) {
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn save_screen(what: &str) {
    let dir = crate::repo_root().join("target/e2e-failures");
    let _ = std::fs::create_dir_all(&dir);
    let name: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = dir.join(format!("{name}.png"));
    let saved = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status();
    if saved.is_ok_and(|s| s.success()) {
        eprintln!("screen saved: {}", path.display());
    }
}

/// An X server with two 1280×800 monitors side by side, for the CAB room's two windows. Xorg
/// with the dummy driver, because GTK counts monitors by RandR outputs and Xvfb has one.
pub struct TwoMonitors {
    server: Child,
    pub display: String,
    _dir: tempfile::TempDir,
}

const DUMMY_CONF: &str = r#"Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 256000
EndSection
Section "Monitor"
  Identifier "monitor"
  HorizSync 5.0 - 1000.0
  VertRefresh 5.0 - 200.0
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Virtual 2560 800
  EndSubSection
EndSection
"#;

impl TwoMonitors {
    pub fn start() -> TwoMonitors {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let conf = dir.path().join("two-monitors.conf");
        std::fs::write(&conf, DUMMY_CONF).unwrap();
        let number = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
            .expect("a free display number");
        let display = format!(":{number}");
        let server = Command::new("Xorg")
            .args([display.as_str(), "-noreset", "-nolisten", "tcp", "-config"])
            .arg(&conf)
            .arg("-logfile")
            .arg(dir.path().join("xorg.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xorg is not installed (`make test` installs it with its dummy driver)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
            assert!(Instant::now() < deadline, "Xorg {display} did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let monitors = TwoMonitors {
            server,
            display,
            _dir: dir,
        };
        for args in [
            &[
                "--fb", "2560x800", "--output", "DUMMY0", "--mode", "1280x800", "--pos", "0x0",
            ][..],
            &["--addmode", "DUMMY1", "1280x800"][..],
            &[
                "--output", "DUMMY1", "--mode", "1280x800", "--pos", "1280x0",
            ][..],
        ] {
            let status = Command::new("xrandr")
                .env("DISPLAY", &monitors.display)
                .args(args)
                .status()
                .expect("xrandr is installed by `make test`");
            assert!(status.success(), "xrandr {args:?} failed");
        }
        // The server answers for two monitors before a client is started on it.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let listed = Command::new("xrandr")
                .env("DISPLAY", &monitors.display)
                .arg("--listmonitors")
                .output()
                .expect("xrandr runs");
            let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
            if listed.starts_with("Monitors: 2") {
                break;
            }
            assert!(Instant::now() < deadline, "not two monitors: {listed}");
            std::thread::sleep(Duration::from_millis(100));
        }
        monitors
    }
}

impl Drop for TwoMonitors {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(self.server.id() as i32), Signal::SIGTERM);
        let _ = self.server.wait();
    }
}

impl App {
    /// Starts Relman on the X display `display` (e.g. [`TwoMonitors`]).
    pub async fn launch_on(db: &Path, display: &str) -> WebDriverResult<App> {
        App::launch_with(db, &[], &[("DISPLAY", display)]).await
    }

    /// Starts Relman on the database at `db` and waits for its window.
    pub async fn launch(db: &Path) -> WebDriverResult<App> {
        App::launch_with(db, &[], &[]).await
    }

    /// Starts Relman so that Save writes into `dir` instead of asking in the system's dialog
    /// (which WebDriver cannot reach); everything after the dialog is the app's own code.
    pub async fn launch_saving_to(db: &Path, dir: &Path) -> WebDriverResult<App> {
        App::launch_with(
            db,
            &[],
            &[("RELMAN_SAVE_DIR", dir.to_str().expect("a UTF-8 path"))],
        )
        .await
    }

    /// Starts Relman so that Save writes into `dir` and every Open or Restore dialog picks
    /// `file`, standing in for the system's dialogs.
    pub async fn launch_with_files(db: &Path, dir: &Path, file: &Path) -> WebDriverResult<App> {
        App::launch_with(
            db,
            &[],
            &[
                ("RELMAN_SAVE_DIR", dir.to_str().expect("a UTF-8 path")),
                ("RELMAN_OPEN_FILE", file.to_str().expect("a UTF-8 path")),
            ],
        )
        .await
    }

    /// Starts Relman with its clock starting at `now` (RFC 3339), for rules that depend on time.
    pub async fn launch_at(db: &Path, now: &str) -> WebDriverResult<App> {
        App::launch_with(db, &["--now", now], &[]).await
    }

    /// A second window (a second process) on `db`, while `first` is open: two people on one
    /// team database. It shares the first one's turn.
    pub async fn launch_beside(db: &Path, _first: &App) -> WebDriverResult<App> {
        App::start(db, &[], &[], None).await
    }

    async fn launch_with(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> WebDriverResult<App> {
        let turn = ONE_AT_A_TIME.lock().await;
        App::start(db, extra, env, Some(turn)).await
    }

    async fn start(
        db: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
        turn: Option<MutexGuard<'static, ()>>,
    ) -> WebDriverResult<App> {
        let (port, native_port) = free_ports();
        let web_data = tempfile::tempdir().expect("a temporary directory");
        let tauri_driver = TauriDriver(
            Command::new("tauri-driver")
                .env("XDG_DATA_HOME", web_data.path())
                // The recent databases list is the user's; each test session has its own.
                .env("XDG_CONFIG_HOME", web_data.path())
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("tauri-driver is not installed (`make test` installs it)"),
        );
        // tauri-driver listens before its WebKitWebDriver does: wait for both.
        let deadline = Instant::now() + Duration::from_secs(30);
        wait_for_port(port, deadline);
        wait_for_port(native_port, deadline);

        let mut args = vec!["--db".to_string(), db.display().to_string()];
        args.extend(extra.iter().map(|a| a.to_string()));
        // The app never runs on the wall clock in a test: the tests' fixed moment, unless the
        // test starts the clock elsewhere.
        if !extra.contains(&"--now") {
            args.extend(["--now".to_string(), crate::now_text()]);
        }
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry")?;
        caps.set(
            "tauri:options",
            json!({
                "application": app_binary(),
                "args": args,
            }),
        )?;
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await?;
        let app = App {
            driver,
            _tauri_driver: tauri_driver,
            _turn: turn,
            _web_data: web_data,
        };
        app.find("#app .shell, #app .fatal").await?;
        Ok(app)
    }

    /// Closes the window and stops the drivers.
    pub async fn quit(self) -> WebDriverResult<()> {
        self.driver.clone().quit().await
    }

    /// Waits (up to 20 s) for an element matching `css`. When none comes, a picture of the
    /// screen is saved in `target/e2e-failures/` to show what the window showed instead.
    pub async fn find(&self, css: &str) -> WebDriverResult<WebElement> {
        let found = self
            .driver
            .query(By::Css(css))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .first()
            .await;
        if found.is_err() {
            save_screen(css);
        }
        found
    }

    /// Whether an element matching `css` is on screen now (without waiting for one).
    pub async fn visible(&self, css: &str) -> WebDriverResult<bool> {
        for element in self.driver.find_all(By::Css(css)).await? {
            if element.is_displayed().await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Waits until no element matches `css`; fails if one is still there after the timeout.
    pub async fn gone(&self, css: &str) -> WebDriverResult<()> {
        let gone = self
            .driver
            .query(By::Css(css))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .not_exists()
            .await?;
        assert!(gone, "{css} is still shown");
        Ok(())
    }

    pub async fn click(&self, css: &str) -> WebDriverResult<()> {
        let clicked = self.find(css).await?.click().await;
        if clicked.is_err() {
            save_screen(&format!("click {css}"));
        }
        clicked
    }

    /// Clicks with the pointer at the element's centre, as a mouse would: for the Gantt's rows
    /// and bars, which WebDriver's element click deems not interactable in their clipped layer.
    pub async fn pointer_click(&self, css: &str) -> WebDriverResult<()> {
        let (x, y) = self.centre(css).await?;
        self.driver
            .action_chain()
            .move_to(x, y)
            .click()
            .perform()
            .await
    }

    /// Presses the mouse on the element's centre, moves `dx` pixels right in steps, releases.
    pub async fn pointer_drag(&self, css: &str, dx: i64) -> WebDriverResult<()> {
        self.pointer_drag_in(css, dx, 4).await
    }

    /// The same drag in `steps` moves of the mouse.
    pub async fn pointer_drag_in(&self, css: &str, dx: i64, steps: i64) -> WebDriverResult<()> {
        let (x, y) = self.centre(css).await?;
        let mut chain = self.driver.action_chain().move_to(x, y).click_and_hold();
        for step in 1..=steps {
            chain = chain.move_to(x + dx * step / steps, y);
        }
        chain.release().perform().await
    }

    /// The element's centre in viewport pixels. Read with getBoundingClientRect because
    /// WebKitWebDriver answers "Get Element Rect" for SVG shapes with "not interactable".
    async fn centre(&self, css: &str) -> WebDriverResult<(i64, i64)> {
        let element = self.find(css).await?;
        let rect = self
            .driver
            .execute(
                "const r = arguments[0].getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];",
                vec![element.to_json()?],
            )
            .await?;
        let [x, y]: [f64; 2] = rect.convert()?;
        Ok((x as i64, y as i64))
    }

    /// Replaces the text of the input at `css`.
    /// Sets a date or datetime-local field the way its picker does (WebKitGTK's pickers take
    /// no typed keys): the value, then the input event the page listens to.
    pub async fn pick(&self, css: &str, value: &str) -> WebDriverResult<()> {
        let input = self.find(css).await?;
        self.driver
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![input.to_json()?, serde_json::json!(value)],
            )
            .await?;
        Ok(())
    }

    pub async fn fill(&self, css: &str, text: &str) -> WebDriverResult<()> {
        let input = self.find(css).await?;
        input.clear().await?;
        if !text.is_empty() {
            input.send_keys(text).await?;
        }
        Ok(())
    }

    pub async fn select(&self, css: &str, value: &str) -> WebDriverResult<()> {
        self.click(&format!("{css} option[value='{value}']")).await
    }

    pub async fn text(&self, css: &str) -> WebDriverResult<String> {
        self.find(css).await?.text().await
    }

    /// The text content of the element at `css`, whether or not WebDriver deems it displayed
    /// (rows of the virtualized Gantt sit in a clipped, transformed layer).
    pub async fn content(&self, css: &str) -> WebDriverResult<String> {
        Ok(self
            .find(css)
            .await?
            .prop("textContent")
            .await?
            .unwrap_or_default()
            .trim()
            .to_string())
    }

    /// Waits until the element at `css` has text content containing `expected`, and returns it.
    pub async fn wait_content(&self, css: &str, expected: &str) -> WebDriverResult<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.content(css).await.unwrap_or_default();
            if text.contains(expected) || Instant::now() > deadline {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text content of the element at `css` is no longer `old`, and returns it.
    pub async fn wait_content_change(&self, css: &str, old: &str) -> WebDriverResult<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.content(css).await.unwrap_or_default();
            if text != old || Instant::now() > deadline {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element at `css` shows text containing `expected`, and returns it.
    pub async fn wait_text(&self, css: &str, expected: &str) -> WebDriverResult<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = match self.driver.find(By::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) || Instant::now() > deadline {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The keys of the releases the table shows, top to bottom.
    pub async fn listed_keys(&self) -> WebDriverResult<Vec<String>> {
        let mut keys = Vec::new();
        for row in self
            .driver
            .find_all(By::Css("#release-table tr[data-key]"))
            .await?
        {
            keys.push(row.attr("data-key").await?.unwrap_or_default());
        }
        Ok(keys)
    }

    /// Presses `keys` on whatever has the focus, as the keyboard would.
    pub async fn press(&self, keys: impl Into<TypingData>) -> WebDriverResult<()> {
        self.driver.active_element().await?.send_keys(keys).await
    }

    /// Enters CAB mode with F5 and starts a meeting with `members` present (typed one a line).
    pub async fn start_cab_meeting(&self, members: &[&str]) -> WebDriverResult<()> {
        self.press(Key::F5).await?;
        let field = self.find("#cab-members").await?;
        field.clear().await?;
        let mut typed = TypingData::from(members.first().copied().unwrap_or_default());
        for name in members.iter().skip(1) {
            typed = typed + Key::Enter + *name;
        }
        field.send_keys(typed).await?;
        self.click("#cab-start").await?;
        self.find("#cab-agenda, #cab-agenda-empty").await?;
        Ok(())
    }

    /// Sizes the window's content as a projector or a small laptop screen would.
    pub async fn resize(&self, width: u32, height: u32) -> WebDriverResult<()> {
        self.driver.set_window_rect(0, 0, width, height).await
    }

    /// Runs axe-core (from `ui/node_modules`, installed by `npm ci`) inside the window on what
    /// it shows now, for the WCAG 2.2 A and AA rules (and AAA contrast when `aaa`). Returns
    /// each violation as "rule: target…", empty when there is none.
    pub async fn axe(&self, aaa: bool) -> WebDriverResult<Vec<String>> {
        let loaded = self
            .driver
            .execute("return typeof window.axe !== 'undefined';", vec![])
            .await?;
        if loaded.json() != &serde_json::Value::Bool(true) {
            let source = std::fs::read_to_string(
                crate::repo_root().join("ui/node_modules/axe-core/axe.min.js"),
            )
            .expect("axe-core is installed by `npm ci` in ui/");
            self.driver.execute(&source, vec![]).await?;
        }
        let mut tags = vec!["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
        if aaa {
            tags.push("wcag2aaa");
        }
        let result = self
            .driver
            .execute_async(
                r#"
                const [tags, done] = arguments;
                axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
                  .then((r) => done(r.violations.map((v) =>
                    `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " (" + (n.failureSummary || "").split("\n").slice(1, 2).join("") + ")").join("; ")}`)))
                  .catch((e) => done(["axe failed: " + e]));
                "#,
                vec![json!(tags)],
            )
            .await?;
        Ok(serde_json::from_value(result.json().clone()).unwrap_or_default())
    }
}
