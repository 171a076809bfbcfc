use std::path::PathBuf;

/// The app's identifier; it names the folder of the embedded default database.
pub const APP_IDENTIFIER: &str = "app.relman.desktop";

/// Environment variable that points Relman (app and CLI) at another database file.
pub const DB_ENV: &str = "RELMAN_DB";

/// Where the app keeps its database unless told otherwise: the user's data directory
/// (`~/.local/share/app.relman.desktop/relman.db` on Linux). The app and the CLI both use
/// this function so that they open the same file by default.
pub fn default_db_path() -> PathBuf {
    if let Some(path) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
        .join("relman.db")
}

/// The app's list of recently opened databases (`~/.config/app.relman.desktop/recent.json`).
pub fn recent_list_path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join(APP_IDENTIFIER).join("recent.json"))
}

/// Who is acting, when no profile names anyone: the operating system's user name
/// (`$USER` first, so a script can say who it acts for; else the account's name).
pub fn os_user_name() -> String {
    std::env::var("USER")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown".to_string())
}
