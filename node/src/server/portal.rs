//! The patient portal's files, embedded in the binary and served on `GET` beside JSON-RPC:
//! a fixed table of paths, nothing read from disk, anything else `404`.
//!
//! The pages are plain HTML, CSS and ES modules (`node/portal/`, described in
//! docs/portal.md); they talk only to the node that served them, which the content
//! security policy sent with each file enforces in the browser.

/// One embedded file.
pub struct Asset {
    /// The path it is served at, from `/`.
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: concat!("/", $path),
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../portal/", $path)),
        }
    };
}

/// Every file the portal serves. `/` is `index.html`.
pub const ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("portal.css", CSS),
    asset!("app.js", JS),
    asset!("rpc.js", JS),
    asset!("proof.js", JS),
    asset!("codec.js", JS),
    asset!("accounts.js", JS),
    asset!("tx.js", JS),
    asset!("act.js", JS),
    asset!("who.js", JS),
    asset!("dom.js", JS),
    asset!("vendor/VERSIONS.txt", TEXT),
    asset!("vendor/noble-hashes/LICENSE", TEXT),
    asset!("vendor/noble-hashes/_md.js", JS),
    asset!("vendor/noble-hashes/_u64.js", JS),
    asset!("vendor/noble-hashes/hmac.js", JS),
    asset!("vendor/noble-hashes/sha2.js", JS),
    asset!("vendor/noble-hashes/sha3.js", JS),
    asset!("vendor/noble-hashes/utils.js", JS),
    asset!("vendor/noble-secp256k1/LICENSE", TEXT),
    asset!("vendor/noble-secp256k1/index.js", JS),
];

/// The content security policy of every portal file: scripts, styles and requests from
/// the node's own origin only, no frames, no forms posted anywhere, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The file served at `path` (the request's path, without its query), if any.
pub fn asset(path: &str) -> Option<&'static Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    ASSETS.iter().find(|asset| asset.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_embedded_paths_are_served() {
        assert_eq!(asset("/").map(|asset| asset.path), Some("/index.html"));
        assert_eq!(
            asset("/vendor/noble-hashes/sha3.js").map(|asset| asset.content_type),
            Some(JS)
        );
        for missing in [
            "",
            "/index.htm",
            "/../Cargo.toml",
            "/vendor/",
            "/vendor/noble-hashes/../../app.js",
            "//app.js",
            "/app.js/",
        ] {
            assert!(asset(missing).is_none(), "{missing}");
        }
    }

    #[test]
    fn every_module_import_is_embedded() {
        // An ES module's relative import of a file the table lacks would 404 in the
        // browser: check each `from "./x.js"` against the table.
        for file in ASSETS.iter().filter(|asset| asset.content_type == JS) {
            let text = String::from_utf8_lossy(file.bytes);
            let directory = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for line in text.lines() {
                let line = line.trim();
                if !(line.starts_with("import ") || line.starts_with("export ")) {
                    continue;
                }
                let Some((_, rest)) = line.split_once(" from ") else {
                    continue;
                };
                let target = rest.trim_matches(|c| c == '"' || c == '\'' || c == ';');
                let mut parts: Vec<&str> = directory.split('/').collect();
                for part in target.split('/') {
                    match part {
                        "." => {}
                        ".." => {
                            parts.pop();
                        }
                        part => parts.push(part),
                    }
                }
                let resolved = parts.join("/");
                assert!(
                    asset(&resolved).is_some(),
                    "{} imports {target} ({resolved}), which is not embedded",
                    file.path
                );
            }
        }
    }
}
