//! `make bench-ui`: the Gantt benchmark page (ui/dist-bench) in the real app window
//! (WebKitGTK, fast mode and accelerated-compositing mode) and in headless Chromium, for
//! Relman's Gantt, frappe-gantt and dhtmlx-gantt on the same generated plans.
//! Prints a table and writes target/bench-ui.json. Runs under an X display (xvfb-run).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use relman_tests::app::App;
use serde_json::{Value, json};
use thirtyfour::prelude::*;

/// (engine, tasks): frappe-gantt stops at 10,000, where it already takes seconds per render.
const CASES: &[(&str, usize)] = &[
    ("relman", 1_000),
    ("relman", 10_000),
    ("relman", 50_000),
    ("dhtmlx", 1_000),
    ("dhtmlx", 10_000),
    ("dhtmlx", 50_000),
    ("frappe", 1_000),
    ("frappe", 10_000),
];

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn run_case(
    driver: &WebDriver,
    base: &str,
    engine: &str,
    n: usize,
) -> WebDriverResult<Value> {
    driver
        .goto(format!("{base}/bench.html?engine={engine}&n={n}&runs=3"))
        .await?;
    let results = driver
        .query(By::Id("results"))
        .wait(Duration::from_secs(600), Duration::from_millis(250))
        .first()
        .await?;
    let text = results.text().await?;
    Ok(serde_json::from_str(&text)
        .unwrap_or_else(|_| json!({ "engine": engine, "n": n, "error": text })))
}

async fn run_all(
    driver: &WebDriver,
    base: &str,
    browser: &str,
    all: &mut Vec<Value>,
) -> WebDriverResult<()> {
    // BENCH_ENGINES=relman,dhtmlx runs only those engines.
    let only = std::env::var("BENCH_ENGINES").unwrap_or_default();
    let chosen = CASES
        .iter()
        .filter(|(e, _)| only.is_empty() || only.split(',').any(|o| o == *e));
    for (engine, n) in chosen {
        let mut result = run_case(driver, base, engine, *n).await?;
        result["browser"] = json!(browser);
        println!(
            "{browser:<28} {engine:<8} {n:>6}  first {:>8} ms  zoom {:>8} ms  scroll {:>5} fps  heap {} MB",
            result["first_render_ms"],
            result["zoom_render_ms"],
            result["scroll_fps"],
            result["heap_mb"]
        );
        if let Some(error) = result.get("error") {
            println!("    error: {error}");
        }
        all.push(result);
    }
    Ok(())
}

async fn chromium(base: &str, all: &mut Vec<Value>) -> WebDriverResult<()> {
    if !Path::new("/usr/bin/chromedriver").exists() {
        println!("chromium-driver is not installed; skipping headless Chromium");
        return Ok(());
    }
    let port = free_port();
    let _driver = Server(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    wait_for(port);
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--enable-precise-memory-info",
    ] {
        caps.add_arg(arg)?;
    }
    caps.set_binary("/usr/bin/chromium")?;
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await?;
    let result = run_all(&driver, base, "Chromium (headless)", all).await;
    driver.quit().await?;
    result
}

#[tokio::main]
async fn main() -> WebDriverResult<()> {
    let root = relman_tests::repo_root();
    let dist = root.join("ui/dist-bench");
    assert!(
        dist.join("bench.html").exists(),
        "build it first: cd ui && npm run build:bench"
    );
    let port = free_port();
    let _server = Server(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(&dist)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 serves the page"),
    );
    wait_for(port);
    let base = format!("http://127.0.0.1:{port}");
    let mut all = Vec::new();

    let dir = tempfile::tempdir()?;
    for (mode, fast) in [
        ("WebKitGTK fast (no compositing)", true),
        ("WebKitGTK accelerated", false),
    ] {
        // SAFETY: set before the app (and its threads) start; this program is single-purpose.
        #[allow(unsafe_code)]
        unsafe {
            if fast {
                std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
                std::env::set_var("RELMAN_RENDERING", "fast");
            } else {
                std::env::remove_var("WEBKIT_DISABLE_COMPOSITING_MODE");
                std::env::set_var("RELMAN_RENDERING", "accelerated");
            }
        }
        let app = App::launch(&dir.path().join(format!("bench-{fast}.db"))).await?;
        app.driver.set_window_rect(0, 0, 1280, 800).await?;
        let result = run_all(&app.driver, &base, mode, &mut all).await;
        app.quit().await?;
        result?;
    }
    chromium(&base, &mut all).await?;

    let out = root.join("target/bench-ui.json");
    std::fs::write(&out, serde_json::to_string_pretty(&all).unwrap() + "\n")?;
    println!("wrote {}", out.display());
    Ok(())
}
