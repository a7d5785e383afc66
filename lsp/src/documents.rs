//! The files an editor has open, with the text it sent (not what is on disk), and the
//! loader that reads imports from them first.

use std::collections::BTreeMap;

use assent_lang::check::FileLoader;

/// Open documents by URI: their text as the editor last sent it.
#[derive(Debug, Default)]
pub struct Documents {
    open: BTreeMap<String, String>,
}

impl Documents {
    /// Opens (or replaces) a document.
    pub fn open(&mut self, uri: &str, text: String) {
        self.open.insert(uri.to_owned(), text);
    }

    /// Closes a document; its imports are read from disk again.
    pub fn close(&mut self, uri: &str) {
        self.open.remove(uri);
    }

    /// The text of an open document.
    pub fn text(&self, uri: &str) -> Option<&str> {
        self.open.get(uri).map(String::as_str)
    }
}

impl FileLoader for Documents {
    /// An import: the open document at that path if there is one, else the file on disk.
    fn load(&self, path: &str) -> Result<String, String> {
        if let Some(text) = self.open.get(&crate::text::uri_of(path)) {
            return Ok(text.clone());
        }
        std::fs::read_to_string(path).map_err(|error| assent_lang::check::describe_io_error(&error))
    }
}
