//! Checks before a request reaches the static file service (tower-http's `ServeDir`): it must
//! never serve a file outside `--static` (not even through a symlink inside it), never turn an
//! odd path into a 500, and never redirect to another host (`ServeDir` redirects a directory
//! without its trailing slash to the path plus `/`, so `//evil.example` would become a
//! protocol-relative `Location: //evil.example/`).

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use percent_encoding::percent_decode_str;

/// Longer request paths get 414.
pub const MAX_PATH_BYTES: usize = 1024;

/// `Ok` if `ServeDir` may answer `path` (a request's URI path) from `root` (canonical).
pub async fn check(root: &Path, path: &str) -> Result<(), StatusCode> {
    if path.len() > MAX_PATH_BYTES {
        return Err(StatusCode::URI_TOO_LONG);
    }
    // Empty segments: `//host` would redirect off-site; nothing we serve is named like that.
    if path.contains("//") || !path.starts_with('/') {
        return Err(StatusCode::NOT_FOUND);
    }
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| StatusCode::BAD_REQUEST)?;
    if decoded.contains(['\0', '\\']) || decoded.contains("//") {
        return Err(StatusCode::BAD_REQUEST);
    }
    let mut file = PathBuf::from(root);
    for segment in decoded.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." {
            return Err(StatusCode::NOT_FOUND);
        }
        file.push(segment);
    }
    // Resolves symlinks: whatever it names must be inside the root. Any failure (missing,
    // name too long, a loop) is "not found" rather than ServeDir's 500.
    match tokio::fs::canonicalize(&file).await {
        Ok(real) if real.starts_with(root) => Ok(()),
        _ => Err(StatusCode::NOT_FOUND),
    }
}
