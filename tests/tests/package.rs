//! The Debian package `make dist` builds: the binary, the desktop entry, the icons and the
//! metadata are in it. Without a package built (a plain `make test`) there is nothing to check.

use std::process::Command;

use relman_tests::repo_root;

fn deb() -> Option<std::path::PathBuf> {
    let dir = repo_root().join("target/release/bundle/deb");
    let mut debs: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    debs.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    debs.pop()
}

fn dpkg_deb(args: &[&str], deb: &std::path::Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_debian_package_holds_the_app_its_desktop_entry_and_icons() {
    let Some(deb) = deb() else {
        eprintln!("no .deb in target/release/bundle/deb: `make dist` builds one");
        return;
    };
    let files = dpkg_deb(&["--contents"], &deb);
    let paths: Vec<&str> = files
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(|path| path.trim_start_matches("./"))
        .collect();
    for wanted in [
        "usr/bin/relman",
        "usr/bin/relman-cli",
        "usr/share/applications/Relman.desktop",
        "usr/share/icons/hicolor/32x32/apps/relman.png",
        "usr/share/icons/hicolor/128x128/apps/relman.png",
    ] {
        assert!(
            paths.contains(&wanted),
            "{wanted} is not in {}:\n{files}",
            deb.display()
        );
    }
    let fields = dpkg_deb(&["--field"], &deb);
    for wanted in [
        "Package: relman",
        "Version: 0.1.0",
        "Depends:",
        "libwebkit2gtk-4.1-0",
        "Description: Release and deployment management",
    ] {
        assert!(
            fields.contains(wanted),
            "{wanted} is not in the control file:\n{fields}"
        );
    }
    // The desktop entry starts the installed binary and names the app.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let entry =
        std::fs::read_to_string(dir.path().join("usr/share/applications/Relman.desktop")).unwrap();
    assert!(entry.contains("Exec=relman"), "{entry}");
    assert!(entry.contains("Name=Relman"), "{entry}");
    assert!(entry.contains("Icon=relman"), "{entry}");
}
